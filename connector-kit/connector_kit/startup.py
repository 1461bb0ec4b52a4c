"""Process start-up: what a plugin's command line does before it runs (never on import)."""

from __future__ import annotations

import gc
from typing import Any

YOUNG_THRESHOLD = 10_000
"""Allocations between two collections of the youngest generation (Python's default: 700)."""
MIDDLE_THRESHOLD = 50
"""Young collections between two of the middle generation (default: 10)."""
OLD_THRESHOLD = 1_000
"""Middle collections between two full ones (default: 10)."""


def tune_garbage_collector() -> None:
    """Set the cyclic garbage collector up for a process that streams records through.

    - Every object alive now (modules, classes, the SDK) lives as long as the process, so it
      is moved out of the collector's sight: the collector would only scan it again and again
      during a run, and tear it down one by one at exit, which takes a tenth of a second or
      more after importing the Singer SDK.
    - A run allocates a few objects per field of every record, almost all of which die within
      a page, and records hold no reference cycles. With Python's default thresholds the
      records of the pages being read or written survive a young collection every 700
      allocations, and are scanned again by the older generations: a tenth of a run's CPU
      time. Rarer collections let them die young; the few cycles a run makes (exceptions with
      their tracebacks, say) are still collected, only later.

    Called once, by the command line (`invoke`), when every import is done: importing a
    plugin as a library leaves the host process's collector alone.
    """
    gc.freeze()
    gc.set_threshold(YOUNG_THRESHOLD, MIDDLE_THRESHOLD, OLD_THRESHOLD)


class TunedCommandLine:
    """A plugin base whose command line tunes the process first (`tune_garbage_collector`)."""

    @classmethod
    def invoke(cls, **options: Any) -> None:
        """The command line: the process is tuned for streaming records, then the SDK runs."""
        tune_garbage_collector()
        super().invoke(**options)  # type: ignore[misc]
