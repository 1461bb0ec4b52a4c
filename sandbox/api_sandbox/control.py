"""The sandbox's own control API under `/_sandbox/`: health, request log, faults, data.

Control requests are never faulted, need no auth and are not logged. Routes:
`GET /health`, `GET /period` (the days with data), `GET|DELETE /requests`,
`POST|DELETE /faults`, and `POST /{api}/{action}` for an API's test controls (e.g.
`/impact-crm/edit`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import msgspec

from api_sandbox.exchange import ApiHandler, ApiRequest, ApiResponse, error_response, json_response
from api_sandbox.faults import FaultInjector
from api_sandbox.request_log import RequestLog

CONTROL_PREFIX = "/_sandbox"


class ControlApi:
    """Answers the control routes for one sandbox server."""

    def __init__(
        self,
        apis: Mapping[str, ApiHandler],
        faults: FaultInjector,
        request_log: RequestLog,
        period: Mapping[str, object] | None = None,
    ) -> None:
        self._apis = apis
        self._faults = faults
        self._request_log = request_log
        self._period = dict(period or {})

    def handle(self, request: ApiRequest) -> ApiResponse:
        route, method = request.path.strip("/"), request.method
        answer = self._routes().get((method, route))
        if answer is not None:
            return answer(request)
        api_name, _, action = route.partition("/")
        if api_name in self._apis and action and method == "POST":
            try:
                payload = msgspec.json.decode(request.body) if request.body else {}
            except msgspec.DecodeError:
                return error_response(400, "body must be JSON")
            return self._apis[api_name].control(action, payload)
        return error_response(404, f"unknown control route: {method} {CONTROL_PREFIX}/{route}")

    def _routes(self) -> dict[tuple[str, str], Callable[[ApiRequest], ApiResponse]]:
        log, faults = self._request_log, self._faults
        return {
            ("GET", "health"): lambda _: json_response(200, {"ok": True}),
            ("GET", "period"): lambda _: json_response(200, self._period),
            ("GET", "requests"): lambda _: json_response(200, log.entries()),
            ("DELETE", "requests"): lambda _: json_response(
                200, {"ok": True, "cleared": log.clear()}
            ),
            ("POST", "faults"): lambda request: self._queue_faults(request.body),
            ("DELETE", "faults"): lambda _: json_response(
                200, {"ok": True, "cleared": faults.clear()}
            ),
        }

    def _queue_faults(self, body: bytes) -> ApiResponse:
        usage = 'body must be {"path_contains": "...", "faults": [{"status": 429}, ...]}'
        try:
            payload = msgspec.json.decode(body)
        except msgspec.DecodeError:
            return error_response(400, usage)
        if not isinstance(payload, dict) or not isinstance(payload.get("faults"), list):
            return error_response(400, usage)
        path_contains = payload.get("path_contains", "")
        if not isinstance(path_contains, str):
            return error_response(400, usage)
        try:
            queued = self._faults.queue(payload["faults"], path_contains)
        except ValueError as error:
            return error_response(400, str(error))
        return json_response(200, {"ok": True, "queued": queued})
