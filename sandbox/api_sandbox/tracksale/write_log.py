"""What the write endpoints accepted, for tests to check what a client actually sent.

Each accepted write keeps its time, method, path, query and JSON body (customer data, no
secrets: headers are never kept). Customers accepted for dispatch are also listed one by one,
with the campaign and lot that took them.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping

from api_sandbox.timestamps import millisecond_stamp


class WriteLog:
    """A thread-safe record of accepted writes and dispatched customers, oldest first."""

    def __init__(self) -> None:
        self._writes: list[dict[str, object]] = []
        self._received: list[dict[str, object]] = []
        self._lock = threading.Lock()

    def record(self, method: str, path: str, query: Mapping[str, str], body: object) -> None:
        entry = {
            "time": millisecond_stamp(time.time()),
            "method": method,
            "path": path,
            "query": dict(query),
            "body": body,
        }
        with self._lock:
            self._writes.append(entry)

    def record_received(
        self, campaign_code: int, dispatch_code: str, customers: list[dict[str, object]]
    ) -> None:
        entries = [
            {"campaign_code": campaign_code, "dispatch_code": dispatch_code, "customer": customer}
            for customer in customers
        ]
        with self._lock:
            self._received.extend(entries)

    def writes(self) -> list[dict[str, object]]:
        with self._lock:
            return list(self._writes)

    def received(self, campaign_code: int | None = None) -> list[dict[str, object]]:
        with self._lock:
            return [
                entry
                for entry in self._received
                if campaign_code is None or entry["campaign_code"] == campaign_code
            ]
