"""The Impact CRM reports API over HTTP: login, the five report endpoints, test controls.

Served under `/impact-crm/api/v1`: `POST /auth/login` and `GET /{family}/{endpoint}` for the
families trackbox, ib and cellxpert. Checks run in the order a client would want them named:
unknown path (404), wrong method (405), API key (403), token (401), permission (403), query
parameters (400).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

import msgspec

from api_sandbox.exchange import ApiRequest, ApiResponse, error_response, json_response
from api_sandbox.impact_crm.auth import CREDENTIALS, FAMILIES, Authenticator, AuthError, Credentials
from api_sandbox.impact_crm.dataset import (
    DEFAULT_DATA_END,
    DEFAULT_DATA_START,
    STREAMS,
    ImpactCrmDataset,
)
from api_sandbox.impact_crm.queries import FilterError, parse_criteria, parse_paging
from api_sandbox.impact_crm.servers import servers_body
from api_sandbox.quirks import PAGE_IGNORED, Envelope

API_ROOT = "/api/v1/"
LOGIN_ROUTE = "auth/login"
ENDPOINTS = (*STREAMS, "servers")


class _Login(msgspec.Struct):
    """The login body; unknown fields are ignored."""

    email: str
    password: str
    rememberMe: bool = True  # noqa: N815 - the API's own field name


class ImpactCrmEmulator:
    """The emulated Impact CRM, and the handle tests use to read and change its data."""

    name = "impact-crm"
    prefix = "/impact-crm"

    def __init__(
        self,
        *,
        seed: int = 1,
        scale: int = 200,
        token_ttl: float = 3600,
        token_ttl_requests: int | None = None,
        quirks: frozenset[str] = frozenset(),
        data_start: date = DEFAULT_DATA_START,
        data_end: date = DEFAULT_DATA_END,
        weeks_later: int = 0,
    ) -> None:
        self.dataset = ImpactCrmDataset(
            seed=seed,
            scale=scale,
            data_start=data_start,
            data_end=data_end,
            quirks=quirks,
            weeks_later=weeks_later,
        )
        self.auth = Authenticator(token_ttl, token_ttl_requests)
        self._envelope = Envelope(quirks)
        self._page_ignored = PAGE_IGNORED in quirks
        self._servers_body = servers_body(self.dataset.server_tags(), quirks)
        self._login_decoder = msgspec.json.Decoder(_Login)

    @property
    def credentials(self) -> Credentials:
        return CREDENTIALS

    # Test helpers

    def records(
        self, stream: str, family: str = "trackbox", **filters: object
    ) -> list[dict[str, object]]:
        """Every record a query selects, across all pages, as served; see `ImpactCrmDataset`."""
        return self.dataset.records(stream, family, **filters)

    def edit(self, stream: str, record_id: int) -> dict[str, object]:
        """Touch a lead or registration now; returns the changed record."""
        return self.dataset.edit(stream, record_id)

    def add(self, stream: str, n: int) -> list[int]:
        """Append `n` leads or registrations dated now; returns their ids."""
        return self.dataset.add(stream, n)

    def server_tags(self) -> dict[str, list[str]]:
        return self.dataset.server_tags()

    def issued_tokens(self) -> list[str]:
        """Every login token issued so far, oldest first."""
        return self.auth.issued_tokens()

    # HTTP

    def handle(self, request: ApiRequest) -> ApiResponse:
        path = request.path.rstrip("/")
        route = path[len(API_ROOT) :] if path.startswith(API_ROOT) else ""
        family, _, endpoint = route.partition("/")
        misrouted = _misrouted(route, family, endpoint, request)
        if misrouted is not None:
            return misrouted
        if route == LOGIN_ROUTE:
            return self._login(request)
        try:
            self.auth.authorize(request.headers, family)
            if endpoint == "servers":
                return ApiResponse(200, self._servers_body)
            return self._report(endpoint, family, request.query)
        except AuthError as error:
            return error_response(error.status, error.message)
        except FilterError as error:
            return error_response(400, str(error))

    def counts(self, family: str = "trackbox") -> dict[str, int]:
        """How many records each stream serves to `family` with default filters."""
        counts = {
            stream: len(self.records(stream, family))
            for stream in ("leads", "registrations", "transactions", "positions")
        }
        counts["servers"] = sum(len(tags) for tags in self.server_tags().values())
        return counts

    def control(self, action: str, payload: object) -> ApiResponse:
        """`edit` {"stream", "id"}, `add` {"stream", "n"} and `counts` {"family"}."""
        if action == "counts":
            return self._counts_control(payload)
        controls = {"edit": ("id", self.edit), "add": ("n", self.add)}
        if action not in controls:
            return error_response(404, f"unknown impact-crm control: {action}")
        key, change = controls[action]
        stream = payload.get("stream") if isinstance(payload, Mapping) else None
        number = payload.get(key) if isinstance(payload, Mapping) else None
        if not isinstance(stream, str) or not isinstance(number, int) or isinstance(number, bool):
            return error_response(400, f'body must be {{"stream": "...", "{key}": <integer>}}')
        try:
            result = change(stream, number)
        except LookupError as error:
            return error_response(404, str(error.args[0]))
        except ValueError as error:
            return error_response(400, str(error))
        return json_response(200, {"record": result} if action == "edit" else {"ids": result})

    def _counts_control(self, payload: object) -> ApiResponse:
        family = payload.get("family", "trackbox") if isinstance(payload, Mapping) else None
        if family not in FAMILIES:
            return error_response(400, 'body must be {"family": "trackbox|ib|cellxpert"}')
        return json_response(200, self.counts(family))

    def _login(self, request: ApiRequest) -> ApiResponse:
        try:
            self.auth.check_api_key(request.headers)
            login = self._login_decoder.decode(request.body)
            token = self.auth.login(request.headers, login.email, login.password)
        except AuthError as error:
            return error_response(error.status, error.message)
        except msgspec.DecodeError:
            usage = '{"email": "...", "password": "...", "rememberMe": true}'
            return error_response(400, f"body must be JSON: {usage}")
        return json_response(200, {"token": token})

    def _report(self, endpoint: str, family: str, query: Mapping[str, str]) -> ApiResponse:
        criteria = parse_criteria(endpoint, family, query)
        page, page_size = parse_paging(query)
        if self._page_ignored:
            page = 1
        total, records = self.dataset.page(criteria, family, page, page_size)
        return ApiResponse(200, self._envelope.wrap(records, total, page, page_size))


def _misrouted(route: str, family: str, endpoint: str, request: ApiRequest) -> ApiResponse | None:
    """404 for an unknown path, 405 for a known one called with the wrong method."""
    if route == LOGIN_ROUTE:
        expected = "POST"
    elif family in FAMILIES and endpoint in ENDPOINTS:
        expected = "GET"
    else:
        return error_response(404, f"not found: {request.path}")
    if request.method != expected:
        return error_response(405, f"method not allowed, use {expected}")
    return None
