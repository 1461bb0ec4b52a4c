"""The Trackfinity admin API over HTTP: ping, the two reports, the payout preview, controls.

Served under `/trackfinity/api`, as the vendor's pages document it:
- `GET /service/ping` and `GET /ping` answer `true`;
- `GET /report/profitloss?view=V&params[period]=8&params[start]=D&params[end]=D` answers
  `{"total": {...}, "rows": [{"break": ..., "stats": {...}}]}`;
- `GET /report/transaction?period=8&start=D&end=D&trans_start=N&trans_count=M` answers an
  object keyed by transaction id (a page of `trans_count`, default 100, from offset
  `trans_start`); the `transaction-cap` control makes it serve fewer than asked, as a server
  with its own limit would;
- `GET /transaction/transaction_payout_preview?transaction_hash=H[&amount=A][&transaction_type=T]`
  answers what a conversion on that click would pay (the vendor documents no output: the
  sandbox answers `{"transaction_hash", "transaction_type", "amount", "total_payout",
  "payouts": [...]}`, amounts in cents); an unknown click hash is an invalid parameter (404).

Checks run in the order an install applies them: the caller's address against the allow-list
(403), the `api-username`/`api-key` headers (401), the endpoint (404), the method (405, the
endpoints are read-only), the query (400 or 404, see `queries.py`). Parameters of the retired
guesses (`start_date`, `end_date`, `payvia_type_id`, `rule_type`) are unknown parameters: 404.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date

import msgspec

from api_sandbox.exchange import ApiRequest, ApiResponse, error_response, json_response
from api_sandbox.trackfinity.access import (
    CREDENTIALS,
    DEFAULT_ALLOWED_IPS,
    AccessError,
    AccessGuard,
    Credentials,
)
from api_sandbox.trackfinity.dataset import TrackfinityDataset
from api_sandbox.trackfinity.queries import (
    PAYOUT_PREVIEW_ENDPOINT,
    PROFIT_LOSS_ENDPOINT,
    TRANSACTION_ENDPOINT,
    ProfitLossQuery,
    QueryError,
    Selection,
    parse_payout_preview,
    parse_profit_loss,
    parse_transactions,
)
from api_sandbox.trackfinity.reports import ReportBuilder, transaction_dict
from api_sandbox.trackfinity.vocabulary import DOCUMENTED_VIEWS, EMULATED_VIEWS

API_ROOT = "/api/"
PING_ROUTES = ("service/ping", "ping")
DEFAULT_VIEWS = ("login",)
_TRUE = b"true"

Endpoint = Callable[[Mapping[str, str]], bytes]


class TrackfinityEmulator:
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
            seed=seed, scale=scale, data_start=data_start, data_end=data_end
        )
        self.reports = ReportBuilder(self.dataset, quirks)
        self.access = AccessGuard(allowed_ips)
        self.transaction_cap: int | None = None
        """Most transactions one page serves, whatever `trans_count` asks (None: no cap)."""
        self._queued: dict[str, deque[bytes]] = {}
        self._queue_lock = threading.Lock()
        self._endpoints: dict[str, Endpoint] = {
            PROFIT_LOSS_ENDPOINT: self._profit_loss_body,
            TRANSACTION_ENDPOINT: self._transactions_body,
            PAYOUT_PREVIEW_ENDPOINT: self._payout_preview_body,
        }

    @property
    def credentials(self) -> Credentials:
        return CREDENTIALS

    # Test helpers

    def profit_loss(
        self, view: str, start: str | None = None, end: str | None = None, **params: object
    ) -> dict:
        """The report a query selects, without quirks; `params` are `params[...]` entries."""
        query: dict[str, str] = {"view": view, "params[period]": "7"}
        if start or end:
            query.update(
                {"params[period]": "8", "params[start]": str(start), "params[end]": str(end)}
            )
        query.update({f"params[{name}]": str(value) for name, value in params.items()})
        return self.reports.profit_loss(parse_profit_loss(query))

    def profit_loss_records(
        self, views: Sequence[str] = DEFAULT_VIEWS, start: str | None = None, end: str | None = None
    ) -> list[dict[str, object]]:
        """What one request per day and view serves, as (date, view, break, stats) dicts."""
        records = []
        for day in self.dataset.days(_span(start, end)):
            for view in views:
                report = self.reports.profit_loss(
                    ProfitLossQuery(view, Selection(start=day, end=day))
                )
                records.extend(
                    {"date": day.isoformat(), "view": view, **row} for row in report["rows"]
                )
        return records

    def transactions(
        self, start: str | None = None, end: str | None = None, **params: object
    ) -> list[dict[str, object]]:
        """Every transaction a query selects (all pages), each with its `id`."""
        query = (
            {"period": "7"}
            if not (start or end)
            else {"period": "8", "start": str(start), "end": str(end)}
        )
        query.update({name: str(value) for name, value in params.items()})
        parsed = parse_transactions(query)
        return [transaction_dict(txn_id, txn) for txn_id, txn in self.reports.transactions(parsed)]

    def payout_preview(self, transaction_hash: str, **params: object) -> dict[str, object] | None:
        """The preview of one click, as served (None for an unknown click)."""
        query = {"transaction_hash": transaction_hash, **{k: str(v) for k, v in params.items()}}
        return self.dataset.payout_preview(parse_payout_preview(query))

    @property
    def preview_clicks(self) -> tuple[str, ...]:
        """Click hashes every sandbox's payout preview knows (the demo configures them)."""
        return self.dataset.preview_clicks

    def counts(self, views: Sequence[str] = DEFAULT_VIEWS) -> dict[str, int]:
        """How many records each stream gets from the whole data period.

        profit_loss: one request per day and view (`views`, default the tap's `login`), one
        record per row; transactions: every transaction; payout_preview: one record per run
        for each of the `preview_clicks` (what the demo configures).
        """
        return {
            "profit_loss": len(self.profit_loss_records(views)),
            "transactions": len(self.dataset.selected_transactions(Selection())),
            "payout_preview": len(self.preview_clicks),
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
        if route not in PING_ROUTES and route not in self._endpoints:
            return error_response(404, f"invalid endpoint: {request.path}")
        if request.method != "GET":
            return error_response(405, f"method {request.method} not allowed, use GET")
        if route in PING_ROUTES:
            return ApiResponse(200, _TRUE)
        try:
            body = self._endpoints[route](request.query)
        except QueryError as error:
            return error_response(error.status, error.message)
        return ApiResponse(200, self._queued_answer(route) or body)

    def queue_answers(self, endpoint: str, bodies: Sequence[object]) -> None:
        """Answer the next valid requests to `endpoint` with these bodies instead (as JSON).

        For tests of answers the connector must not misread: shapes an install might send.
        """
        if endpoint not in self._endpoints:
            raise ValueError(f"unknown endpoint {endpoint!r} (one of {', '.join(self._endpoints)})")
        with self._queue_lock:
            queue = self._queued.setdefault(endpoint, deque())
            queue.extend(msgspec.json.encode(body) for body in bodies)

    def _queued_answer(self, route: str) -> bytes | None:
        with self._queue_lock:
            queue = self._queued.get(route)
            return queue.popleft() if queue else None

    def control(self, action: str, payload: object) -> ApiResponse:
        """The test controls, each with its body.

        `counts` `{"views": [...]}`, `allowed-ips` `{"ips": [...]}`, `transaction-cap`
        `{"cap": n or null}`, `preview-clicks` `{}`, `queue-answers`
        `{"endpoint": "report/profitloss", "bodies": [...]}`.
        """
        body = payload if isinstance(payload, Mapping) else {}
        controls: dict[str, Callable[[Mapping[str, object]], ApiResponse]] = {
            "counts": self._counts_control,
            "allowed-ips": self._allowed_ips_control,
            "transaction-cap": self._cap_control,
            "preview-clicks": lambda _body: json_response(200, list(self.preview_clicks)),
            "queue-answers": self._queue_control,
        }
        if action not in controls:
            return error_response(404, f"unknown trackfinity control: {action}")
        return controls[action](body)

    def _allowed_ips_control(self, body: Mapping[str, object]) -> ApiResponse:
        ips = body.get("ips")
        if not isinstance(ips, list) or not all(isinstance(ip, str) for ip in ips):
            return error_response(400, 'body must be {"ips": ["127.0.0.1", ...]}')
        try:
            self.allow_only(ips)
        except ValueError as error:
            return error_response(400, str(error))
        return json_response(200, {"allowed_ips": self.allowed_ips})

    def _queue_control(self, body: Mapping[str, object]) -> ApiResponse:
        endpoint, bodies = body.get("endpoint"), body.get("bodies")
        if not isinstance(endpoint, str) or not isinstance(bodies, list):
            return error_response(400, 'body must be {"endpoint": "report/...", "bodies": [...]}')
        try:
            self.queue_answers(endpoint, bodies)
        except ValueError as error:
            return error_response(400, str(error))
        return json_response(200, {"queued": len(bodies)})

    def _cap_control(self, body: Mapping[str, object]) -> ApiResponse:
        cap = body.get("cap")
        if cap is not None and (not isinstance(cap, int) or isinstance(cap, bool) or cap < 1):
            return error_response(400, 'body must be {"cap": n} with n >= 1, or {"cap": null}')
        self.transaction_cap = cap
        return json_response(200, {"cap": cap})

    def _counts_control(self, body: Mapping[str, object]) -> ApiResponse:
        views = body.get("views", list(DEFAULT_VIEWS))
        if not isinstance(views, list) or not all(v in EMULATED_VIEWS for v in views):
            known = ", ".join(v for v in DOCUMENTED_VIEWS if v in EMULATED_VIEWS)
            return error_response(400, f'body must be {{"views": [...]}} of: {known}')
        return json_response(200, self.counts(views))

    def _profit_loss_body(self, params: Mapping[str, str]) -> bytes:
        return self.reports.profit_loss_body(parse_profit_loss(params))

    def _transactions_body(self, params: Mapping[str, str]) -> bytes:
        return self.reports.transactions_body(parse_transactions(params), self.transaction_cap)

    def _payout_preview_body(self, params: Mapping[str, str]) -> bytes:
        query = parse_payout_preview(params)
        answer = self.dataset.payout_preview(query)
        if answer is None:
            raise QueryError(
                404,
                f"invalid parameter: transaction_hash={query.transaction_hash!r} is no click "
                "of this install",
            )
        return msgspec.json.encode(answer)


def _span(start: str | None, end: str | None) -> Selection:
    return Selection(
        start=date.fromisoformat(start) if start else None,
        end=date.fromisoformat(end) if end else None,
    )
