"""The Tracksale API v2 as the streams call it, and the streams' base class.

`TracksaleReadClient`: bearer-token auth and clear failures. `TracksaleStream`: what every
stream shares (the client, zone-less times read in the account's zone, the end date).

Every request, retries included, is spent from the process's request budget for this token
(`max_requests_per_window` in `rate_window_seconds`), so that Tracksale's security lock (HTTP
405 and a CAPTCHA past 1000 requests in five minutes) is never tripped. If it is anyway (other
programs using the token), the 405 is never retried: no thread sends another request, and the
run stops with what to do. Windows not completed have moved no bookmark, so nothing is lost.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Mapping
from functools import cached_property
from typing import Any
from urllib.parse import urlsplit

import msgspec
import requests
from connector_kit.api_client import client_from_config, require_secure_url, response_message
from connector_kit.fetch_pool import FetchPool
from connector_kit.paging import Pager
from connector_kit.request_budget import budget_from_config
from connector_kit.streams import TolerantStream
from connector_kit.tracksale_lock import LOCK_STATUS, tracksale_lock_message
from connector_kit.windows import parse_date

from tap_tracksale.local_time import LocalTimes, last_day_to_read

TOKEN_PAGE = "Apps > API V2 > New token"


class TracksaleReadClient:
    """GET calls to Tracksale with the run's one session, timeout and retry policy."""

    def __init__(self, config: Mapping[str, Any]) -> None:
        self.base_url = str(config.get("api_url") or "https://api.tracksale.co/v2").rstrip("/")
        require_secure_url(
            self.base_url,
            setting="api_url",
            allow_insecure_http=bool(config.get("allow_insecure_http")),
        )
        self.budget = budget_from_config(
            config, base_url=self.base_url, credential=str(config["api_token"]), name="Tracksale"
        )
        self.client = client_from_config(
            config, user_agent="tap-tracksale", request_budget=self.budget, lock_status=LOCK_STATUS
        )
        self._headers = {"Authorization": f"bearer {config['api_token']}"}
        self.pool = FetchPool(self.client.max_concurrency)
        """The run's fetching threads: pages, and reports asked for many at once."""
        self.pager = Pager(pool=self.pool, where="Tracksale response")

    def get(
        self,
        path: str,
        params: Mapping[str, Any] | None = None,
        *,
        decode: Callable[[bytes], Any] = msgspec.json.decode,
    ) -> Any:
        """GET `path` and decode its JSON (with `decode`, which may read less than all of it)."""
        return self.client.get_json(
            f"{self.base_url}/{path.lstrip('/')}",
            params=params,
            headers=self._headers,
            describe_failure=self.describe_failure,
            decode=decode,
        )

    def describe_failure(self, response: requests.Response) -> str:
        """What a failed call means, and which setting to fix."""
        status, message = response.status_code, response_message(response)
        parts = urlsplit(response.request.url or "")
        where = f"{parts.path}?{parts.query}" if parts.query else parts.path
        if status == LOCK_STATUS:
            return self.describe_lock(parts.path, message)
        if status in (401, 403):
            return (
                f"Tracksale refused the token (HTTP {status} on {parts.path}: {message}). Check "
                f"`api_token`; an administrator creates one in Tracksale under {TOKEN_PAGE}."
            )
        if status == 404:
            return (
                f"Tracksale has no {where} (HTTP 404: {message}). Check `api_url` (default "
                "https://api.tracksale.co/v2), `campaign_codes` and `widget_keys`."
            )
        if status == 400:
            return (
                f"Tracksale rejected {where} (HTTP 400: {message}). The dates come from "
                "`start_date`, `end_date`, `window_days` and `lookback_days`; the campaigns "
                "from `campaign_codes`."
            )
        return f"Tracksale answered {where} with HTTP {status}: {message}"

    def describe_lock(self, path: str, message: str) -> str:
        """What Tracksale's security lock means for this run, and how to go on."""
        return tracksale_lock_message(
            self.budget,
            path=path,
            message=message,
            base_url=self.base_url,
            after="The run stopped at once: its STATE covers only windows read completely, "
            "and the next run resumes from its last STATE.",
        )

    def log_budget(self, logger: logging.Logger) -> None:
        """Log the requests this run spent and how long it waited for the budget."""
        figures = self.budget.figures()
        logger.info(
            "Tracksale request budget: %d requests sent (at most %d in %.0fs); waited %d "
            "time(s), %.1fs in all, longest %.1fs.",
            figures["budget_requests"],
            self.budget.max_requests,
            self.budget.window_seconds,
            figures["budget_waits"],
            figures["budget_waited_seconds"],
            figures["budget_longest_wait_seconds"],
        )


class TracksaleStream(TolerantStream):
    """A stream that reads through the tap's one `TracksaleReadClient`."""

    @property
    def api(self) -> TracksaleReadClient:
        return self.tap.api  # type: ignore[no-any-return]

    @property
    def local_times(self) -> LocalTimes:
        return self.tap.local_times  # type: ignore[no-any-return]

    @cached_property
    def time_fields(self) -> tuple[str, ...]:
        """The record's date-time fields, where a time without a zone may come."""
        return tuple(
            name
            for name, prop in self.schema.get("properties", {}).items()
            if prop.get("format") == "date-time"
        )

    @cached_property
    def _zone_less_times(self) -> tuple[tuple[str, ...], Callable[[object], object]]:
        """The date-time fields and the reader of zone-less times, looked up once."""
        return self.time_fields, self.local_times.to_utc

    def post_process(
        self, row: dict[str, Any], context: Mapping[str, Any] | None = None
    ) -> dict[str, Any] | None:
        fields, to_utc = self._zone_less_times
        get = row.get
        for name in fields:
            value = get(name)
            if type(value) is str:
                row[name] = to_utc(value)
        return super().post_process(row, context)

    def last_day(self) -> dt.date:
        """`end_date`, else today in `timezone` or in UTC, whichever is later."""
        end = self.config.get("end_date")
        if end:
            return parse_date(end, setting="end_date")
        return last_day_to_read(self.local_times.zone)

    def codes_filter(self) -> dict[str, str]:
        """`codes` for the configured campaigns; nothing (all campaigns) when none are set."""
        codes = self.config.get("campaign_codes")
        return {"codes": ",".join(str(c) for c in codes)} if codes else {}
