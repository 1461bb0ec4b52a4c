"""Date windows: a long date range walked in bounded slices, both ends inclusive."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

from connector_kit.errors import ConnectorError


@dataclass(frozen=True)
class DateWindow:
    """A slice of a date filter; `start` and `end` are both included."""

    start: dt.date
    end: dt.date

    def __str__(self) -> str:
        return f"{self.start.isoformat()}..{self.end.isoformat()}"


def today_utc() -> dt.date:
    """Today's date in UTC, the APIs' calendar."""
    return dt.datetime.now(dt.timezone.utc).date()


def parse_date(value: str | dt.date, *, setting: str = "date") -> dt.date:
    """The calendar date of `YYYY-MM-DD` or of an ISO 8601 timestamp (its UTC date)."""
    if isinstance(value, dt.datetime):
        moment = value
    elif isinstance(value, dt.date):
        return value
    else:
        text = value.strip()
        try:
            if len(text) == 10:
                return dt.date.fromisoformat(text)
            moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00").replace(" ", "T", 1))
        except ValueError:
            msg = (
                f"`{setting}` must be a date like 2025-01-31 (or an ISO 8601 time), got {value!r}."
            )
            raise ConnectorError(msg) from None
    if moment.tzinfo is not None:
        moment = moment.astimezone(dt.timezone.utc)
    return moment.date()


def date_windows(start: dt.date, end: dt.date, days: int) -> Iterator[DateWindow]:
    """Consecutive windows of at most `days` days covering `start`..`end` exactly."""
    if days < 1:
        msg = f"`window_days` must be at least 1, got {days}."
        raise ConnectorError(msg)
    step = dt.timedelta(days=days)
    while start <= end:
        window_end = min(start + step - dt.timedelta(days=1), end)
        yield DateWindow(start, window_end)
        start = window_end + dt.timedelta(days=1)
