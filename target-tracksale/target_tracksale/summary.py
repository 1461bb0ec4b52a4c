"""The run summary: per stream and action, how many records were sent, refused or skipped.

Logged at the end of the run (and when it fails), and written as JSON to `summary_path`
(replaced by each run, written after each settled batch too, so a failed or killed run
leaves its counts behind).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import threading
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from target_tracksale.deliveries import Status

COLUMNS = (
    Status.SENT,
    Status.DUPLICATED,
    Status.INVALID,
    Status.ALREADY_SENT,
    Status.REJECTED,
    Status.AMBIGUOUS,
    Status.WOULD_SEND,
)


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


class RunSummary:
    """Counts per (stream, action), requests made, lots sent, and how the run ended."""

    def __init__(self, path: str | Path, *, run_id: str, dry_run: bool) -> None:
        self.path = Path(path)
        self.run_id = run_id
        self.dry_run = dry_run
        self.started_at = _now()
        self.counts: dict[tuple[str, str], Counter[str]] = {}
        self.requests: Counter[tuple[str, str]] = Counter()
        self.lots: list[dict[str, Any]] = []
        self.files: dict[str, str] = {}
        self.warnings: list[str] = []
        self.api_figures: Callable[[], dict[str, float]] = dict
        """Requests made, retried, and how often the API's refusals lowered the concurrency."""
        self._lock = threading.Lock()

    def add(self, stream: str, action: str, status: Status, count: int = 1) -> None:
        with self._lock:
            self.counts.setdefault((stream, action), Counter())[status.value] += count

    def add_requests(self, stream: str, action: str, count: int) -> None:
        with self._lock:
            self.counts.setdefault((stream, action), Counter())
            self.requests[(stream, action)] += count

    def add_lot(self, campaign_code: int, lot_code: str, customers: Any, *, sent: bool) -> None:
        with self._lock:
            self.lots.append(
                {
                    "campaign_code": campaign_code,
                    "lot_code": lot_code,
                    "customers": customers,
                    "sent": sent,
                }
            )

    def total(self, status: Status) -> int:
        with self._lock:
            return sum(counter[status.value] for counter in self.counts.values())

    def as_dict(self, *, status: str, error: str | None = None) -> dict[str, Any]:
        with self._lock:
            streams = [
                {
                    "stream": stream,
                    "action": action,
                    **{column.value: counter[column.value] for column in COLUMNS},
                    "requests": self.requests[(stream, action)],
                }
                for (stream, action), counter in sorted(self.counts.items())
            ]
            return {
                "run_id": self.run_id,
                "status": status,
                "error": error,
                "dry_run": self.dry_run,
                "started_at": self.started_at,
                "finished_at": _now() if status != "running" else None,
                "streams": streams,
                "lots": list(self.lots),
                "api": self.api_figures(),
                "files": dict(self.files),
                "warnings": list(self.warnings),
            }

    def write(self, *, status: str, error: str | None = None) -> None:
        """Replace the summary file atomically (a reader never sees half a file)."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        partial = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        partial.write_text(json.dumps(self.as_dict(status=status, error=error), indent=2) + "\n")
        partial.replace(self.path)

    def log(self, logger: logging.Logger) -> None:
        """One line per stream and action, the counts that are not zero, and the lots."""
        data = self.as_dict(status="logged")
        prefix = "Dry run, nothing sent. " if self.dry_run else ""
        if not data["streams"]:
            logger.info("%sSummary: no records received.", prefix)
        for row in data["streams"]:
            counts = ", ".join(
                f"{row[column.value]} {column.value.replace('_', ' ')}"
                for column in COLUMNS
                if row[column.value] or column in {Status.SENT, Status.REJECTED}
            )
            logger.info(
                "%sSummary %s (%s): %s; %d requests.",
                prefix,
                row["stream"],
                row["action"],
                counts,
                row["requests"],
            )
        for lot in data["lots"]:
            logger.info(
                "Lot %s of campaign %s %s (%s customers).",
                lot["lot_code"],
                lot["campaign_code"],
                "sent" if lot["sent"] else "would be sent",
                lot["customers"],
            )
        api = data["api"]
        if api.get("retries") or api.get("concurrency_lowered"):
            logger.info(
                "API: %d requests, %d retried; concurrency lowered %d time(s) on refusals.",
                api.get("requests", 0),
                api.get("retries", 0),
                api.get("concurrency_lowered", 0),
            )
        if api.get("budget_waits"):
            logger.info(
                "Request budget: waited %d time(s), %.1fs in all (longest %.1fs), to stay "
                "under Tracksale's security lock.",
                api["budget_waits"],
                api.get("budget_waited_seconds", 0.0),
                api.get("budget_longest_wait_seconds", 0.0),
            )
        for warning in data["warnings"]:
            logger.warning("%s", warning)
        for name, path in data["files"].items():
            logger.info("%s: %s", name, path)
