"""The Impact CRM report API, and the base stream every report stream is built on."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any, ClassVar
from urllib.parse import urlsplit

import msgspec
import requests
from connector_kit.api_client import client_from_config, require_secure_url, response_message
from connector_kit.errors import ConnectorError
from connector_kit.fetch_pool import FetchPool
from connector_kit.paging import PageIgnoredError, Pager, peek_page
from connector_kit.streams import WindowedStream
from connector_kit.windows import DateWindow

from tap_impact_crm.auth import (
    REFUSED_FRESH_TOKENS,
    USERS_PAGE,
    ImpactCrmSession,
    api_key_refused,
)
from tap_impact_crm.large_pages import LargePageReader, WindowQuery, logger

FAMILY_PERMISSIONS = {
    "trackbox": "Trackbox Reports",
    "ib": "IB Reports",
    "cellxpert": "Cellxpert Reports",
}
_MISSING_PERMISSION = re.compile(r"missing permission:?\s*(.+)", re.IGNORECASE)


class ImpactCrmClient:
    """The report calls of one family, over one logged-in session shared by all streams."""

    def __init__(self, config: Mapping[str, Any]) -> None:
        api_url = str(config["api_url"]).rstrip("/")
        require_secure_url(
            api_url, setting="api_url", allow_insecure_http=bool(config.get("allow_insecure_http"))
        )
        self.family = str(config.get("report_family") or "trackbox")
        if self.family not in FAMILY_PERMISSIONS:
            families = ", ".join(FAMILY_PERMISSIONS)
            msg = f"`report_family` must be one of {families}, got {self.family!r}."
            raise ConnectorError(msg)
        self.reports_url = f"{api_url}/api/v1/{self.family}"
        self.page_size = int(config.get("page_size") or 1000)
        max_page_size = config.get("max_page_size")
        max_page_size = 10_000 if max_page_size is None else int(max_page_size)
        if max_page_size < 1:
            msg = f"`max_page_size` must be at least 1, got {max_page_size}."
            raise ConnectorError(msg)
        self.max_page_size = max(max_page_size, self.page_size)
        """The pageSize of one large page; never below `page_size`, which already asks that much."""
        self.client = client_from_config(config, user_agent="tap-impact-crm")
        self.session = ImpactCrmSession(
            self.client,
            api_url=api_url,
            x_domain=str(config["x_domain"]),
            api_key=str(config["api_key"]),
            email=str(config["email"]),
            password=str(config["password"]),
        )
        self.pool = FetchPool(self.client.max_concurrency)
        """The run's fetching threads: pages, and reports asked for many at once."""
        self.pager = Pager(pool=self.pool, where="Impact CRM response")
        self.large_pages = LargePageReader(self.get, max_page_size=self.max_page_size)
        self.ignores_page: set[str] = set()
        """Endpoints seen to answer page 1 to every page: read as one large page a window."""

    def get(
        self,
        endpoint: str,
        params: Mapping[str, Any] | None = None,
        *,
        decode: Callable[[bytes], Any] = msgspec.json.decode,
    ) -> Any:
        """One report call, with the session's newest token (see `ImpactCrmSession`)."""
        used: dict[str, str] = {}

        def headers() -> dict[str, str]:
            values = self.session.headers()
            used["token"] = values["X-Auth-Token"]
            return values

        body = self.client.get_json(
            f"{self.reports_url}/{endpoint}",
            params=params,
            headers=headers,
            on_unauthorized=lambda: self.session.renew(used["token"]),
            describe_failure=self.describe_failure,
            decode=decode,
        )
        self.session.served(used["token"])
        return body

    def window_batches(
        self, endpoint: str, window: DateWindow, query: WindowQuery, *, backfill: bool = False
    ) -> Iterator[list[dict[str, Any]]]:
        """The records of one date window: page by page, or as one large page.

        Once the endpoint is seen to ignore `page`, its windows are read as one large page each,
        or as smaller windows (see `large_pages`).
        """
        if endpoint not in self.ignores_page:
            try:
                yield from self.pages(endpoint, query(window), backfill=backfill)
                return
            except PageIgnoredError as error:
                # Raised before any record of the window was handed on.
                self.ignores_page.add(endpoint)
                logger.warning(
                    "Impact CRM %s ignores `page` (%s). From %s on, each window is asked for "
                    "as one page of up to `max_page_size` (%d) records, as the API documents.",
                    endpoint,
                    "no total given"
                    if error.total is None
                    else f"page 2 repeated page 1, total {error.total}",
                    window,
                    self.max_page_size,
                )
        yield from self.large_pages.batches(endpoint, window, query)

    def pages(
        self, endpoint: str, params: Mapping[str, Any], *, backfill: bool = False
    ) -> Iterator[list[dict[str, Any]]]:
        """Every page of one filtered report, `max_concurrency` pages in flight.

        A `backfill` (no bookmark yet) asks for its first pages all at once, expecting many.
        """

        def fetch(page: int) -> Any:
            query = {**params, "page": page, "pageSize": self.page_size}
            return self.get(endpoint, query, decode=peek_page)

        expect = self.pager.max_concurrency if backfill else 1
        return self.pager.pages(
            fetch,
            page_size=self.page_size,
            key=endpoint,
            expect_pages=expect,
            where=f"Impact CRM {endpoint} response",
        )

    def describe_failure(self, response: requests.Response) -> str:
        """What a failed report call means, and which setting or permission to fix."""
        status, message = response.status_code, response_message(response)
        path = urlsplit(response.request.url or "").path
        permission = _MISSING_PERMISSION.search(message)
        if status == 403 and permission:
            name = permission.group(1).strip().rstrip(".")
            return (
                f"The Impact CRM role of {self.session.email} lacks the '{name}' permission "
                f"that report_family={self.family} needs (HTTP 403 on {path}). Tick '{name}' on "
                f"the user's role in {USERS_PAGE} > Roles, or set `report_family` to a family "
                "the role has."
            )
        if status == 403:
            return api_key_refused(message)
        if status == 401:
            return (
                f"Impact CRM refused {REFUSED_FRESH_TOKENS} fresh session tokens in a row on "
                f"{path}, each before it served any request (HTTP 401: {message}). The login "
                f"works but report calls are refused: check the user is active in {USERS_PAGE} "
                "> Users, and that the API key has not expired (Api Keys)."
            )
        if status == 400:
            query = urlsplit(response.request.url or "").query
            return (
                f"Impact CRM rejected {path}?{query} (HTTP 400: {message}). The dates come from "
                "`start_date`, `end_date` and `window_days`; the page size from `page_size` "
                "(or `max_page_size`, where the CRM ignores `page`); "
                "`affId` from `aff_id`; `serverTag` from the servers report or `server_tags`."
            )
        if status == 404:
            return (
                f"Impact CRM has no {path} (HTTP 404): check `api_url` (the CRM's base URL, "
                f"without /api/v1) and `report_family` ({self.family})."
            )
        return f"Impact CRM answered {path} with HTTP {status}: {message}"


