"""Time spans for `/report/answer`, cut in two until each half fits in one request.

The answer report is not paged: a span that holds more answers than one request should carry
is split, on day boundaries first, then to the second.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from connector_kit.windows import DateWindow

ONE_SECOND = dt.timedelta(seconds=1)


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

    def halves(self) -> tuple[TimeSpan, TimeSpan]:
        """Two spans covering this one exactly; on day boundaries while it spans days."""
        days = (self.end.date() - self.start.date()).days
        if self.whole_days and days >= 1:
            middle = self.start + dt.timedelta(days=(days + 1) // 2)
        else:
            seconds = int((self.end - self.start).total_seconds())
            middle = self.start + dt.timedelta(seconds=(seconds + 1) // 2)
        return TimeSpan(self.start, middle - ONE_SECOND), TimeSpan(middle, self.end)

    def __str__(self) -> str:
        query = self.query()
        return f"{query['start']}..{query['end']}"
