"""Reading what a run left behind: the SDK's record counts, and the sandbox's request log.

The sandbox logs each API request with the time it had been read and the time its answer was
ready (after the injected latency), to the millisecond. A request's time on the server is
`[received, answered]`: the client sent it a little before and read its answer a little after,
so the number of requests in flight derived from these intervals is a lower bound of what the
client had in flight (it misses only the network, well under a millisecond on loopback).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

_METRIC = re.compile(r"METRIC: (\{.*\})\s*$")
_LOG_TIME = re.compile(r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}) ")


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


def first_logged(stderr: str, message: str) -> float | None:
    """When the first SDK log line holding `message` was written (epoch seconds), if any.

    The SDK stamps its lines with the local time to the millisecond; the child inherits this
    process's time zone, so the stamp reads back the same way here.
    """
    for line in stderr.splitlines():
        stamp = _LOG_TIME.match(line)
        if stamp and message in line:
            return datetime.strptime(stamp.group(1), "%Y-%m-%d %H:%M:%S,%f").timestamp()
    return None


@dataclass(frozen=True)
class Served:
    """One request as the server saw it: when it was read, when answered, its status."""

    start: float
    end: float
    path: str
    query: dict[str, str]
    status: int | None
    method: str


def served_requests(log: Iterable[dict]) -> list[Served]:
    requests = []
    for entry in log:
        requests.append(
            Served(
                start=_epoch(entry["received"]),
                end=_epoch(entry["time"]),
                path=str(entry["path"]),
                query=dict(entry.get("query") or {}),
                status=entry.get("status"),
                method=str(entry.get("method")),
            )
        )
    return sorted(requests, key=lambda served: served.start)


def answer_times(requests: Iterable[Served]) -> tuple[float, float]:
    """The shortest and longest time, in seconds, from reading a request to its answer."""
    spans = [served.end - served.start for served in requests]
    return (min(spans), max(spans)) if spans else (float("nan"), float("nan"))


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


def _epoch(stamp: object) -> float:
    return datetime.fromisoformat(str(stamp).replace("Z", "+00:00")).timestamp()
