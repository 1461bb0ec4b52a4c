"""The Singer SDK boundary: the private SDK members the plugins use, and only where they may.

Two modules of connector-kit may touch SDK members whose names start with `_`:
`sdk_tap_path` (the taps' fast path) and `sdk_target_path` (the target's direct record path).
Each lists what it uses in `PRIVATE_SDK_MEMBERS`; these tests check every one exists in the
installed singer-sdk (so a release that renames one fails here, by name), that each override
is marked `@override`, and that no other module of the plugins reaches past the public API.
"""

from __future__ import annotations

import ast
import importlib
import inspect
from importlib.metadata import version
from pathlib import Path

import pytest
from connector_kit import sdk_tap_path, sdk_target_path
from connector_kit.streams import TolerantStream
from singer_sdk import Sink, Stream, Tap, Target
from singer_sdk.sinks import BatchSink
from target_tracksale.sinks import TracksaleSink
from target_tracksale.target import TargetTracksale

REPO = Path(__file__).resolve().parents[2]
BOUNDARY = (sdk_tap_path, sdk_target_path)
PLUGIN_CODE = [
    REPO / "connector-kit" / "connector_kit",
    REPO / "tap-impact-crm" / "tap_impact_crm",
    REPO / "tap-tracksale" / "tap_tracksale",
    REPO / "tap-trackfinity" / "tap_trackfinity",
    REPO / "target-tracksale" / "target_tracksale",
]
SDK_VERSION = version("singer-sdk")


class _Stream(Stream):
    name = "boundary"
    schema = {"type": "object", "properties": {"id": {"type": "integer"}}}

    def get_records(self, context):
        return iter(())


class _Tap(Tap):
    name = "tap-boundary"
    config_jsonschema = {"type": "object", "properties": {}}

    def discover_streams(self):
        return [_Stream(self)]


class _Sink(BatchSink):
    def process_batch(self, context):
        pass


class _Target(Target):
    name = "target-boundary"
    config_jsonschema = {"type": "object", "properties": {}}
    default_sink_class = _Sink


def sdk_instances() -> dict[str, object]:
    """A stream, target and sink of the installed SDK, for members set in `__init__`."""
    tap = _Tap(config={}, parse_env_config=False)
    target = _Target(config={}, parse_env_config=False)
    sink = target.get_sink("boundary", schema=_Stream.schema, key_properties=["id"])
    return {
        "singer_sdk.Stream instance": tap.streams["boundary"],
        "singer_sdk.Target instance": target,
        "singer_sdk.Sink instance": sink,
    }


def sdk_owner(owner: str, instances: dict[str, object]) -> object:
    if owner in instances:
        return instances[owner]
    module, _, name = owner.rpartition(".")
    if module == "singer_sdk" and name in {"Stream", "Target", "Sink", "Tap"}:
        return {"Stream": Stream, "Target": Target, "Sink": Sink, "Tap": Tap}[name]
    return importlib.import_module(owner)


USED = [
    pytest.param(module, owner, name, id=f"{module.__name__.rsplit('.', 1)[-1]}:{owner}.{name}")
    for module in BOUNDARY
    for owner, name in module.PRIVATE_SDK_MEMBERS
]


@pytest.mark.parametrize(("module", "owner", "name"), USED)
def test_each_private_member_used_is_in_the_installed_sdk(module, owner, name):
    found = hasattr(sdk_owner(owner, sdk_instances()), name)
    assert found, (
        f"singer-sdk {SDK_VERSION} has no {owner}.{name}, which {module.__name__} uses. "
        f"Adapt {Path(module.__file__).relative_to(REPO)} to this release, or keep the "
        "plugins' singer-sdk requirement below it."
    )


def private_sdk_names() -> set[str]:
    """Every private member name of the SDK's plugin classes, and of their instances."""
    owners: list[object] = [Stream, Tap, Target, Sink, BatchSink, *sdk_instances().values()]
    names: set[str] = set()
    for owner in owners:
        names.update(dir(owner))
        names.update(vars(owner) if not inspect.isclass(owner) else ())
    return {name for name in names if name.startswith("_") and not name.startswith("__")}


@pytest.mark.parametrize("module", BOUNDARY, ids=lambda m: m.__name__)
def test_each_override_of_a_private_sdk_member_is_marked_and_listed(module):
    listed = {name for _, name in module.PRIVATE_SDK_MEMBERS}
    sdk_names = private_sdk_names()
    for _, cls in inspect.getmembers(module, inspect.isclass):
        if cls.__module__ != module.__name__:
            continue
        for name, member in vars(cls).items():
            function = getattr(member, "fget", getattr(member, "func", member))
            if not inspect.isfunction(function):
                continue
            if name in sdk_names:
                assert getattr(function, "__override__", False), (
                    f"{cls.__name__}.{name} overrides the SDK's private member: mark it @override"
                )
                assert name in listed, f"{cls.__name__}.{name}: add it to PRIVATE_SDK_MEMBERS"
            if getattr(function, "__override__", False):
                bases = cls.__mro__[1:]
                assert any(hasattr(base, name) for base in bases), (
                    f"{cls.__name__}.{name} is marked @override, but no base class has it"
                )


def plugin_modules() -> list[Path]:
    boundary = {Path(module.__file__).resolve() for module in BOUNDARY}
    return [
        path
        for folder in PLUGIN_CODE
        for path in sorted(folder.rglob("*.py"))
        if path.resolve() not in boundary
    ]


def test_no_other_module_reaches_a_private_sdk_member():
    sdk_names = private_sdk_names()
    own_names = {"_lock", "_closed"}  # ours too, by the same common name
    found: list[str] = []
    for path in plugin_modules():
        tree = ast.parse(path.read_text(), filename=str(path))
        where = path.relative_to(REPO)
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("singer_sdk"):
                if any(part.startswith("_") for part in (node.module or "").split(".")):
                    found.append(f"{where}:{node.lineno} imports from {node.module}")
            elif isinstance(node, ast.Attribute) and node.attr in sdk_names - own_names:
                found.append(f"{where}:{node.lineno} uses {node.attr}")
            elif isinstance(node, ast.FunctionDef) and node.name in sdk_names - own_names:
                found.append(f"{where}:{node.lineno} defines {node.name}")
    assert not found, (
        "Private Singer SDK members outside connector_kit.sdk_tap_path and "
        "connector_kit.sdk_target_path (move them there, with @override and an entry in "
        "PRIVATE_SDK_MEMBERS):\n" + "\n".join(found)
    )


def test_the_plugins_build_on_the_boundary_classes():
    assert issubclass(TolerantStream, sdk_tap_path.FastPathStream)
    assert issubclass(TracksaleSink, sdk_target_path.DirectSink)
    assert issubclass(TargetTracksale, sdk_target_path.DirectRecordTarget)
