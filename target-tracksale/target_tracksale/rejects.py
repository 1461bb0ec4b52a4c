"""The rejects file: every record not delivered, with its stream, action, status and reason.

One JSON object per line, appended run after run, so nothing a run could not deliver is lost:
`{"time", "run_id", "stream", "action", "campaign_code", "status", "reason", "record"}`, where
`record` is the record as the target received it (after stream maps) and `status` is
`rejected` (refused by the target's own checks), `invalid` or `duplicated` (as Tracksale
reported), or `ambiguous` (Tracksale did not say which records it refused).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from target_tracksale.deliveries import Status
from target_tracksale.jsonl import JsonLinesFile


class RejectsFile:
    """Appends rejected records to the JSON Lines file at `path`."""

    def __init__(self, path: str | Path, *, run_id: str) -> None:
        self.file = JsonLinesFile(path)
        self.run_id = run_id

    @property
    def path(self) -> Path:
        return self.file.path

    @property
    def count(self) -> int:
        return self.file.lines_written

    def add(
        self,
        *,
        stream: str,
        action: str,
        record: dict[str, Any],
        status: Status,
        reason: str,
        campaign_code: int | None = None,
    ) -> None:
        self.file.write(
            {
                "time": dt.datetime.now(dt.timezone.utc).isoformat(timespec="milliseconds"),
                "run_id": self.run_id,
                "stream": stream,
                "action": action,
                "campaign_code": campaign_code or None,
                "status": status.value,
                "reason": reason,
                "record": record,
            }
        )

    def flush(self) -> None:
        self.file.flush()

    def close(self) -> None:
        self.file.close()
