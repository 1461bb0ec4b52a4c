"""The environment's HTTP proxy settings still apply, though they are read once per host."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from connector_kit.api_client import ApiClient


class _Proxy(BaseHTTPRequestHandler):
    """A forward proxy that answers every request itself, naming the URL it was asked for."""

    def do_GET(self) -> None:
        body = f'{{"via_proxy": "{self.path}"}}'.encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def proxy() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Proxy)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_requests_go_through_the_proxy_the_environment_names(proxy, monkeypatch):
    monkeypatch.setenv("HTTP_PROXY", proxy)
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    client = ApiClient()
    try:
        body = client.get_json("http://api.example.invalid/v1/things")
    finally:
        client.close()
    assert body == {"via_proxy": "http://api.example.invalid/v1/things"}


def test_no_proxy_hosts_are_reached_directly(proxy, monkeypatch):
    direct = ThreadingHTTPServer(("127.0.0.1", 0), _Proxy)
    threading.Thread(target=direct.serve_forever, daemon=True).start()
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9")  # nothing listens there
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    client = ApiClient()
    try:
        body = client.get_json(f"http://127.0.0.1:{direct.server_address[1]}/v1/things")
    finally:
        client.close()
        direct.shutdown()
        direct.server_close()
    assert body == {"via_proxy": "/v1/things"}  # a direct request names the path only
