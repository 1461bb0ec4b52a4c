"""The Tracksale API v2, as the streams call it: bearer-token auth and clear failures."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlsplit

import msgspec
import requests
from connector_kit.api_client import client_from_config, require_secure_url, response_message
from connector_kit.paging import Pager

TOKEN_PAGE = "Apps > API V2 > New token"


class TracksaleApi:
    """GET calls to Tracksale with the run's one session, timeout and retry policy."""

    def __init__(self, config: Mapping[str, Any]) -> None:
        self.base_url = str(config.get("api_url") or "https://api.tracksale.co/v2").rstrip("/")
        require_secure_url(
            self.base_url,
            setting="api_url",
            allow_insecure_http=bool(config.get("allow_insecure_http")),
        )
        self.client = client_from_config(config, user_agent="tap-tracksale")
        self._headers = {"Authorization": f"bearer {config['api_token']}"}
        self.pager = Pager(max_concurrency=self.client.max_in_flight, where="Tracksale response")

    def close(self) -> None:
        self.pager.close()
        self.client.close()

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
