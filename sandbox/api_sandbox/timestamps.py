"""UTC timestamps as the sandbox's APIs write and read them.

Formatting is on the hot path of record rendering, so the day and time-of-day halves of an ISO
8601 timestamp are looked up rather than computed by `datetime` each time.
"""

from __future__ import annotations

import re
import time
from datetime import date, datetime, timedelta, timezone

SECONDS_PER_DAY = 86_400
_EPOCH = date(1970, 1, 1)
_DAY_FORMAT = re.compile(r"\d{4}-\d{2}-\d{2}")
_TIMES_OF_DAY = tuple(
    b"T%02d:%02d:%02dZ" % (second // 3600, second // 60 % 60, second % 60)
    for second in range(SECONDS_PER_DAY)
)
_day_texts: dict[int, str] = {}
_day_bytes: dict[int, bytes] = {}


def day_text(day_number: int) -> str:
    """`YYYY-MM-DD` of the day `day_number` days after 1970-01-01."""
    text = _day_texts.get(day_number)
    if text is None:
        text = (_EPOCH + timedelta(days=day_number)).isoformat()
        _day_texts[day_number] = text
    return text


def iso_utc_bytes(epoch_seconds: int) -> bytes:
    """`2024-03-05T14:22:10Z`, as ASCII bytes, for a Unix time in whole seconds."""
    day_number, second = divmod(epoch_seconds, SECONDS_PER_DAY)
    day = _day_bytes.get(day_number)
    if day is None:
        day = _day_bytes[day_number] = day_text(day_number).encode()
    return day + _TIMES_OF_DAY[second]


def day_start(day: date) -> int:
    """Unix time of 00:00:00 UTC on `day`."""
    return (day - _EPOCH).days * SECONDS_PER_DAY


def parse_day(text: str) -> date:
    """A strict `YYYY-MM-DD` date; `ValueError` for anything else."""
    if not _DAY_FORMAT.fullmatch(text):
        raise ValueError(text)
    return date.fromisoformat(text)


def millisecond_stamp(epoch_seconds: float) -> str:
    """`2024-03-05T14:22:10.123Z`: a moment to the millisecond, for the sandbox's own logs."""
    moment = datetime.fromtimestamp(epoch_seconds, tz=timezone.utc)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def now_seconds() -> int:
    """The current Unix time, whole seconds."""
    return int(time.time())
