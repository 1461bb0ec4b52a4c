"""Reporting periods: days, ISO weeks (Monday to Sunday) or calendar months."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from connector_kit.errors import ConnectorError
from connector_kit.windows import DateWindow

GRANULARITIES = ("day", "week", "month")


def period_start(day: dt.date, granularity: str) -> dt.date:
    """The first day of the period that holds `day`."""
    if granularity == "day":
        return day
    if granularity == "week":
        return day - dt.timedelta(days=day.weekday())
    if granularity == "month":
        return day.replace(day=1)
    msg = f"`report_granularity` must be one of {', '.join(GRANULARITIES)}, got {granularity!r}."
    raise ConnectorError(msg)


def next_period_start(start: dt.date, granularity: str) -> dt.date:
    if granularity == "day":
        return start + dt.timedelta(days=1)
    if granularity == "week":
        return start + dt.timedelta(days=7)
    return (start.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def periods(first: dt.date, last: dt.date, granularity: str) -> Iterator[DateWindow]:
    """Whole periods from the one holding `first` to the one holding `last`."""
    start = period_start(first, granularity)
    while start <= last:
        following = next_period_start(start, granularity)
        yield DateWindow(start, following - dt.timedelta(days=1))
        start = following
