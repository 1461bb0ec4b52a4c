"""The body of `POST /campaign/{code}/dispatch`, built again at each attempt.

Tracksale refuses a `schedule_time` in the past (`400 {"error": "Invalid Time"}` in public
client code's tests) and public clients schedule at least 60 seconds ahead. So the send time
is computed when an attempt is sent, never once before the retries: "now" is
`SCHEDULE_LEAD_SECONDS` from the attempt, and a record's (or the stream's) own time that is
no longer that far ahead is moved to it. `finish_time` (when the survey closes, Unix seconds)
travels at the top level of the body beside `schedule_time`, as public clients send it.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

SCHEDULE_LEAD_SECONDS = 60
"""How far ahead of an attempt its `schedule_time` is, at least."""
SECONDS_PER_DAY = 86_400


def earliest_send_time(now: float) -> int:
    """The earliest `schedule_time` an attempt made at `now` may carry."""
    return math.ceil(now) + SCHEDULE_LEAD_SECONDS


@dataclass
class DispatchBody:
    """Builds a dispatch request's body for each attempt (call it); remembers what it sent.

    `schedule_time` None with `into_lot` sends no time (the customers join the open lot);
    None otherwise means now. `finish_time` is sent as given, or `finish_after_days` after
    the send time when given that instead.
    """

    customers: Sequence[dict[str, Any]]
    into_lot: bool = False
    schedule_time: int | None = None
    finish_time: int | None = None
    finish_after_days: int | None = None
    clock: Callable[[], float] = time.time
    sent: list[dict[str, Any]] = field(default_factory=list)
    """The time fields of each attempt's body, in order."""

    def send_time(self) -> int | None:
        """The `schedule_time` of an attempt made now (None: into the lot)."""
        if self.into_lot and self.schedule_time is None:
            return None
        return max(self.schedule_time or 0, earliest_send_time(self.clock()))

    def closing_time(self, send_time: int | None) -> int | None:
        """The `finish_time` of an attempt whose send time is `send_time`."""
        if self.finish_time is not None:
            return self.finish_time
        if self.finish_after_days is not None and send_time is not None:
            return send_time + self.finish_after_days * SECONDS_PER_DAY
        return None

    @property
    def moved(self) -> bool:
        """Whether an attempt sent a later time than the one asked for (it had passed)."""
        asked = self.schedule_time
        return asked is not None and any(s.get("schedule_time", asked) > asked for s in self.sent)

    def __call__(self) -> dict[str, Any]:
        body: dict[str, Any] = {"customers": self.customers}
        times: dict[str, Any] = {}
        send_time = self.send_time()
        if send_time is not None:
            times["schedule_time"] = send_time
        finish_time = self.closing_time(send_time)
        if finish_time is not None:
            times["finish_time"] = finish_time
        self.sent.append(times)
        body.update(times)
        return body
