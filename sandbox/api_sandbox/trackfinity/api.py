"""The Trackfinity admin API over HTTP: ping, the two reports, and test controls.

Served under `/trackfinity/api`: `GET /service/ping` and `GET /ping` answer `true`;
`GET /report/profitloss` and `GET /transaction/transaction_payout_preview` answer
`{"data": [...]}`. Checks run in the order an install applies them: the caller's address
against the allow-list (403), the `api-username`/`api-key` headers (401), the endpoint (404),
the method (405, the endpoints are read-only), the query (400 or 404, see `queries.py`).

The sandbox's quirks apply here too: another envelope key or a bare array, numbers as strings,
fields the contract does not name.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import date

import msgspec

from api_sandbox.exchange import ApiRequest, ApiResponse, error_response, json_response
from api_sandbox.quirks import ENVELOPE_ARRAY, ENVELOPE_ITEMS, ENVELOPE_RECORDS, ENVELOPE_RESULTS
from api_sandbox.trackfinity.access import (
    CREDENTIALS,
    DEFAULT_ALLOWED_IPS,
    AccessError,
    AccessGuard,
    Credentials,
)
from api_sandbox.trackfinity.dataset import TrackfinityDataset
from api_sandbox.trackfinity.queries import QueryError, parse_payout_preview, parse_profit_loss

API_ROOT = "/api/"
PING_ROUTES = ("service/ping", "ping")
PROFIT_LOSS_ROUTE = "report/profitloss"
PAYOUT_PREVIEW_ROUTE = "transaction/transaction_payout_preview"
_ENVELOPE_KEYS = {ENVELOPE_ITEMS: "items", ENVELOPE_RESULTS: "results", ENVELOPE_RECORDS: "records"}
_TRUE = b"true"

Report = Callable[[Mapping[str, str]], list[bytes]]


class TrackfinityApi:
    """The emulated Trackfinity install, and the handle tests use to read its data."""

    name = "trackfinity"
    prefix = "/trackfinity"

    def __init__(
        self,
        *,
        seed: int,
        scale: int,
        data_start: date,
        data_end: date,
        quirks: frozenset[str] = frozenset(),
        allowed_ips: Iterable[str] | str = DEFAULT_ALLOWED_IPS,
    ) -> None:
        self.dataset = TrackfinityDataset(
            seed=seed, scale=scale, data_start=data_start, data_end=data_end, quirks=quirks
        )
        self.access = AccessGuard(allowed_ips)
        self._bare_array = ENVELOPE_ARRAY in quirks
        key = next((_ENVELOPE_KEYS[q] for q in _ENVELOPE_KEYS if q in quirks), "data")
        self._records_key = msgspec.json.encode(key)
        self._reports: dict[str, Report] = {
            PROFIT_LOSS_ROUTE: self._profit_loss_rows,
            PAYOUT_PREVIEW_ROUTE: self._payout_rows,
        }

    @property
    def credentials(self) -> Credentials:
        return CREDENTIALS

    # Test helpers

    def profit_loss(self, **params: object) -> list[dict[str, object]]:
        """The profit/loss rows a query selects, as served; the dates may be left out."""
        query = parse_profit_loss(_texts(params), complete=False)
        return _decoded(self.dataset.profit_loss(query))

    def payout_preview(self, **params: object) -> list[dict[str, object]]:
        """The payout preview rows a query selects, as served; `payvia_type_id` may be left out."""
        query = parse_payout_preview(_texts(params), complete=False)
        return _decoded(self.dataset.payout_preview(query))

    def counts(self) -> dict[str, int]:
        """How many rows each report serves to the tap's default queries.

        Profit/loss over the whole data period; the payout preview for the vendor's example
        query (`payvia_type_id=1`, `rule_type=enabled`).
        """
        return {
            "profit_loss": len(self.profit_loss()),
            "payout_preview": len(self.payout_preview(payvia_type_id=1, rule_type="enabled")),
        }

    @property
    def allowed_ips(self) -> list[str]:
        return self.access.allowed_ips

    def allow_only(self, entries: Iterable[str] | str) -> None:
        """Replace ADMIN_API_ALLOWED_IPS with these addresses or networks."""
        self.access.allow_only(entries)

    # HTTP

    def handle(self, request: ApiRequest) -> ApiResponse:
        path = request.path.rstrip("/")
        route = path[len(API_ROOT) :] if path.startswith(API_ROOT) else ""
        try:
            self.access.check(request.client_ip, request.headers)
        except AccessError as error:
            return error_response(error.status, error.message)
        if route not in PING_ROUTES and route not in self._reports:
            return error_response(404, f"invalid endpoint: {request.path}")
        if request.method != "GET":
            return error_response(405, f"method {request.method} not allowed, use GET")
        if route in PING_ROUTES:
            return ApiResponse(200, _TRUE)
        try:
            records = self._reports[route](request.query)
        except QueryError as error:
            return error_response(error.status, error.message)
        return ApiResponse(200, self._wrap(records))

    def control(self, action: str, payload: object) -> ApiResponse:
        """`counts` {}, and `allowed-ips` {"ips": ["10.0.0.5", "192.168.0.0/16", ...]}."""
        if action == "counts":
            return json_response(200, self.counts())
        if action != "allowed-ips":
            return error_response(404, f"unknown trackfinity control: {action}")
        ips = payload.get("ips") if isinstance(payload, Mapping) else None
        if not isinstance(ips, list) or not all(isinstance(ip, str) for ip in ips):
            return error_response(400, 'body must be {"ips": ["127.0.0.1", ...]}')
        try:
            self.allow_only(ips)
        except ValueError as error:
            return error_response(400, str(error))
        return json_response(200, {"allowed_ips": self.allowed_ips})

    def _profit_loss_rows(self, params: Mapping[str, str]) -> list[bytes]:
        return self.dataset.profit_loss(parse_profit_loss(params))

    def _payout_rows(self, params: Mapping[str, str]) -> list[bytes]:
        return self.dataset.payout_preview(parse_payout_preview(params))

    def _wrap(self, records: list[bytes]) -> bytes:
        body = b",".join(records)
        if self._bare_array:
            return b"[" + body + b"]"
        return b"{" + self._records_key + b":[" + body + b"]}"


def _texts(params: Mapping[str, object]) -> dict[str, str]:
    return {
        name: ("true" if value else "false") if isinstance(value, bool) else str(value)
        for name, value in params.items()
    }


def _decoded(records: list[bytes]) -> list[dict[str, object]]:
    return [msgspec.json.decode(record) for record in records]
