"""What passes between the HTTP server and an emulated API: requests, responses, handlers."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol

import msgspec

_json = msgspec.json.Encoder()


@dataclass(frozen=True)
class ApiRequest:
    """One HTTP request, with the API's path prefix already removed from `path`.

    Header names are lower-case. `client_ip` is the caller's address, for IP allow-lists.
    """

    method: str
    path: str
    query: Mapping[str, str]
    headers: Mapping[str, str]
    body: bytes
    client_ip: str = ""


@dataclass
class ApiResponse:
    """One HTTP response: status, body bytes and any extra headers."""

    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = "application/json"


def json_response(
    status: int, payload: object, headers: dict[str, str] | None = None
) -> ApiResponse:
    return ApiResponse(status, _json.encode(payload), headers or {})


def error_response(status: int, message: str, headers: dict[str, str] | None = None) -> ApiResponse:
    return json_response(status, {"message": message}, headers)


class ApiHandler(Protocol):
    """An emulated API mounted under a path prefix of the sandbox server."""

    name: str
    prefix: str

    def handle(self, request: ApiRequest) -> ApiResponse:
        """Answer one request below `prefix`."""
        ...

    def control(self, action: str, payload: object) -> ApiResponse:
        """Answer `POST /_sandbox/{name}/{action}`, the API's test controls."""
        ...
