"""Write each plugin's `--about --format=markdown` settings table into its README.

The table sits between the README's `## Settings` heading and the next `## ` heading.
`--check` exits 1 when a README is out of date instead of writing it.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
PLUGINS = ["tap-impact-crm", "tap-tracksale", "tap-trackfinity", "target-tracksale"]


def settings_table(plugin: str) -> str:
    about = subprocess.run(
        [str(BIN / plugin), "--about", "--format=markdown"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    table = about.split("## Settings", 1)[1].strip()
    return table + "\n"


def with_table(readme: str, table: str) -> str:
    head, rest = readme.split("## Settings\n", 1)
    tail = rest[rest.index("\n## ") :] if "\n## " in rest else ""
    return f"{head}## Settings\n\n{table}{tail}"


def main() -> int:
    stale = []
    for plugin in PLUGINS:
        path = REPO / plugin / "README.md"
        current = path.read_text()
        wanted = with_table(current, settings_table(plugin))
        if wanted != current:
            stale.append(plugin)
            if "--check" not in sys.argv:
                path.write_text(wanted)
    if stale and "--check" in sys.argv:
        print(f"Settings tables out of date: {', '.join(stale)}; run `make docs`.")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
