"""Tracksale's security lock: past a number of requests in a sliding window, 405 and a CAPTCHA.

The vendor's page (https://api.tracksale.co/?lang=en) says the API takes at most 1000 requests
within a five-minute interval; past that it answers HTTP 405 with a CAPTCHA to solve before it
answers again. The sandbox counts every Tracksale request (any path, method or token) in a
sliding window of `window_seconds`; the request that would make `max_requests + 1` locks the
account, and from then on every request is answered 405 with a CAPTCHA page, until a test (or
a person) calls `solve()` (`POST /_sandbox/tracksale/solve-captcha`). Solving empties the
window. Each lock, refusal and solve is kept as an event, so tests can assert that no 405 was
served. Both limits are options, so tests can scale the lock down.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable

from api_sandbox.exchange import ApiResponse
from api_sandbox.timestamps import millisecond_stamp

DEFAULT_LOCK_REQUESTS = 1000
DEFAULT_LOCK_WINDOW = 300.0
LOCK_STATUS = 405
MAX_EVENTS = 10_000
"""Events kept (the latest), so a client that keeps sending cannot grow them without end."""

CAPTCHA_PAGE = (
    "<!DOCTYPE html><html><head><title>Tracksale - security check</title></head><body>"
    "<h1>Too many requests</h1><p>This account made more than {limit} requests within "
    "{window} seconds. Solve the CAPTCHA below to continue sending requests.</p>"
    '<form method="post" action="/_sandbox/tracksale/solve-captcha">'
    '<div class="g-recaptcha" data-sitekey="api-sandbox"></div>'
    '<button type="submit">I am not a robot</button></form></body></html>'
)


class SecurityLock:
    """Counts Tracksale requests in a sliding window and locks past `max_requests`.

    Thread-safe; `clock` (monotonic seconds) is there for tests.
    """

    def __init__(
        self,
        max_requests: int = DEFAULT_LOCK_REQUESTS,
        window_seconds: float = DEFAULT_LOCK_WINDOW,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if max_requests < 1:
            raise ValueError(f"the Tracksale lock needs 1 request or more, got {max_requests}")
        if window_seconds <= 0:
            raise ValueError(f"the Tracksale lock window must be over 0 s, got {window_seconds}")
        self.max_requests = max_requests
        self.window_seconds = float(window_seconds)
        self._clock = clock
        self._lock = threading.Lock()
        self._seen: deque[float] = deque()
        self._locked = False
        self._events: deque[dict[str, object]] = deque(maxlen=MAX_EVENTS)
        self.refused = 0
        """How many requests were answered 405 since the sandbox started."""

    @property
    def locked(self) -> bool:
        return self._locked

    def admit(self, method: str, path: str) -> bool:
        """Count one request; False when it must be answered with the lock (405)."""
        with self._lock:
            if not self._locked:
                now = self._clock()
                horizon = now - self.window_seconds
                while self._seen and self._seen[0] <= horizon:
                    self._seen.popleft()
                if len(self._seen) < self.max_requests:
                    self._seen.append(now)
                    return True
                self._locked = True
                self._event("locked", method, path)
            self.refused += 1
            self._event("refused", method, path)
            return False

    def solve(self) -> dict[str, object]:
        """A person solved the CAPTCHA: unlock, with an empty window."""
        with self._lock:
            was_locked = self._locked
            self._locked = False
            self._seen.clear()
            self._event("solved", "", "")
        return {"ok": True, "was_locked": was_locked}

    def status(self) -> dict[str, object]:
        """The lock's state, limits and events, as `POST /_sandbox/tracksale/lock` answers."""
        with self._lock:
            horizon = self._clock() - self.window_seconds
            in_window = sum(1 for seen in self._seen if seen > horizon)
            return {
                "locked": self._locked,
                "max_requests": self.max_requests,
                "window_seconds": self.window_seconds,
                "in_window": in_window,
                "refused": self.refused,
                "events": list(self._events),
            }

    def response(self) -> ApiResponse:
        """The 405 a locked account gets: a CAPTCHA page, as a browser would be shown."""
        body = CAPTCHA_PAGE.format(limit=self.max_requests, window=f"{self.window_seconds:g}")
        return ApiResponse(LOCK_STATUS, body.encode(), content_type="text/html; charset=utf-8")

    def _event(self, kind: str, method: str, path: str) -> None:
        self._events.append(
            {"event": kind, "time": millisecond_stamp(time.time()), "method": method, "path": path}
        )
