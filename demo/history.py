"""The demo's memory between runs: which week the sandbox was at, and what the warehouse held.

Kept in `.output/demo-history.json` beside the warehouse, so `make clean` (which removes
`.output` and Meltano's state in `.meltano`) forgets it together with the bookmarks. Written
only when a demo succeeds, so a failed demo is repeated at the same week.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class DemoHistory:
    """The last successful demo: its number, the sandbox's week and last day, table sizes."""

    demos: int
    weeks_later: int
    last_day: str
    tables: dict[str, int] = field(default_factory=dict)
    """Rows per `schema.table` in the warehouse when that demo ended."""

    @classmethod
    def load(cls, path: Path) -> DemoHistory | None:
        """The history in `path`; None when there is none (or it cannot be read)."""
        try:
            data = json.loads(path.read_text())
            return cls(
                demos=int(data["demos"]),
                weeks_later=int(data["weeks_later"]),
                last_day=str(data["last_day"]),
                tables={str(k): int(v) for k, v in data.get("tables", {}).items()},
            )
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return None

    def save(self, path: Path) -> None:
        """Replace `path` atomically with this history."""
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        partial.write_text(json.dumps(asdict(self), indent=2, sort_keys=True) + "\n")
        partial.replace(path)
