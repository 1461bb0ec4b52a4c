"""A sliding-window budget of requests, shared by every thread of the process.

Some APIs lock an account that sends too many requests in a time window, and retrying does
not unlock it (Tracksale: more than 1000 requests in five minutes, then HTTP 405 and a CAPTCHA
a person must solve). A `RequestBudget` keeps a process under such a limit: `spend()` is called
before every attempt (retries count) and waits until fewer than `max_requests` were sent in
the last `window_seconds`, so that no window of that length ever holds more.

Budgets are process-wide per API host and credential (`shared_budget`): two clients of one
process that talk to the same account share one budget. The credential is kept only as a
hash. Once the API answers with its lock, `trip()` makes every later `spend()` fail at once,
so that no thread of the process sends another request to the locked account.

Each wait is counted and logged with its length: INFO from `LOGGED_WAIT` seconds, WARNING
from `LONG_WAIT`; shorter waits (a request sent as the oldest in the window expires) are
counted and logged at DEBUG, since a long backfill has one for nearly every request.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlsplit

from connector_kit.errors import ApiLockedError

DEFAULT_MAX_REQUESTS = 900
DEFAULT_WINDOW_SECONDS = 300.0
LOGGED_WAIT = 1.0
"""Waits from this many seconds are logged at INFO (shorter ones at DEBUG)."""
LONG_WAIT = 60.0
"""Waits from this many seconds are logged at WARNING."""

logger = logging.getLogger("connector_kit.request_budget")


class RequestBudget:
    """At most `max_requests` requests in any `window_seconds`, across threads.

    `clock` (monotonic seconds) and `sleep` are there for tests: with `sleep` given, a wait
    calls it (without holding the budget's lock) instead of waiting on the condition.
    """

    def __init__(
        self,
        max_requests: int = DEFAULT_MAX_REQUESTS,
        window_seconds: float = DEFAULT_WINDOW_SECONDS,
        *,
        name: str = "API",
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] | None = None,
    ) -> None:
        if max_requests < 1:
            msg = f"`max_requests_per_window` must be 1 or more, got {max_requests}."
            raise ValueError(msg)
        if window_seconds <= 0:
            msg = f"`rate_window_seconds` must be more than 0, got {window_seconds}."
            raise ValueError(msg)
        self.max_requests = max_requests
        self.window_seconds = float(window_seconds)
        self.name = name
        self._clock = clock
        self._sleep = sleep
        self._changed = threading.Condition()
        self._sent: deque[float] = deque()
        self._lock_message: str | None = None
        self._lock_status = 0
        self.spent = 0
        self.waits = 0
        self.waited_seconds = 0.0
        self.longest_wait = 0.0

    @property
    def tripped(self) -> bool:
        """Whether the API answered with its lock: no request may be sent any more."""
        return self._lock_message is not None

    def in_window(self) -> int:
        """How many requests were sent in the last `window_seconds`."""
        with self._changed:
            self._forget_old(self._clock())
            return len(self._sent)

    def spend(self) -> float:
        """Wait until a request may go without exceeding the budget, and count it as sent.

        Returns when it was counted (on the budget's clock). Raises `ApiLockedError` once the
        budget was tripped, also while waiting.
        """
        waited = 0.0
        with self._changed:
            while True:
                self._raise_if_tripped()
                now = self._clock()
                self._forget_old(now)
                if len(self._sent) < self.max_requests:
                    self._sent.append(now)
                    self.spent += 1
                    sent_at = now
                    break
                pause = self._sent[0] + self.window_seconds - now
                started = now
                self._pause(max(pause, 0.0))
                waited += self._clock() - started
        if waited > 0:
            self._count_wait(waited)
        return sent_at

    def trip(self, message: str, status: int) -> None:
        """The API answered with its lock (`status`): fail every later `spend()` with `message`."""
        with self._changed:
            if self._lock_message is None:
                self._lock_message = message
                self._lock_status = status
            self._changed.notify_all()

    def _raise_if_tripped(self) -> None:
        if self._lock_message is not None:
            raise ApiLockedError(self._lock_message, self._lock_status)

    def _forget_old(self, now: float) -> None:
        horizon = now - self.window_seconds
        while self._sent and self._sent[0] <= horizon:
            self._sent.popleft()

    def _pause(self, seconds: float) -> None:
        if self._sleep is None:
            self._changed.wait(seconds)
            return
        self._changed.release()
        try:
            self._sleep(seconds)
        finally:
            self._changed.acquire()

    def _count_wait(self, waited: float) -> None:
        with self._changed:
            self.waits += 1
            self.waited_seconds += waited
            self.longest_wait = max(self.longest_wait, waited)
        level = (
            logging.WARNING
            if waited >= LONG_WAIT
            else logging.INFO
            if waited >= LOGGED_WAIT
            else logging.DEBUG
        )
        logger.log(
            level,
            "%s request budget: waited %.1fs so as to send at most %d requests in %.0fs",
            self.name,
            waited,
            self.max_requests,
            self.window_seconds,
        )

    def figures(self) -> dict[str, float | int]:
        """Requests sent and waits, for a run's summary or log."""
        with self._changed:
            return {
                "budget_requests": self.spent,
                "budget_waits": self.waits,
                "budget_waited_seconds": round(self.waited_seconds, 1),
                "budget_longest_wait_seconds": round(self.longest_wait, 1),
            }


_budgets: dict[tuple[str, str], RequestBudget] = {}
_budgets_lock = threading.Lock()


def shared_budget(
    base_url: str,
    credential: str,
    *,
    max_requests: int = DEFAULT_MAX_REQUESTS,
    window_seconds: float = DEFAULT_WINDOW_SECONDS,
    name: str = "API",
) -> RequestBudget:
    """The process's budget for this API host and credential, made on first use.

    A second caller with other limits tightens the shared budget to the stricter of both
    (fewer requests, longer window); it never loosens it.
    """
    host = (urlsplit(base_url).netloc or base_url).lower()
    key = (host, hashlib.sha256(credential.encode()).hexdigest())
    with _budgets_lock:
        budget = _budgets.get(key)
        if budget is None:
            budget = _budgets[key] = RequestBudget(max_requests, window_seconds, name=name)
        else:
            with budget._changed:
                budget.max_requests = min(budget.max_requests, max_requests)
                budget.window_seconds = max(budget.window_seconds, float(window_seconds))
        return budget


def forget_shared_budgets() -> None:
    """Drop every shared budget (for tests that run several plugins in one process)."""
    with _budgets_lock:
        _budgets.clear()


def budget_from_config(
    config: Mapping[str, Any], *, base_url: str, credential: str, name: str
) -> RequestBudget:
    """The shared budget for `base_url` and `credential`, sized by the budget settings."""
    max_requests = config.get("max_requests_per_window")
    window = config.get("rate_window_seconds")
    return shared_budget(
        base_url,
        credential,
        max_requests=DEFAULT_MAX_REQUESTS if max_requests is None else int(max_requests),
        window_seconds=DEFAULT_WINDOW_SECONDS if window is None else float(window),
        name=name,
    )


def locked_account_message(
    budget: RequestBudget,
    *,
    api: str,
    status: int,
    lock: str,
    path: str,
    message: str,
    unlock: str,
    after: str,
) -> str:
    """What an API's account lock means for the run, and how to go on.

    `lock` says what locks the account, `unlock` how a person lifts it, and `after` what the
    run did on stopping (so what the next run does); `message` is the API's own answer.
    """
    return (
        f"{api}'s security lock blocked the API token's account (HTTP {status} "
        f"on {path}: {message[:120]}). {lock}; retrying does not help. This run sent "
        f"{budget.in_window()} requests in its last {budget.window_seconds:.0f}s "
        f"(`max_requests_per_window` {budget.max_requests}): another program may be using the "
        f"same token. {unlock}, then run again. {after}"
    )