class ImpactCrmStream(WindowedStream):
    """A report read through its date filter, window by window, page by page.

    Subclasses name the endpoint, the date filter and the optional filters each family takes.
    """

    endpoint: ClassVar[str]
    date_filter: ClassVar[str]
    family_settings: ClassVar[dict[str, dict[str, str]]] = {}
    """Per family, query parameter -> setting that fills it (when set)."""

    @property
    def api(self) -> ImpactCrmClient:
        """The tap's client, shared by its streams."""
        client: ImpactCrmClient = self.tap.api
        return client

    def filters(self, context: Mapping[str, Any] | None) -> dict[str, Any]:
        """Query parameters besides the date window and paging."""
        params: dict[str, Any] = {}
        for param, setting in self.family_settings.get(self.api.family, {}).items():
            value = self.config.get(setting)
            if value not in (None, ""):
                params[param] = str(value).lower() if isinstance(value, bool) else value
        return params

    def records_in_window(
        self, window: DateWindow, context: Mapping[str, Any] | None
    ) -> Iterable[dict[str, Any]]:
        for page in self.batches_in_window(window, context):
            yield from page

    def batches_in_window(
        self, window: DateWindow, context: Mapping[str, Any] | None
    ) -> Iterable[list[dict[str, Any]]]:
        """The API's pages of `window`, as they come."""
        filters = self.filters(context)

        def query(part: DateWindow) -> dict[str, Any]:
            return {
                f"{self.date_filter}From": part.start.isoformat(),
                f"{self.date_filter}To": part.end.isoformat(),
                **filters,
            }

        backfill = self.bookmark(context) is None
        return self.api.window_batches(self.endpoint, window, query, backfill=backfill)
