"""The log of requests the sandbox's APIs received, for tests to inspect.

Only method, path, query, status and time are kept: header values and bodies carry secrets
(API keys, passwords, tokens) and are never stored.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass

from api_sandbox.timestamps import millisecond_stamp

DEFAULT_LIMIT = 100_000


@dataclass(frozen=True)
class LoggedRequest:
    """One served request; `status` is None when the connection was dropped unanswered."""

    method: str
    path: str
    query: tuple[tuple[str, str], ...]
    status: int | None
    time: str
    """When the answer was ready (the injected latency after `received`, or later)."""
    received: str
    """When the request had been read."""

    def as_dict(self) -> dict[str, object]:
        return {
            "method": self.method,
            "path": self.path,
            "query": dict(self.query),
            "status": self.status,
            "time": self.time,
            "received": self.received,
        }


class RequestLog:
    """A bounded, thread-safe list of served requests, oldest first."""

    def __init__(self, limit: int = DEFAULT_LIMIT) -> None:
        self._entries: deque[LoggedRequest] = deque(maxlen=limit)
        self._lock = threading.Lock()

    def record(
        self,
        method: str,
        path: str,
        query: Mapping[str, str],
        status: int | None,
        *,
        received: float,
    ) -> None:
        """Log a request answered now (or dropped unanswered), read at `received` (epoch s)."""
        entry = LoggedRequest(
            method=method,
            path=path,
            query=tuple(query.items()),
            status=status,
            time=millisecond_stamp(time.time()),
            received=millisecond_stamp(received),
        )
        with self._lock:
            self._entries.append(entry)

    def entries(self) -> list[dict[str, object]]:
        with self._lock:
            entries = list(self._entries)
        return [entry.as_dict() for entry in entries]

    def clear(self) -> int:
        with self._lock:
            cleared = len(self._entries)
            self._entries.clear()
        return cleared
