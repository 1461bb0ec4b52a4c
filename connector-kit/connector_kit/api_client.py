"""One HTTP client for every plugin: timeouts, retries with backoff, `Retry-After`, re-login.

Retries cover 429, 5xx, timeouts and dropped connections, with exponential backoff and jitter,
and wait exactly what the server asks for when it sends `Retry-After`. A 401 calls the
plugin's re-authentication hook, retrying while it agrees. Any other 4xx fails at once with the
plugin's own description of what to fix. The number of requests in flight at once is bounded
by an adaptive limit (`concurrency.AdaptiveLimit`): never above `max_concurrency`, halved when
the API refuses a request as too many, and grown back as requests succeed.

An API that locks an account after too many requests (Tracksale) gives the client a
`request_budget` (`request_budget.RequestBudget`), spent before every attempt, and its
`lock_status`: that answer is never retried; it trips the budget, so that no thread sends
another request, and fails with `ApiLockedError`.
"""

from __future__ import annotations

import email.utils
import ipaddress
import logging
import os
import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, NoReturn
from urllib.parse import urlsplit

import msgspec
import requests
from requests.adapters import HTTPAdapter
from requests.utils import get_environ_proxies

from connector_kit.concurrency import AdaptiveLimit, Slot
from connector_kit.errors import (
    ApiLockedError,
    HttpError,
    InsecureUrlError,
    RetriesExhaustedError,
)
from connector_kit.redaction import redactor
from connector_kit.request_budget import RequestBudget
from connector_kit.request_metrics import RequestMetrics

RETRIABLE_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504})
TRANSPORT_ERRORS = (
    requests.ConnectionError,
    requests.Timeout,
    requests.exceptions.ChunkedEncodingError,
)

logger = logging.getLogger("connector_kit.api_client")


def is_refusal(status: int, retry_after: float | None) -> bool:
    """True when the API refused a request as too many: a 429, or a 503 with `Retry-After`."""
    return status == 429 or (status == 503 and retry_after is not None)


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how long to wait before trying a failed request again."""

    max_attempts: int = 8
    base_delay: float = 0.5
    max_delay: float = 60.0
    max_retry_after: float = 600.0

    def delay(self, attempt: int, retry_after: float | None) -> float:
        """Seconds to wait before attempt `attempt + 1` (attempts count from 1)."""
        if retry_after is not None:
            return float(min(max(retry_after, 0.0), self.max_retry_after))
        ceiling = min(self.max_delay, self.base_delay * 2.0 ** (attempt - 1))
        return ceiling / 2 + random.uniform(0, ceiling / 2)


def retry_after_seconds(response: requests.Response) -> float | None:
    """The server's `Retry-After`, in seconds, whether given as a number or an HTTP date."""
    value = response.headers.get("Retry-After")
    if not value:
        return None
    try:
        return max(float(value), 0.0)
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(when.timestamp() - time.time(), 0.0)


def is_loopback(host: str) -> bool:
    """True for `localhost` and loopback addresses (127.0.0.0/8, ::1)."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def require_secure_url(url: str, *, setting: str, allow_insecure_http: bool = False) -> None:
    """Refuse plain HTTP to any host but loopback, unless the user opted in explicitly."""
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        msg = f"`{setting}` must be an http(s) URL with a host, got {url!r}."
        raise InsecureUrlError(msg)
    if parts.scheme == "http" and not is_loopback(parts.hostname):
        if not allow_insecure_http:
            msg = (
                f"`{setting}` uses plain HTTP to {parts.hostname}: credentials would cross the "
                "network unencrypted. Use https://, or set `allow_insecure_http` to true."
            )
            raise InsecureUrlError(msg)
        logger.warning(
            "`%s` uses plain HTTP to %s (allow_insecure_http is true): credentials cross the "
            "network unencrypted.",
            setting,
            parts.hostname,
        )


def response_message(response: requests.Response) -> str:
    """The API's own error text: `message`/`error` from a JSON body, else the body's start."""
    try:
        body = msgspec.json.decode(response.content)
    except msgspec.DecodeError:
        return response.text[:300].strip()
    if isinstance(body, dict):
        for key in ("message", "error", "error_description", "detail", "msg"):
            message = body.get(key)
            if isinstance(message, str):
                return message
    return str(body)[:300]


def describe_response(response: requests.Response) -> str:
    """A default description of a failed call: method, path, status and the API's message."""
    request = response.request
    path = urlsplit(request.url or "").path
    message = response_message(response)
    return f"{request.method} {path} failed with HTTP {response.status_code}: {message}"


