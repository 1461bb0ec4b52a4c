"""How many requests may be in flight at once: a limit that backs off when the API says so.

The limit is adaptive (additive increase, multiplicative decrease) under a hard ceiling,
`max_concurrency` (the setting), which it never exceeds:

- **Decrease.** When the API refuses a request as too many (a 429, or a 503 with
  `Retry-After`), the limit is halved at once, never below 1. Threads waiting for a slot then
  wait until fewer than the new limit are in flight; requests already sent cannot be recalled.
- **One decrease per burst.** Each slot remembers the generation of the limit it was taken
  under, and a new generation starts at each decrease. A refusal lowers the limit only when
  the refused request was sent under the current generation, that is after the last decrease:
  refusals of requests sent before it belong to the burst that caused it, which the halving
  already answered. A refusal of a request sent under the lowered limit means the API wants
  fewer still, and halves it again.
- **Increase.** Never while a back-off is in force (the `Retry-After`, or the retry delay, of
  the latest refusal). After it, the limit grows by one for every `limit` successful answers in
  a row to requests sent after the back-off, back up to `max_concurrency`.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

logger = logging.getLogger("connector_kit.concurrency")


@dataclass(frozen=True)
class Slot:
    """Leave to send one request, taken under one generation of the limit at one moment."""

    generation: int
    sent_at: float


class AdaptiveLimit:
    """A thread-safe, AIMD limit on requests in flight, never above `max_concurrency`.

    `acquire()` blocks until fewer requests than the limit are in flight and returns a slot;
    every slot goes back through exactly one of `release()` or `refused()`. Threads waiting in
    `acquire()` are not in flight. `clock` (monotonic seconds) is there for tests.
    """

    def __init__(
        self, max_concurrency: int, *, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.max_concurrency = max(1, max_concurrency)
        self._clock = clock
        self._changed = threading.Condition()
        self._limit = self.max_concurrency
        self._in_flight = 0
        self._generation = 0
        self._hold_until = float("-inf")
        self._successes = 0
        self.decreases = 0
        self.increases = 0
        self.lowest = self.max_concurrency

    @property
    def limit(self) -> int:
        """How many requests may be in flight now."""
        return self._limit

    @property
    def in_flight(self) -> int:
        """How many requests are in flight now (holding a slot)."""
        return self._in_flight

    def acquire(self) -> Slot:
        """Wait for a free slot and take it."""
        with self._changed:
            while self._in_flight >= self._limit:
                self._changed.wait()
            self._in_flight += 1
            return Slot(self._generation, self._clock())

    def release(self, slot: Slot, *, succeeded: bool = False) -> None:
        """Give a slot back; `succeeded` when the API answered the request (not a refusal).

        A release that is no success (a dropped connection, a 5xx, a 4xx) neither raises nor
        lowers the limit, and leaves the run of successes as it was.
        """
        with self._changed:
            self._in_flight -= 1
            if succeeded:
                self._count_success(slot)
            self._wake_waiters()

    def refused(self, slot: Slot, *, reason: str, backoff: float) -> None:
        """Give back the slot of a request the API refused as too many, and back off.

        `reason` says what the API answered (e.g. "HTTP 429"); `backoff` is the seconds the
        refused request will wait before it is tried again, during which the limit stays down.
        """
        with self._changed:
            self._in_flight -= 1
            self._successes = 0
            self._hold_until = max(self._hold_until, self._clock() + max(backoff, 0.0))
            if slot.generation == self._generation and self._limit > 1:
                before, self._limit = self._limit, max(1, self._limit // 2)
                self._generation += 1
                self.decreases += 1
                self.lowest = min(self.lowest, self._limit)
                logger.info(
                    "API refused a request with %s: concurrency lowered from %d to %d; it "
                    "grows back one at a time as requests succeed after the %.1fs back-off",
                    reason,
                    before,
                    self._limit,
                    backoff,
                )
            self._wake_waiters()

    def _count_success(self, slot: Slot) -> None:
        if self._limit >= self.max_concurrency:
            return
        if slot.generation != self._generation or slot.sent_at < self._hold_until:
            return  # sent before the last decrease, or during its back-off
        self._successes += 1
        if self._successes < self._limit:
            return
        before = self._limit
        self._limit += 1
        self._successes = 0
        self.increases += 1
        if self._limit == self.max_concurrency:
            logger.info("concurrency back to its maximum of %d", self._limit)
        else:
            logger.info("concurrency raised from %d to %d", before, self._limit)

    def _wake_waiters(self) -> None:
        # Over the limit (after a decrease), a freed slot wakes nobody.
        free = self._limit - self._in_flight
        if free > 0:
            self._changed.notify(free)
