"""Each plugin's wheel installs alone into an empty environment and reports its version and licence.

The wheel is built from the sdist (as `uv build` and `python -m build` do), so both carry the
shared `connector_kit`, and the wheel names no dependency but published ones.
"""

from __future__ import annotations

import sys
import tarfile
import zipfile
from email.parser import Parser
from pathlib import Path

import pytest
from packaging.specifiers import SpecifierSet

from tests.packaging.builds import (
    PACKAGES,
    PLUGINS,
    REPO,
    about,
    fresh_venv,
    pyproject,
    run,
    uv_install,
)

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("packaging-wheels")]
KIT = REPO / "connector-kit" / "connector_kit"
PLUGIN = "tap-tracksale"
KIT_FILES = sorted(
    p.relative_to(KIT.parent).as_posix() for p in [*KIT.rglob("*.py"), KIT / "py.typed"]
)
"""The shared code as each wheel and sdist must carry it: its modules and its `py.typed`."""


def wheel_metadata(wheel: Path) -> tuple[dict[str, list[str]], zipfile.ZipFile]:
    archive = zipfile.ZipFile(wheel)
    name = next(n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))
    message = Parser().parsestr(archive.read(name).decode())
    fields: dict[str, list[str]] = {}
    for key, value in message.items():
        fields.setdefault(key, []).append(value)
    return fields, archive


@pytest.mark.parametrize("plugin", PLUGINS)
def test_wheel_installs_alone_and_about_reports_its_version(plugin, dists, tmp_path):
    _, wheel = dists[plugin]
    venv = fresh_venv(tmp_path / "venv")
    uv_install(venv, wheel)
    reported = about(venv, plugin)
    assert reported["name"] == plugin
    assert reported["version"] == pyproject(plugin)["project"]["version"]
    package = PACKAGES[plugin]
    modules = [f"connector_kit.{Path(name).stem}" for name in KIT_FILES if name.endswith(".py")]
    code = f"import {package}, {', '.join(modules)}; print({package}.__version__)"
    # Every shared module imports: the wheel declares what connector_kit needs.
    assert run(venv / "python", "-c", code).strip() == reported["version"]


@pytest.mark.parametrize("plugin", PLUGINS)
def test_wheel_metadata_says_apache_2_and_carries_the_licence(plugin, dists):
    _, wheel = dists[plugin]
    fields, archive = wheel_metadata(wheel)
    assert fields["License-Expression"] == ["Apache-2.0"]
    assert fields["License-File"] == ["LICENSE"]
    licence = next(n for n in archive.namelist() if n.endswith(".dist-info/licenses/LICENSE"))
    assert archive.read(licence) == (REPO / "LICENSE").read_bytes()
    assert "meltano_sdk" in fields["Keywords"][0].split(",")
    wanted = SpecifierSet(pyproject(plugin)["project"]["requires-python"])
    assert [SpecifierSet(s) for s in fields["Requires-Python"]] == [wanted]
    requirements = [r.split(";")[0] for r in fields.get("Requires-Dist", [])]
    assert not [r for r in requirements if "connector" in r], requirements


@pytest.mark.parametrize("plugin", PLUGINS)
def test_sdist_and_wheel_carry_connector_kit_as_it_is_in_the_repository(plugin, dists):
    sdist, wheel = dists[plugin]
    _, archive = wheel_metadata(wheel)
    in_wheel = sorted(n for n in archive.namelist() if n.startswith("connector_kit/"))
    assert in_wheel == KIT_FILES
    for name in in_wheel:
        assert archive.read(name) == (KIT.parent / name).read_bytes(), name
    root = sdist.name.removesuffix(".tar.gz")
    with tarfile.open(sdist) as tar:
        in_sdist = sorted(
            n.removeprefix(f"{root}/") for n in tar.getnames() if "/connector_kit/" in n
        )
        assert in_sdist == KIT_FILES
        assert {f"{root}/LICENSE", f"{root}/README.md"} <= set(tar.getnames())


def test_python_m_build_makes_the_same_files(dists, tmp_path):
    """`python -m build` (sdist, then the wheel from it) gives the files `uv build` gives."""
    run(sys.executable, "-m", "build", "--installer", "uv", "--outdir", tmp_path, REPO / PLUGIN)
    _, ours = wheel_metadata(dists[PLUGIN][1])
    wheels = list(tmp_path.glob("*.whl"))
    assert len(wheels) == 1, wheels
    _, theirs = wheel_metadata(wheels[0])
    assert sorted(theirs.namelist()) == sorted(ours.namelist())
    # WHEEL and RECORD name the build backend's version; the rest is the same, byte for byte.
    for name in (n for n in ours.namelist() if not n.endswith(("/WHEEL", "/RECORD"))):
        assert theirs.read(name) == ours.read(name), name