def transport_failure(method: str, url: str, error: Exception) -> str:
    """A failed connection, with the host to check (URLs here carry no credentials)."""
    parts = urlsplit(url)
    where = f"{parts.scheme}://{parts.netloc}{parts.path}"
    if isinstance(error, requests.Timeout):
        return f"{method} {where}: no answer in time ({type(error).__name__})"
    if isinstance(error, requests.ConnectionError) and "Connection refused" in str(error):
        return f"{method} {where}: connection refused (is the URL right and the API up?)"
    return f"{method} {where}: {type(error).__name__}"


Describer = Callable[[requests.Response], str]


def client_from_config(
    config: Mapping[str, Any],
    *,
    user_agent: str,
    request_budget: RequestBudget | None = None,
    lock_status: int | None = None,
) -> ApiClient:
    """An `ApiClient` set up from the shared HTTP settings of `settings.http_settings`."""
    retries = config.get("max_retries")
    return ApiClient(
        timeout=float(config.get("request_timeout") or 60),
        retry=RetryPolicy(max_attempts=1 + int(8 if retries is None else retries)),
        max_concurrency=int(config.get("max_concurrency") or 8),
        user_agent=user_agent,
        request_budget=request_budget,
        lock_status=lock_status,
    )


@dataclass
class ApiClient:
    """A `requests` session with this project's timeout, retry and concurrency rules."""

    timeout: float = 60.0
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    max_concurrency: int = 8
    user_agent: str = "connector-kit"
    describe_failure: Describer = describe_response
    request_budget: RequestBudget | None = None
    """Spent before every attempt, when the API locks accounts that send too many requests."""
    lock_status: int | None = None
    """The status of the API's lock answer: never retried, it stops every thread's requests."""

    def __post_init__(self) -> None:
        self.session = requests.Session()
        adapter = HTTPAdapter(pool_connections=4, pool_maxsize=max(self.max_concurrency, 1))
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)
        self.session.headers["User-Agent"] = self.user_agent
        # The environment's proxies and CA bundle are read once per host, not on every request
        # (which costs a millisecond of CPU each time).
        self.session.trust_env = False
        self.session.verify = (
            os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE") or True
        )
        self._proxies: dict[str, dict[str, str]] = {}
        self.concurrency = AdaptiveLimit(self.max_concurrency)
        self.request_count = 0
        self.retry_count = 0
        self.metrics = RequestMetrics()

    @property
    def limit_decreases(self) -> int:
        """How often the API's refusals lowered the concurrency, for the run's summary."""
        return self.concurrency.decreases

    def close(self) -> None:
        self.session.close()

    def request(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        body: bytes | Callable[[], bytes] | None = None,
        headers: Callable[[], Mapping[str, str]] | Mapping[str, str] | None = None,
        on_unauthorized: Callable[[], bool] | None = None,
        describe_failure: Describer | None = None,
    ) -> requests.Response:
        """Send a request, retrying what is worth retrying; return the 2xx response.

        `body` is a JSON document already encoded (sent as it is), or a callable giving it
        for each attempt (a body that holds the time it is sent); `json` one to encode.
        `headers` may be a callable so that a retry after re-authentication carries the new
        token. `on_unauthorized` is called on every 401; while it returns True the request is
        retried. Fails with `ConnectorError` (a user's fix) or `RetriesExhaustedError`.
        """
        describe = describe_failure or self.describe_failure
        attempt = 0
        while True:
            attempt += 1
            request_headers = dict(headers() if callable(headers) else headers or {})
            data = body() if callable(body) else body
            if data is not None:
                request_headers["Content-Type"] = "application/json"
            failure: str
            delay: float
            try:
                response, slot = self._send(
                    method, url, params=params, json=json, data=data, headers=request_headers
                )
            except TRANSPORT_ERRORS as exc:
                failure = transport_failure(method, url, exc)
                delay = self.retry.delay(attempt, None)
            else:
                status = response.status_code
                delay = self._settle(slot, attempt, status, retry_after_seconds(response))
                if status < 400:
                    return response
                if status == 401 and on_unauthorized is not None and on_unauthorized():
                    attempt -= 1
                    continue
                if status not in RETRIABLE_STATUSES:
                    self._refused_for_good(describe, response)
                failure = describe_response(response)
            if attempt >= self.retry.max_attempts:
                msg = (
                    f"Gave up after {attempt} attempts: {redactor.redact(failure)}. The API "
                    "kept failing; try again later, or lower the request rate."
                )
                raise RetriesExhaustedError(msg)
            self.retry_count += 1
            logger.warning(
                "%s; retrying in %.1fs (attempt %d of %d)",
                redactor.redact(failure),
                delay,
                attempt + 1,
                self.retry.max_attempts,
            )
            time.sleep(delay)

    def _refused_for_good(self, describe: Describer, response: requests.Response) -> NoReturn:
        """Fail with what to fix; the API's lock also stops every thread's requests."""
        message = redactor.redact(describe(response))
        status = response.status_code
        if status == self.lock_status:
            if self.request_budget is not None:
                self.request_budget.trip(message, status)
            logger.error("%s", message)
            raise ApiLockedError(message, status, response_message(response))
        raise HttpError(message, status, response_message(response))

    def _send(self, method: str, url: str, **kwargs: Any) -> tuple[requests.Response, Slot]:
        """Send one attempt once the concurrency limit (and the budget) let it go.

        The caller settles the slot. The budget is spent with the slot held, just before the
        request goes out, so that the times it counts are those of the requests sent.
        """
        slot = self.concurrency.acquire()
        try:
            if self.request_budget is not None:
                self.request_budget.spend()
            self.request_count += 1
            started = time.monotonic()
            response = self.session.request(
                method, url, timeout=self.timeout, proxies=self._proxies_for(url), **kwargs
            )
        except BaseException:
            self.concurrency.release(slot)
            raise
        elapsed = time.monotonic() - started
        self.metrics.observe(method, url, response.status_code, elapsed)
        logger.debug(
            "%s %s -> %s in %.3fs", method, urlsplit(url).path, response.status_code, elapsed
        )
        return response, slot

    def _proxies_for(self, url: str) -> dict[str, str]:
        """The proxies the environment sets for `url`'s host (`NO_PROXY` honoured)."""
        host = urlsplit(url).netloc
        proxies = self._proxies.get(host)
        if proxies is None:
            proxies = self._proxies[host] = get_environ_proxies(url)
        return proxies

    def _settle(self, slot: Slot, attempt: int, status: int, retry_after: float | None) -> float:
        """Give the slot back, telling the limit how the API answered; return the retry delay.

        The delay is the seconds to wait before another attempt (0 after a success). A refusal
        lowers the limit and keeps it from growing for as long as the refused request waits, so
        that wait (with its jitter) is decided here.
        """
        if status < 400:
            self.concurrency.release(slot, succeeded=True)
            return 0.0
        delay = self.retry.delay(attempt, retry_after)
        if is_refusal(status, retry_after):
            self.concurrency.refused(slot, reason=f"HTTP {status}", backoff=delay)
        else:
            self.concurrency.release(slot)
        return delay

    def get_json(
        self, url: str, *, decode: Callable[[bytes], Any] = msgspec.json.decode, **kwargs: Any
    ) -> Any:
        """GET `url` and decode its JSON body; a body that is not JSON is retried like a 5xx.

        `decode` may read less than the whole document (see `paging.peek_page`), as long as it
        raises `msgspec.DecodeError` for a body that is not JSON.
        """
        for attempt in range(1, self.retry.max_attempts + 1):
            response = self.request("GET", url, **kwargs)
            try:
                return decode(response.content)
            except msgspec.DecodeError:
                if attempt == self.retry.max_attempts:
                    break
                logger.warning(
                    "GET %s returned a body that is not JSON; retrying", urlsplit(url).path
                )
                time.sleep(self.retry.delay(attempt, None))
        msg = f"GET {urlsplit(url).path} kept returning a body that is not JSON."
        raise RetriesExhaustedError(msg)
