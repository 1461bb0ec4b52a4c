"""Write each plugin's Meltano plugin definition under `plugins/`, from this project's meltano.yml.

Another Meltano project adds a plugin from its file with
`meltano add --from-ref <file> <extractor|loader> <name>` (README, "Use these plugins in your own
Meltano project"). The definition is meltano.yml's (name, namespace, capabilities, settings, ...)
with the `pip_url` a user installs from: the repository's git URL and the plugin's folder.
`--check` exits 1 when a file is out of date instead of writing it.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[1]
VARIANT = "brokerage"
PLUGINS = {
    "tap-impact-crm": "extractors",
    "tap-tracksale": "extractors",
    "tap-trackfinity": "extractors",
    "target-tracksale": "loaders",
}
REPOSITORY_URL = "<repository URL>"
"""Placeholder the user replaces with the URL of the repository they install from."""
KEPT = (
    "name",
    "namespace",
    "label",
    "description",
    "executable",
    "capabilities",
    "settings_group_validation",
    "settings",
)
HEADER = (
    "# Meltano plugin definition of {name}, written by scripts/plugin_definitions.py from\n"
    "# meltano.yml. Add it to a Meltano project with\n"
    "#   meltano add --from-ref {path} {kind} {name}\n"
    "# and replace <repository URL> in its pip_url with the repository's git URL (README,\n"
    '# "Use these plugins in your own Meltano project").\n'
)


def pip_url(name: str, repository_url: str = REPOSITORY_URL) -> str:
    """The `pip_url` that installs plugin `name` alone from the repository at `repository_url`."""
    return f"git+{repository_url}#subdirectory={name}"


def definition_path(name: str) -> Path:
    """Where plugin `name`'s definition file lives in the repository."""
    return REPO / "plugins" / PLUGINS[name] / f"{name}--{VARIANT}.yml"


def definition(name: str, project: dict[str, Any]) -> dict[str, Any]:
    """Plugin `name`'s definition, from meltano.yml's entry of it."""
    entries = {p["name"]: p for p in project["plugins"][PLUGINS[name]]}
    entry = entries[name]
    wanted = {key: entry[key] for key in KEPT if key in entry}
    return {
        "name": name,
        "variant": VARIANT,
        "pip_url": pip_url(name),
        **{key: value for key, value in wanted.items() if key != "name"},
    }


def rendered(name: str, project: dict[str, Any]) -> str:
    """The text of plugin `name`'s definition file."""
    kind = PLUGINS[name].rstrip("s")
    path = definition_path(name).relative_to(REPO)
    body = yaml.safe_dump(definition(name, project), sort_keys=False, allow_unicode=True, width=100)
    return HEADER.format(name=name, path=path, kind=kind) + body


def main() -> int:
    check = "--check" in sys.argv[1:]
    project = yaml.safe_load((REPO / "meltano.yml").read_text())
    stale = []
    for name in PLUGINS:
        path = definition_path(name)
        wanted = rendered(name, project)
        if path.exists() and path.read_text() == wanted:
            continue
        stale.append(str(path.relative_to(REPO)))
        if not check:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(wanted)
    if check and stale:
        print("Out of date (run `make docs`):", ", ".join(stale))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
