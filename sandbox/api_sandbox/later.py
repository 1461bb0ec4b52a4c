"""Later weeks: the sandbox's world moved on, one week at a time, after the data period.

`weeks_later=0` is the data period as generated. Week 1 is the week after `data_end`; week
`n` the week after week `n - 1`. Each week holds everything before it (same ids, same
people) plus the week's new activity, and edits some records made before it; each API draws
its week from an RNG seeded with (seed, week), so week `n` is the same on every machine.
"""

from __future__ import annotations

from datetime import date, timedelta

from api_sandbox.timestamps import SECONDS_PER_DAY, day_start

WEEK_DAYS = 7
WEEK = WEEK_DAYS * SECONDS_PER_DAY
MAX_WEEKS_LATER = 520


def check_weeks_later(weeks_later: int) -> int:
    """`weeks_later` itself, or `ValueError` when it is not 0 to `MAX_WEEKS_LATER`."""
    if isinstance(weeks_later, bool) or not 0 <= weeks_later <= MAX_WEEKS_LATER:
        raise ValueError(f"weeks later must be 0 to {MAX_WEEKS_LATER}, got {weeks_later}")
    return weeks_later


def last_day(data_end: date, weeks_later: int) -> date:
    """The last day with data, `weeks_later` weeks after `data_end`."""
    return data_end + timedelta(days=WEEK_DAYS * weeks_later)


def week_span(data_end: date, week: int) -> tuple[int, int]:
    """The first and last second (Unix time) of week `week` (1 is the week after `data_end`)."""
    first = day_start(last_day(data_end, week - 1)) + SECONDS_PER_DAY
    return first, first + WEEK - 1
