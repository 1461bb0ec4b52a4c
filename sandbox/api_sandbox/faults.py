"""Fault injection: latency, random 429s and 5xx at set rates, and queued one-off faults.

Random faults come from an RNG seeded from the sandbox seed, one draw per API request, so a
given sequence of requests meets the same faults every run. Queued faults go first: each is
answered to the next API request whose path and query contain its `path_contains`.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from http import HTTPStatus

_FAULT_KEYS = frozenset({"status", "retry_after", "drop", "delay_ms"})


@dataclass(frozen=True)
class Fault:
    """One injected answer.

    `status` answers with that HTTP status and a JSON error body (a 429 carries `Retry-After`);
    `drop` closes the connection without any response; `delay_ms` waits first, and on its own
    just delays the normal answer.
    """

    status: int | None = None
    retry_after: int | None = None
    drop: bool = False
    delay_ms: int = 0

    @classmethod
    def from_spec(cls, spec: Mapping[str, object] | Fault) -> Fault:
        """A fault from its JSON form, e.g. `{"status": 429, "retry_after": 2}`."""
        if isinstance(spec, Fault):
            return spec
        if not isinstance(spec, Mapping):
            raise ValueError(f"a fault must be an object, got {spec!r}")
        unknown = set(spec) - _FAULT_KEYS
        if unknown:
            raise ValueError(f"unknown fault key(s): {', '.join(sorted(unknown))}")
        status = _optional_int(spec, "status")
        if status is not None and not 400 <= status <= 599:
            raise ValueError(f"fault status must be 400-599, got {status}")
        drop = spec.get("drop", False)
        if not isinstance(drop, bool):
            raise ValueError("fault drop must be true or false")
        fault = cls(
            status, _optional_int(spec, "retry_after"), drop, _optional_int(spec, "delay_ms") or 0
        )
        if fault.status is None and not fault.drop and not fault.delay_ms:
            raise ValueError("a fault needs status, drop or delay_ms")
        return fault


def _optional_int(spec: Mapping[str, object], key: str) -> int | None:
    value = spec.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"fault {key} must be a non-negative integer, got {value!r}")
    return value


def fault_message(status: int) -> str:
    if status == HTTPStatus.TOO_MANY_REQUESTS:
        return "too many requests, retry later"
    try:
        return HTTPStatus(status).phrase.lower()
    except ValueError:
        return "injected fault"


class FaultInjector:
    """Decides, request by request, whether an API request is answered with a fault."""

    def __init__(
        self,
        seed: int,
        latency_ms: int = 0,
        rate_429: float = 0.0,
        rate_5xx: float = 0.0,
        retry_after: int = 1,
    ) -> None:
        for name, rate in (("rate_429", rate_429), ("rate_5xx", rate_5xx)):
            if not 0.0 <= rate <= 1.0:
                raise ValueError(f"{name} must be between 0 and 1, got {rate}")
        if rate_429 + rate_5xx > 1.0:
            raise ValueError("rate_429 + rate_5xx must not exceed 1")
        self.latency_seconds = max(latency_ms, 0) / 1000
        self.rate_429 = rate_429
        self.rate_5xx = rate_5xx
        self.retry_after = retry_after
        self._random = random.Random(f"api-sandbox:faults:{seed}")
        self._queue: list[tuple[str, Fault]] = []
        self._lock = threading.Lock()

    def queue(self, faults: Iterable[Mapping[str, object] | Fault], path_contains: str = "") -> int:
        """Queue faults for the next requests matching `path_contains`; returns how many."""
        parsed = [Fault.from_spec(spec) for spec in faults]
        with self._lock:
            self._queue.extend((path_contains, fault) for fault in parsed)
        return len(parsed)

    def clear(self) -> int:
        with self._lock:
            cleared = len(self._queue)
            self._queue.clear()
        return cleared

    def next_fault(self, target: str) -> Fault | None:
        """The fault for an API request to `target` (path and query), if any."""
        with self._lock:
            draw = self._random.random()
            for position, (path_contains, fault) in enumerate(self._queue):
                if path_contains in target:
                    del self._queue[position]
                    return fault
        if draw < self.rate_429:
            return Fault(status=HTTPStatus.TOO_MANY_REQUESTS, retry_after=self.retry_after)
        if draw < self.rate_429 + self.rate_5xx:
            halfway = self.rate_429 + self.rate_5xx / 2
            status = (
                HTTPStatus.SERVICE_UNAVAILABLE
                if draw < halfway
                else HTTPStatus.INTERNAL_SERVER_ERROR
            )
            return Fault(status=status)
        return None
