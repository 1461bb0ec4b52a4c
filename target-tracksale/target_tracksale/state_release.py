"""When a STATE message may go out: the rule, written once, and the one place that writes it.

Invariant: a STATE message goes out only when every record that came before it is settled:
answered by Tracksale and recorded in the ledger, or refused and written to the rejects file.
A dry run writes none. So a run stopped at any point resumes from a STATE that skips no
record not delivered.

How it holds:
- A batch carries the latest STATE received (`checkpoint`) only when no other sink holds a
  record received before that STATE: then every such record is in this batch or in one
  settled or in flight before it.
- Batches settle in the order they were sent, each only once every request of it is answered
  and recorded (`run.Run`); a batch's STATE is released then, never before.
- When the Singer SDK would write a STATE itself (a STATE message with nothing to drain,
  the end of the input), every batch in flight is settled first (`write_when_settled`).
- The same STATE is never written twice in a row.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any


class StateRelease:
    """Writes STATE messages under the invariant above."""

    def __init__(self, write: Callable[[dict[str, Any]], None], *, dry_run: bool) -> None:
        self._write = write
        self.dry_run = dry_run
        self._written: dict[str, Any] | None = None

    @staticmethod
    def checkpoint(
        latest: dict[str, Any] | None, *, other_sinks_hold_records: bool
    ) -> dict[str, Any] | None:
        """The STATE a batch being drained may release once settled, if any."""
        if latest is None or other_sinks_hold_records:
            return None
        return latest

    def release(self, state: dict[str, Any]) -> None:
        """Write `state`, settled as the invariant requires (the caller makes sure)."""
        if self.dry_run or state == self._written:
            return
        self._written = copy.deepcopy(state)
        self._write(state)
