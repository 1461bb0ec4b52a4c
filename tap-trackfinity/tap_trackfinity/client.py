"""The Trackfinity admin API (header auth, ping, clear failures), and the base stream."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from functools import partial
from typing import Any, ClassVar
from urllib.parse import unquote, urlencode, urlsplit

import requests
from connector_kit.api_client import client_from_config, require_secure_url, response_message
from connector_kit.errors import ConnectorError, HttpError
from connector_kit.fetch_pool import FetchPool
from connector_kit.paging import Pager
from connector_kit.streams import TolerantStream

PING_ENDPOINTS = ("service/ping", "ping")
"""The documented ping, then the one the vendor's own examples call."""
ALLOW_LIST = "ADMIN_API_ALLOWED_IPS (Trackfinity Settings, Security)"

logger = logging.getLogger("tap_trackfinity.client")


class TrackfinityClient:
    """GET calls to one Trackfinity install, with the run's one session and retry policy."""

    def __init__(self, config: Mapping[str, Any]) -> None:
        api_url = str(config["api_url"]).rstrip("/")
        require_secure_url(
            api_url, setting="api_url", allow_insecure_http=bool(config.get("allow_insecure_http"))
        )
        self.base_url = api_url if api_url.endswith("/api") else f"{api_url}/api"
        self.username = str(config["api_username"])
        self._headers = {"api-username": self.username, "api-key": str(config["api_key"])}
        self.client = client_from_config(config, user_agent="tap-trackfinity")
        self.pool = FetchPool(self.client.max_concurrency)
        """The run's fetching threads: pages, and reports asked for many at once."""
        self.pager = Pager(pool=self.pool, where="Trackfinity response")

    def get(
        self,
        endpoint: str,
        params: Mapping[str, Any] | None = None,
        *,
        params_setting: str | None = None,
    ) -> Any:
        """One call to `{api_url}/api/{endpoint}`, its JSON body decoded.

        `params_setting` names the setting the extra parameters came from, for error messages.
        """
        return self.client.get_json(
            f"{self.base_url}/{endpoint}",
            params=params,
            headers=self._headers,
            describe_failure=partial(self.describe_failure, params_setting=params_setting),
        )

    def ping(self) -> str:
        """Call the ping endpoint, or the one the vendor's examples use when it is missing.

        Returns the path that answered `true`.
        """
        for endpoint in PING_ENDPOINTS[:-1]:
            try:
                return self._ping(endpoint)
            except HttpError as error:
                if error.status != 404:
                    raise
                logger.info(
                    "GET %s/%s answered 404; trying the next ping endpoint",
                    urlsplit(self.base_url).path,
                    endpoint,
                )
        return self._ping(PING_ENDPOINTS[-1])

    def _ping(self, endpoint: str) -> str:
        body = self.client.get_json(
            f"{self.base_url}/{endpoint}",
            headers=self._headers,
            describe_failure=self.describe_failure,
        )
        path = f"{urlsplit(self.base_url).path}/{endpoint}"
        if body is not True:
            msg = (
                f"GET {path} answered {body!r}, not true: check that `api_url` is the "
                "Trackfinity install's base URL."
            )
            raise ConnectorError(msg)
        return path

    def describe_failure(
        self, response: requests.Response, params_setting: str | None = None
    ) -> str:
        """What a failed call means, and which setting to fix."""
        status, message = response.status_code, response_message(response)
        parts = urlsplit(response.request.url or "")
        where = f"{parts.path}?{unquote(parts.query)}" if parts.query else parts.path
        extra = f"; extra parameters come from `{params_setting}`" if params_setting else ""
        if status in (401, 403):
            return (
                f"Trackfinity refused GET {parts.path} (HTTP {status}: {message}). Check "
                "`api_username` and `api_key` (the API key of a full admin account), and that "
                f"this machine's IP address is in {ALLOW_LIST}."
            )
        if status == 404:
            return (
                f"Trackfinity answered HTTP 404 to GET {where}: {message}. A 404 means an "
                "unknown endpoint or an invalid parameter: check `api_url` (the install's base "
                f"URL; the tap calls {{api_url}}/api/...) and the parameters sent{extra}."
            )
        if status == 405:
            return (
                f"Trackfinity answered HTTP 405 (method not allowed) to GET {where}: {message}. "
                "The tap only reads, with GET: check that `api_url` is the Trackfinity install's "
                "base URL."
            )
        if status == 400:
            return (
                f"Trackfinity rejected GET {where} (HTTP 400: {message}). The dates come from "
                f"`start_date`, `end_date` and `window_days`, the page size from `page_size`"
                f"{extra}."
                if params_setting != "payout_preview_hashes"
                else f"Trackfinity rejected GET {where} (HTTP 400: {message}). The query comes "
                "from `payout_preview_hashes`."
            )
        return f"Trackfinity answered GET {where} with HTTP {status}: {message}"


class TrackfinityStream(TolerantStream):
    """A Trackfinity stream: one endpoint, read through the run's shared API client."""

    endpoint: ClassVar[str]
    params_setting: ClassVar[str | None] = None

    @property
    def api(self) -> TrackfinityClient:
        """The tap's client, shared by its streams."""
        client: TrackfinityClient = self.tap.api
        return client

    @property
    def where(self) -> str:
        """The endpoint, as error messages name it."""
        return f"Trackfinity GET /api/{self.endpoint}"

    def get(self, params: Mapping[str, Any]) -> Any:
        """One call to the stream's endpoint, its JSON body decoded."""
        return self.api.get(self.endpoint, params, params_setting=self.params_setting)

    def log_passed(self, params: Mapping[str, Any]) -> Mapping[str, Any]:
        """Say which parameters of `params_setting` go to the endpoint; return them."""
        if params:
            self.logger.info(
                "%s: passing %s (`%s`)",
                self.name,
                unquote(urlencode(params, doseq=True)),
                self.params_setting,
            )
        return params
