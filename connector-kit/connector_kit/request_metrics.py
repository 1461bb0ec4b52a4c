"""The Singer SDK's request metrics, for the project's own HTTP client.

SDK REST streams log a `http_request_duration` timer for every response and a
`http_request_count` counter per endpoint (every minute and at the end), on the
`singer_sdk.metrics` logger, as `METRIC: {json}` lines. Meltano users chart and alert on them,
so the plugins log the same points, in the same format, for each attempt the client makes
(retries included).

The `endpoint` tag is the URL's path with its ids (numbers, long hex or base-64 tokens) as
`{id}`, so one endpoint is one series, and no query string (which may carry an API key) ever
reaches a tag. Points are built only when the metrics logger logs INFO.
"""

from __future__ import annotations

import atexit
import logging
import re
import threading
import time
from functools import lru_cache
from urllib.parse import urlsplit

from singer_sdk import metrics

_ID_SEGMENT = re.compile(r"^(?:\d+|[0-9a-fA-F-]{16,}|[A-Za-z0-9_=-]{24,})$")


def endpoint_of(url: str) -> str:
    """The URL's path, ids as `{id}`: `/v2/campaign/12/dispatch` -> `/v2/campaign/{id}/dispatch`."""
    return _endpoint_of_path(urlsplit(url).path)


@lru_cache(maxsize=1024)
def _endpoint_of_path(path: str) -> str:
    return "/".join("{id}" if _ID_SEGMENT.match(part) else part for part in path.split("/"))


class RequestMetrics:
    """Logs each response's duration and counts requests per endpoint, as SDK streams do."""

    def __init__(self, *, log_interval: float = metrics.DEFAULT_LOG_INTERVAL) -> None:
        self.logger = metrics.get_metrics_logger()
        self.log_interval = log_interval
        self._counts: dict[str, int] = {}
        self._lock = threading.Lock()
        self._last_log = time.monotonic()
        atexit.register(self.flush)

    def observe(self, method: str, url: str, status: int, seconds: float) -> None:
        """One response: its duration point now; its count with the next counter points."""
        if not self.logger.isEnabledFor(logging.INFO):
            return
        endpoint = endpoint_of(url)
        metrics.log(
            self.logger,
            metrics.Point(
                "timer",
                metrics.Metric.HTTP_REQUEST_DURATION,
                round(seconds, 6),
                {
                    metrics.Tag.ENDPOINT: endpoint,
                    metrics.Tag.HTTP_STATUS_CODE: status,
                    metrics.Tag.STATUS: (
                        metrics.Status.SUCCEEDED if status < 400 else metrics.Status.FAILED
                    ),
                    "http_method": method,
                },
            ),
        )
        with self._lock:
            self._counts[endpoint] = self._counts.get(endpoint, 0) + 1
            due = time.monotonic() - self._last_log > self.log_interval
        if due:
            self.flush()

    def flush(self) -> None:
        """Log the requests counted since the last flush, one counter point per endpoint."""
        with self._lock:
            counts, self._counts = self._counts, {}
            self._last_log = time.monotonic()
        for endpoint, count in sorted(counts.items()):
            metrics.log(
                self.logger,
                metrics.Point(
                    "counter",
                    metrics.Metric.HTTP_REQUEST_COUNT,
                    count,
                    {metrics.Tag.ENDPOINT: endpoint},
                ),
            )
