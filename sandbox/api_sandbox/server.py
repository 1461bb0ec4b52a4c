"""The sandbox's HTTP server: routes by path prefix to the APIs, faults, logs, controls.

A `ThreadingHTTPServer` speaking HTTP/1.1 with keep-alive, one thread per connection, so
that injected latency does not serialize concurrent clients. Faults apply to API prefixes
only; `/_sandbox/` is the control API. Reserved prefixes (APIs not served yet) answer 404.
"""

from __future__ import annotations

import contextlib
import socket
import sys
import threading
import time
import traceback
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, unquote, urlsplit

from api_sandbox.control import CONTROL_PREFIX, ControlApi
from api_sandbox.exchange import ApiHandler, ApiRequest, ApiResponse, error_response
from api_sandbox.faults import Fault, FaultInjector, fault_message
from api_sandbox.request_log import RequestLog

RESERVED_PREFIXES: tuple[str, ...] = ()
IDLE_CONNECTION_TIMEOUT = 300


class SandboxServer(ThreadingHTTPServer):
    """Serves the mounted APIs and the control API on one socket."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(
        self,
        address: tuple[str, int],
        apis: Sequence[ApiHandler],
        faults: FaultInjector,
        request_log: RequestLog,
        period: Mapping[str, object] | None = None,
    ) -> None:
        super().__init__(address, SandboxRequestHandler)
        self.apis = sorted(apis, key=lambda api: len(api.prefix), reverse=True)
        self.faults = faults
        self.request_log = request_log
        self.control = ControlApi({api.name: api for api in apis}, faults, request_log, period)
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()

    def api_for(self, path: str) -> ApiHandler | None:
        for api in self.apis:
            if path == api.prefix or path.startswith(api.prefix + "/"):
                return api
        return None

    def process_request(self, request: socket.socket, client_address: tuple[str, int]) -> None:
        with self._connections_lock:
            self._connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: socket.socket) -> None:
        with self._connections_lock:
            self._connections.discard(request)
        super().shutdown_request(request)

    def close_connections(self) -> None:
        """End open keep-alive connections, so that their threads finish."""
        with self._connections_lock:
            connections = list(self._connections)
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)

    def handle_error(self, request: object, client_address: object) -> None:
        error = sys.exc_info()[1]
        if isinstance(error, (ConnectionError, TimeoutError)):
            return
        super().handle_error(request, client_address)


class SandboxRequestHandler(BaseHTTPRequestHandler):
    """Turns each HTTP request into an `ApiRequest` and writes back the `ApiResponse`."""

    protocol_version = "HTTP/1.1"
    server_version = "api-sandbox"
    disable_nagle_algorithm = True
    timeout = IDLE_CONNECTION_TIMEOUT
    server: SandboxServer
    _received = 0.0
    """When the request being handled had been read (epoch seconds), for the request log."""

    def do_GET(self) -> None:
        self._dispatch()

    def do_POST(self) -> None:
        self._dispatch()

    def do_PUT(self) -> None:
        self._dispatch()

    def do_PATCH(self) -> None:
        self._dispatch()

    def do_DELETE(self) -> None:
        self._dispatch()

    def version_string(self) -> str:
        return self.server_version

    def log_message(self, format: str, *args: object) -> None:
        """Stay quiet: the request log is the record of what was served."""

    def _dispatch(self) -> None:
        self._received = time.time()
        request = self._read_request()
        if request is None:
            return
        path = request.path
        if path == CONTROL_PREFIX or path.startswith(CONTROL_PREFIX + "/"):
            control_request = replace(request, path=path[len(CONTROL_PREFIX) :])
            self._send(self._guarded(self.server.control.handle, control_request))
            return
        api = self.server.api_for(path)
        if api is None:
            self._answer(request, _not_served(path))
            return
        self._serve_api(api, request)

    def _read_request(self) -> ApiRequest | None:
        """The request as an `ApiRequest`, or None when it was refused for its framing."""
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            self.close_connection = True
            self._send(error_response(411, "send a Content-Length, not a chunked body"))
            return None
        length = self.headers.get("Content-Length") or "0"
        if not length.isdigit():
            self.close_connection = True
            self._send(error_response(400, "malformed Content-Length"))
            return None
        target = urlsplit(self.path)
        return ApiRequest(
            method=self.command,
            path=unquote(target.path),
            query=dict(parse_qsl(target.query, keep_blank_values=True)),
            headers={name.lower(): value for name, value in self.headers.items()},
            body=self.rfile.read(int(length)),
            client_ip=str(self.client_address[0]),
        )

    def _serve_api(self, api: ApiHandler, request: ApiRequest) -> None:
        """Answer an API request `latency` after it arrived, unless a fault gets in the way.

        The request is handled within the latency, as a remote server would be: its answer
        is ready `latency` after it arrived, or when handling it is done if that takes longer.
        So concurrent requests, which this one process handles one at a time, do not each add
        their handling time to the latency. A fault's own delay comes on top.
        """
        faults = self.server.faults
        answer_at = time.monotonic() + faults.latency_seconds
        fault = faults.next_fault(self.path)
        if fault is not None and fault.delay_ms:
            answer_at += fault.delay_ms / 1000
        if fault is not None and fault.drop:
            _sleep_until(answer_at)
            self._log(request, None)
            self.close_connection = True
            return
        if fault is not None and fault.status is not None:
            _sleep_until(answer_at)
            self._answer(request, _fault_response(fault, faults.retry_after))
            return
        api_request = replace(request, path=request.path[len(api.prefix) :])
        response = self._guarded(api.handle, api_request)
        _sleep_until(answer_at)
        self._answer(request, response)

    def _answer(self, request: ApiRequest, response: ApiResponse) -> None:
        self._log(request, response.status)
        self._send(response)

    def _log(self, request: ApiRequest, status: int | None) -> None:
        self.server.request_log.record(
            request.method, request.path, request.query, status, received=self._received
        )

    def _send(self, response: ApiResponse) -> None:
        self.send_response(response.status)
        self.send_header("Content-Type", response.content_type)
        self.send_header("Content-Length", str(len(response.body)))
        for name, value in response.headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(response.body)

    @staticmethod
    def _guarded(handle: Callable[[ApiRequest], ApiResponse], request: ApiRequest) -> ApiResponse:
        try:
            return handle(request)
        except Exception:
            traceback.print_exc()
            return error_response(500, "internal sandbox error")


def _sleep_until(moment: float) -> None:
    remaining = moment - time.monotonic()
    if remaining > 0:
        time.sleep(remaining)


def _fault_response(fault: Fault, default_retry_after: int) -> ApiResponse:
    status = fault.status or HTTPStatus.INTERNAL_SERVER_ERROR
    headers: dict[str, str] = {}
    if status == HTTPStatus.TOO_MANY_REQUESTS:
        retry_after = fault.retry_after if fault.retry_after is not None else default_retry_after
        headers["Retry-After"] = str(retry_after)
    elif fault.retry_after is not None:
        headers["Retry-After"] = str(fault.retry_after)
    return error_response(status, fault_message(status), headers)


def _not_served(path: str) -> ApiResponse:
    for prefix in RESERVED_PREFIXES:
        if path == prefix or path.startswith(prefix + "/"):
            return error_response(
                404, f"{prefix} is reserved for an API this sandbox does not serve yet"
            )
    return error_response(404, f"no API is served at {path}")
