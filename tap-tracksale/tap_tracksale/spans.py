"""Time spans for `/report/answer`, cut into parts until each part fits in one request.

The answer report is not paged: a span that holds more answers than one request should carry
is cut into parts, on day boundaries first, then to the second.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from connector_kit.windows import DateWindow

ONE_SECOND = dt.timedelta(seconds=1)
ONE_DAY = dt.timedelta(days=1)
SECONDS_PER_DAY = 86_400


@dataclass(frozen=True)
class TimeSpan:
    """From `start` to `end`, both included, to the second (UTC)."""

    start: dt.datetime
    end: dt.datetime

    @classmethod
    def of_window(cls, window: DateWindow) -> TimeSpan:
        start = dt.datetime.combine(window.start, dt.time())
        end = dt.datetime.combine(window.end, dt.time(23, 59, 59))
        return cls(start, end)

    @property
    def whole_days(self) -> bool:
        return self.start.time() == dt.time() and self.end.time() == dt.time(23, 59, 59)

    def query(self) -> dict[str, str]:
        """`start`/`end` as the API takes them: dates for whole days, else times."""
        if self.whole_days:
            return {"start": self.start.date().isoformat(), "end": self.end.date().isoformat()}
        return {
            "start": self.start.strftime("%Y-%m-%dT%H:%M:%S"),
            "end": self.end.strftime("%Y-%m-%dT%H:%M:%S"),
        }

    def can_split(self) -> bool:
        return self.end > self.start

    @property
    def seconds(self) -> int:
        """How many seconds it covers (both ends included)."""
        return int((self.end - self.start).total_seconds()) + 1

    def parts(self, count: int) -> list[TimeSpan]:
        """Up to `count` spans, as even as can be, covering this one exactly and in order.

        They fall on day boundaries while this span is two whole days or more (a day each at
        least), else on seconds (a second each at least).
        """
        days = (self.end.date() - self.start.date()).days + 1
        if self.whole_days and days >= 2:
            unit, units = ONE_DAY, days
        else:
            unit, units = ONE_SECOND, self.seconds
        count = max(1, min(count, units))
        spans, start = [], self.start
        for number in range(count):
            size = units * (number + 1) // count - units * number // count
            end = start + unit * size - ONE_SECOND
            spans.append(TimeSpan(start, end))
            start = end + ONE_SECOND
        return spans

    def head(self, seconds: int) -> tuple[TimeSpan, TimeSpan | None]:
        """Its first `seconds` (whole days of it while it is whole days), and the rest if any.

        The head is never empty: a day at least for whole days, else a second.
        """
        if self.whole_days:
            length = ONE_DAY * max(1, seconds // SECONDS_PER_DAY)
        else:
            length = ONE_SECOND * max(1, seconds)
        end = self.start + length - ONE_SECOND
        if end >= self.end:
            return self, None
        return TimeSpan(self.start, end), TimeSpan(end + ONE_SECOND, self.end)

    def __str__(self) -> str:
        query = self.query()
        return f"{query['start']}..{query['end']}"
