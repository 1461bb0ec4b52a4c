"""The Tracksale API v2 write calls (and the two reads they need), over the shared ApiClient.

One session per run, bodies encoded once with msgspec, `Authorization: bearer TOKEN` on every
call, the project's retry policy (429 with `Retry-After`, 5xx, timeouts, dropped connections)
and its bound on requests in flight. A refusal that concerns one record (a note with no
matching answer) is raised as `RecordRefusedError`, so the record goes to the rejects file; any
other refusal stops the run with a message naming what to fix.

Every request, retries included, is spent from the process's request budget for this token
(`max_requests_per_window` in `rate_window_seconds`), so that Tracksale's security lock (HTTP
405 and a CAPTCHA past 1000 requests in five minutes) is never tripped. A 405 is never
retried: it raises `ApiLockedError`, and no thread sends another request.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import msgspec
import requests
from connector_kit.api_client import client_from_config, require_secure_url, response_message
from connector_kit.errors import ApiLockedError, ConnectorError, HttpError
from connector_kit.records import to_bool
from connector_kit.request_budget import budget_from_config
from connector_kit.tracksale_lock import LOCK_STATUS, tracksale_lock_message

from target_tracksale.campaigns import Campaign, parse_campaigns

DEFAULT_API_URL = "https://api.tracksale.co/v2"
TOKEN_PAGE = "Tracksale > Apps > API V2 > NEW TOKEN"
_encoder = msgspec.json.Encoder()

logger = logging.getLogger("target_tracksale.client")


class RecordRefusedError(Exception):
    """Tracksale refused a request about one record (HTTP 400, 404 or 422)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class TracksaleLockedError(ApiLockedError):
    """Tracksale's security lock stopped a request (a 405, or the budget tripped by one).

    `maybe_delivered` is True when earlier attempts of the same request went out and failed
    without an answer that says they were not acted on (a 5xx, a dropped connection): the
    request may then have reached Tracksale.
    """

    def __init__(self, error: ApiLockedError, *, maybe_delivered: bool) -> None:
        super().__init__(str(error), error.status, error.api_message)
        self.maybe_delivered = maybe_delivered


@dataclass(frozen=True)
class Reply:
    """A decoded 2xx answer, and how many attempts it took (more than one: a retry)."""

    body: Any
    attempts: int


class TracksaleWriteClient:
    """Tracksale's API at `api_url`, authenticated with `api_token`."""

    def __init__(self, config: Mapping[str, Any]) -> None:
        self.base_url = str(config.get("api_url") or DEFAULT_API_URL).rstrip("/")
        require_secure_url(
            self.base_url,
            setting="api_url",
            allow_insecure_http=bool(config.get("allow_insecure_http")),
        )
        self._authorization = f"bearer {config['api_token']}"
        self.budget = budget_from_config(
            config, base_url=self.base_url, credential=str(config["api_token"]), name="Tracksale"
        )
        self.client = client_from_config(
            config,
            user_agent="target-tracksale",
            request_budget=self.budget,
            lock_status=LOCK_STATUS,
        )

    @property
    def max_concurrency(self) -> int:
        return self.client.max_concurrency

    def close(self) -> None:
        self.client.close()

    def _headers(self) -> dict[str, str]:
        return {"Authorization": self._authorization}

    def campaigns(self) -> dict[int, Campaign]:
        """Every campaign of the account, by code (`GET /campaign`)."""
        body = self.client.get_json(
            f"{self.base_url}/campaign",
            headers=self._headers(),
            describe_failure=self.describe_failure,
        )
        return parse_campaigns(body)

    def post(
        self,
        path: str,
        body: Mapping[str, Any] | Callable[[], Mapping[str, Any]],
        *,
        params: Mapping[str, Any] | None = None,
        record_level: bool = False,
    ) -> Reply:
        """POST `body` as JSON; with `record_level`, a 400/404/422 raises `RecordRefusedError`.

        A callable `body` is called for each attempt (a dispatch's send time is computed then).
        """
        attempts = 0
        encoded: bytes | Callable[[], bytes] = (
            (lambda: _encoder.encode(body())) if callable(body) else _encoder.encode(body)
        )

        def headers() -> dict[str, str]:
            nonlocal attempts
            attempts += 1
            return self._headers()

        try:
            response = self.client.request(
                "POST",
                f"{self.base_url}{path}",
                params=params,
                body=encoded,
                headers=headers,
                describe_failure=self.describe_failure,
            )
        except ApiLockedError as error:
            raise TracksaleLockedError(error, maybe_delivered=attempts > 1) from None
        except HttpError as error:
            if record_level and error.status in {400, 404, 422}:
                raise RecordRefusedError(error.status, error.api_message) from None
            raise
        return Reply(_decode(response, path), attempts)

    def can_impact(self, campaign_code: int, customer: Mapping[str, str]) -> bool:
        """The 90-day rule: whether this campaign may survey the customer now."""
        path = f"/campaign/{campaign_code}/can-impact"
        return can_impact_flag(self.post(path, customer).body, path)

    def describe_failure(self, response: requests.Response) -> str:
        """What a refused call means and which setting or field to fix."""
        status, message = response.status_code, response_message(response)
        path = urlsplit(response.request.url or "").path
        if status == LOCK_STATUS:
            return self.describe_lock(path, message)
        if status == 401:
            return (
                f"Tracksale refused the API token (HTTP 401 on {path}: {message}). Check "
                f"`api_token`; a new token is made in {TOKEN_PAGE}."
            )
        if status == 403:
            return (
                f"Tracksale denied {path} to this token (HTTP 403: {message}). The token's "
                f"user needs access to the campaign; check `api_token` ({TOKEN_PAGE})."
            )
        if status == 404 and "/campaign/" in path:
            return (
                f"Tracksale has no {path} (HTTP 404: {message}). Check the campaign_code in "
                "`stream_actions` (or the records' own campaign_code) and `api_url`."
            )
        if status == 404:
            return f"Tracksale has no {path} (HTTP 404: {message}). Check `api_url`."
        return f"Tracksale refused POST {path} with HTTP {status}: {message}"

    def describe_lock(self, path: str, message: str) -> str:
        """What Tracksale's security lock means for this run, and how to go on."""
        return tracksale_lock_message(
            self.budget,
            path=path,
            message=message,
            base_url=self.base_url,
            after="The run stopped at once: every request Tracksale answered is settled in the "
            "ledger, the STATE emitted covers only settled records, and the requests refused "
            "or not sent are known unsent, so the next run sends each of them once.",
        )


def can_impact_flag(body: Any, path: str) -> bool:
    """`can_impact` of a can-impact answer: true/false, 1/0 or their texts; else an error."""
    flag = to_bool(body.get("can_impact")) if isinstance(body, dict) else None
    if flag is None:
        seen = f"keys {sorted(body)}" if isinstance(body, dict) else type(body).__name__
        msg = (
            f"Tracksale answered POST {path} without a can_impact flag it could read (it "
            f"answered {seen}); set `check_can_impact` to false to dispatch without asking."
        )
        raise ConnectorError(msg)
    return flag


def _decode(response: requests.Response, path: str) -> Any:
    if not response.content:
        return {}
    try:
        return msgspec.json.decode(response.content)
    except msgspec.DecodeError:
        logger.warning("Tracksale answered %s with a body that is not JSON; taken as empty", path)
        return {}
