"""The project's own files agree with the plugins: README settings, meltano.yml settings."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
SDK_SETTINGS = {
    "stream_maps",
    "stream_map_config",
    "faker_config",
    "flattening_enabled",
    "flattening_max_depth",
    "flattening_max_key_length",
    "flattening_separator",
    "batch_config",
    "emit_activate_version_messages",
}
"""The SDK's own settings: meltano.yml may declare them, with its own words for this project."""
PLUGINS = ["tap-impact-crm", "tap-tracksale", "tap-trackfinity", "target-tracksale"]


def about(plugin: str) -> dict:
    out = subprocess.run(
        [str(BIN / plugin), "--about", "--format=json"], capture_output=True, check=True
    )
    return json.loads(out.stdout)


def test_readme_settings_tables_match_about_output():
    done = subprocess.run(
        [sys.executable, str(REPO / "scripts" / "readme_settings.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout


@pytest.mark.parametrize("plugin", PLUGINS)
def test_meltano_yml_declares_every_setting_and_marks_secrets(plugin):
    project = yaml.safe_load((REPO / "meltano.yml").read_text())
    definitions = {
        p["name"]: p for kind in project["plugins"].values() for p in kind if "name" in p
    }
    declared = {s["name"]: s for s in definitions[plugin]["settings"]}
    properties = about(plugin)["settings"]["properties"]
    own = {name: prop for name, prop in properties.items() if name not in SDK_SETTINGS}
    assert set(own) <= set(declared), "settings of --about that meltano.yml does not declare"
    sdk_declared = set(declared) - set(own)
    assert sdk_declared <= SDK_SETTINGS & set(properties), "meltano.yml declares unknown settings"
    for name in sdk_declared:
        assert declared[name].get("description"), name
    for name, prop in own.items():
        assert bool(declared[name].get("sensitive")) == bool(prop.get("secret")), name
        assert declared[name]["description"] == prop.get("description"), (
            f"{plugin} {name}: meltano.yml's description differs from --about's"
        )


@pytest.mark.parametrize("plugin", PLUGINS)
def test_meltano_yml_capabilities_are_those_of_about(plugin):
    project = yaml.safe_load((REPO / "meltano.yml").read_text())
    definitions = {
        p["name"]: p for kind in project["plugins"].values() for p in kind if "name" in p
    }
    assert sorted(definitions[plugin]["capabilities"]) == sorted(about(plugin)["capabilities"])
