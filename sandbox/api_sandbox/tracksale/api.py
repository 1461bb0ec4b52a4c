"""The Tracksale API v2 over HTTP, and the handle tests use to read and change its data.

Served under `/tracksale/v2`. Every request first passes the security lock (see
`security_lock`: past `lock_requests` in `lock_window` seconds, 405 and a CAPTCHA page until
solved). Then checks run in the order a client would want them named: unknown path (404),
wrong method (405), token (401), then the endpoint's own parameters and body (400) and the
things it names (404). Every accepted write is recorded with its JSON body.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import date

import msgspec

from api_sandbox.exchange import ApiRequest, ApiResponse, error_response, json_response
from api_sandbox.impact_crm import DEFAULT_DATA_END, DEFAULT_DATA_START
from api_sandbox.quirks import (
    TRACKSALE_CAMPAIGN_OBJECT,
    TRACKSALE_CUSTOMERS_LINKS,
    TRACKSALE_DOCUMENTED_TYPES,
)
from api_sandbox.timestamps import now_seconds
from api_sandbox.tracksale.auth import is_authorized
from api_sandbox.tracksale.dataset import TracksaleDataset
from api_sandbox.tracksale.queries import (
    QueryError,
    parse_codes,
    parse_limit,
    parse_view,
    parse_window,
)
from api_sandbox.tracksale.read_endpoints import ReadEndpoints
from api_sandbox.tracksale.routes import match_routes
from api_sandbox.tracksale.security_lock import (
    DEFAULT_LOCK_REQUESTS,
    DEFAULT_LOCK_WINDOW,
    SecurityLock,
)
from api_sandbox.tracksale.write_bodies import BodyError, decode_object
from api_sandbox.tracksale.write_endpoints import WriteEndpoints
from api_sandbox.tracksale.write_log import WriteLog

CONTROLS = ("writes", "received", "edit-answer", "add-answers", "counts", "lock", "solve-captcha")


class TracksaleEmulator:
    """The emulated Tracksale account, and the handle tests use to read and change it."""

    name = "tracksale"
    prefix = "/tracksale/v2"

    def __init__(
        self,
        *,
        seed: int = 1,
        scale: int = 200,
        data_start: date = DEFAULT_DATA_START,
        data_end: date = DEFAULT_DATA_END,
        weeks_later: int = 0,
        lock_requests: int = DEFAULT_LOCK_REQUESTS,
        lock_window: float = DEFAULT_LOCK_WINDOW,
        quirks: Iterable[str] = frozenset(),
    ) -> None:
        quirks = frozenset(quirks)
        self.security_lock = SecurityLock(lock_requests, lock_window)
        self.dataset = TracksaleDataset(
            seed=seed,
            scale=scale,
            data_start=data_start,
            data_end=data_end,
            weeks_later=weeks_later,
            documented_types=TRACKSALE_DOCUMENTED_TYPES in quirks,
        )
        self.write_log = WriteLog()
        self._reads = ReadEndpoints(
            self.dataset, campaign_as_object=TRACKSALE_CAMPAIGN_OBJECT in quirks
        )
        self._writes = WriteEndpoints(
            self.dataset,
            self.write_log,
            links_key="customers_links" if TRACKSALE_CUSTOMERS_LINKS in quirks else "customers",
        )

    # Test helpers

    def campaigns(self) -> list[dict[str, object]]:
        """Every campaign as `GET /campaign?dispatch_limits=1` serves it now."""
        now = now_seconds()
        return self.dataset.campaign_records(parse_window({}, now), now, limits=True)

    def answers(self, **params: object) -> list[dict[str, object]]:
        """The answers `GET /report/answer` serves for these parameters, all rows by default.

        Parameters are the API's (`start`, `end`, `codes`, `tags`, ...); `limit` defaults to
        -1 here. Dates default to the last 30 days, as in the API.
        """
        query = {name: _parameter_text(value) for name, value in params.items()}
        query.setdefault("limit", "-1")
        now = now_seconds()
        body = self.dataset.answer_bytes(
            parse_window(query, now), parse_codes(query), parse_limit(query), parse_view(query)
        )
        return msgspec.json.decode(body)

    def dispatches(self, **params: object) -> list[dict[str, object]]:
        """The lots `GET /report/dispatch` serves for these parameters (`start`, `end`, `codes`)."""
        query = {name: _parameter_text(value) for name, value in params.items()}
        now = now_seconds()
        return msgspec.json.decode(
            self.dataset.dispatch_bytes(parse_window(query, now), parse_codes(query), now)
        )

    def widget_keys(self) -> list[str]:
        return list(self.dataset.widgets)

    def writes(self) -> list[dict[str, object]]:
        """Every accepted write, oldest first: time, method, path, query and JSON body."""
        return self.write_log.writes()

    def received(self, campaign_code: int | None = None) -> list[dict[str, object]]:
        """Customers accepted for dispatch (of one campaign, if given), oldest first.

        Each is `{"campaign_code", "dispatch_code", "customer"}`, the customer as sent.
        """
        return self.write_log.received(campaign_code)

    def edit_answer(self, answer_id: int) -> dict[str, object]:
        """Change an answer's status, assignee and categories, updated now; returns it."""
        return self.dataset.edit_answer(answer_id)

    def add_answers(self, n: int) -> list[int]:
        """Add `n` answers given now; returns their ids."""
        return self.dataset.add_answers(n)

    def counts(self) -> dict[str, int]:
        """Records per read stream, in all: campaigns, answers, dispatches, draft lots, ..."""
        return self.dataset.counts()

    def prerender(self) -> int:
        """Render every answer's JSON now; returns how many were rendered."""
        return self.dataset.prerender()

    # HTTP

    def handle(self, request: ApiRequest) -> ApiResponse:
        if not self.security_lock.admit(request.method, request.path):
            return self.security_lock.response()
        return self._answer(request)

    def _answer(self, request: ApiRequest) -> ApiResponse:
        """The endpoint's answer, for a request the security lock let through."""
        routes = match_routes(request.path)
        if not routes:
            return error_response(404, f"not found: {request.path}")
        route = next((route for route in routes if route.method == request.method), None)
        if route is None:
            allowed = ", ".join(sorted({route.method for route in routes}))
            return error_response(405, f"method not allowed, use {allowed}")
        if not is_authorized(request.headers):
            return error_response(401, "invalid token")
        now = now_seconds()
        try:
            if route.method == "GET":
                reader = getattr(self._reads, route.endpoint)
                return reader(request.query, route.params, now)
            body = decode_object(request.body) if request.body.strip() else {}
            writer: Callable[..., ApiResponse] = getattr(self._writes, route.endpoint)
            response = writer(body, request.query, route.params, now)
        except (QueryError, BodyError) as error:
            return error_response(400, str(error))
        if response.status < 300:
            self.write_log.record(request.method, self.prefix + request.path, request.query, body)
        return response

    def control(self, action: str, payload: object) -> ApiResponse:
        """Answer `POST /_sandbox/tracksale/{action}`, one of `CONTROLS`."""
        arguments = payload if isinstance(payload, Mapping) else {}
        controls: dict[str, Callable[[Mapping], ApiResponse]] = {
            "writes": lambda _: json_response(200, self.writes()),
            "received": self._received_control,
            "edit-answer": lambda body: self._change_control("id", self.edit_answer, body),
            "add-answers": lambda body: self._change_control("n", self.add_answers, body),
            "counts": lambda _: json_response(200, self.counts()),
            "lock": lambda _: json_response(200, self.security_lock.status()),
            "solve-captcha": lambda _: json_response(200, self.security_lock.solve()),
        }
        if action not in controls:
            return error_response(404, f"unknown tracksale control: {action}")
        return controls[action](arguments)

    def _received_control(self, arguments: Mapping) -> ApiResponse:
        code = arguments.get("campaign_code")
        if code is not None and (isinstance(code, bool) or not isinstance(code, int)):
            return error_response(400, 'body must be {"campaign_code": <integer>} or {}')
        return json_response(200, self.received(code))

    @staticmethod
    def _change_control(
        key: str, change: Callable[[int], object], arguments: Mapping
    ) -> ApiResponse:
        number = arguments.get(key)
        if isinstance(number, bool) or not isinstance(number, int):
            return error_response(400, f'body must be {{"{key}": <integer>}}')
        try:
            result = change(number)
        except LookupError as error:
            return error_response(404, str(error.args[0]))
        except ValueError as error:
            return error_response(400, str(error))
        return json_response(200, {"answer": result} if key == "id" else {"ids": result})


def _parameter_text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)
