"""Reading what a run left behind: the SDK's record counts, and the sandbox's request log.

The sandbox logs each API request with the time its answer was ready, to the millisecond,
after the injected latency. A request's time on the server is then taken as
`[answered - latency, answered]`: it started no later than that, so the number of requests in
flight derived from these intervals is a lower bound of the true one (it misses only the
server's own handling time and the network, a few milliseconds at most on loopback).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

_METRIC = re.compile(r"METRIC: (\{.*\})\s*$")


def sdk_record_count(stderr: str, stream: str) -> int:
    """Records the SDK counted for `stream`, from its `record_count` metric lines."""
    total = 0
    for line in stderr.splitlines():
        match = _METRIC.search(line)
        if not match:
            continue
        point = json.loads(match.group(1))
        if point.get("metric") == "record_count" and point["tags"].get("stream") == stream:
            total += int(point["value"])
    return total


@dataclass(frozen=True)
class Served:
    """One request as the server saw it: an estimated start, the answer time, its status."""

    start: float
    end: float
    path: str
    query: dict[str, str]
    status: int | None
    method: str


def served_requests(log: Iterable[dict], latency_s: float) -> list[Served]:
    requests = []
    for entry in log:
        end = datetime.fromisoformat(str(entry["time"]).replace("Z", "+00:00")).timestamp()
        requests.append(
            Served(
                start=end - latency_s,
                end=end,
                path=str(entry["path"]),
                query=dict(entry.get("query") or {}),
                status=entry.get("status"),
                method=str(entry.get("method")),
            )
        )
    return sorted(requests, key=lambda served: served.start)


def in_flight_at(requests: list[Served], moment: float) -> int:
    return sum(1 for served in requests if served.start <= moment < served.end)


def peak_in_flight(
    requests: list[Served], since: float = float("-inf"), until: float = float("inf")
) -> int:
    """The most requests in flight at any moment of `[since, until)`."""
    moments = [since] if since != float("-inf") else []
    moments += [served.start for served in requests if since <= served.start < until]
    return max((in_flight_at(requests, moment) for moment in moments), default=0)


def mean_in_flight(requests: list[Served], since: float, until: float) -> float:
    """Requests in flight on average over `[since, until)`, weighted by time."""
    if until <= since:
        return float("nan")
    busy = sum(max(0.0, min(s.end, until) - max(s.start, since)) for s in requests)
    return busy / (until - since)
