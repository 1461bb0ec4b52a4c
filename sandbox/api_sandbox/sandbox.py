"""`Sandbox`: the whole emulator in-process, for tests, benchmarks and the CLI."""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping
from datetime import date
from types import TracebackType

from api_sandbox.faults import Fault, FaultInjector
from api_sandbox.impact_crm import DEFAULT_DATA_END, DEFAULT_DATA_START, ImpactCrmEmulator
from api_sandbox.later import check_weeks_later, last_day
from api_sandbox.quirks import parse_quirks
from api_sandbox.request_log import RequestLog
from api_sandbox.server import SandboxServer
from api_sandbox.trackfinity import DEFAULT_ALLOWED_IPS, TrackfinityEmulator
from api_sandbox.tracksale import TracksaleEmulator
from api_sandbox.tracksale.security_lock import DEFAULT_LOCK_REQUESTS, DEFAULT_LOCK_WINDOW


class Sandbox:
    """A sandbox server with its APIs, data and fault settings.

    `start()` binds (port 0 picks a free port) and serves from a daemon thread; `stop()` shuts
    down, ends open connections and closes the socket. Also a context manager.
    `token_ttl_requests=n` lets each Impact CRM login token serve `n` report calls at most
    (0: none), beside `token_ttl` seconds. `weeks_later=n` serves the same world `n` weeks
    after `data_end` (see `api_sandbox.later`); its data then runs to `last_day`. Tracksale's
    security lock is on, as in the real API: past `tracksale_lock_requests` in
    `tracksale_lock_window` seconds (1000 in 300 by default) every Tracksale request is
    answered 405 until `solve_tracksale_captcha()`.
    """

    def __init__(
        self,
        *,
        seed: int = 1,
        scale: int = 200,
        latency_ms: int = 0,
        token_ttl: float = 3600,
        token_ttl_requests: int | None = None,
        rate_429: float = 0.0,
        rate_5xx: float = 0.0,
        retry_after: int = 1,
        quirks: Iterable[str] | str = frozenset(),
        host: str = "127.0.0.1",
        port: int = 0,
        data_start: date = DEFAULT_DATA_START,
        data_end: date = DEFAULT_DATA_END,
        trackfinity_allowed_ips: Iterable[str] | str = DEFAULT_ALLOWED_IPS,
        weeks_later: int = 0,
        tracksale_lock_requests: int = DEFAULT_LOCK_REQUESTS,
        tracksale_lock_window: float = DEFAULT_LOCK_WINDOW,
    ) -> None:
        self.host = host
        self.quirks = parse_quirks(quirks)
        self.data_start, self.data_end = data_start, data_end
        self.weeks_later = check_weeks_later(weeks_later)
        self.last_day = last_day(data_end, weeks_later)
        self.impact_crm = ImpactCrmEmulator(
            seed=seed,
            scale=scale,
            token_ttl=token_ttl,
            token_ttl_requests=token_ttl_requests,
            quirks=self.quirks,
            data_start=data_start,
            data_end=data_end,
            weeks_later=weeks_later,
        )
        # Trackfinity builds each day on its own from (seed, day): later weeks are more days.
        self.trackfinity = TrackfinityEmulator(
            seed=seed,
            scale=scale,
            data_start=data_start,
            data_end=self.last_day,
            quirks=self.quirks,
            allowed_ips=trackfinity_allowed_ips,
        )
        self.tracksale = TracksaleEmulator(
            seed=seed,
            scale=scale,
            data_start=data_start,
            data_end=data_end,
            weeks_later=weeks_later,
            lock_requests=tracksale_lock_requests,
            lock_window=tracksale_lock_window,
            quirks=self.quirks,
        )
        self.faults = FaultInjector(seed, latency_ms, rate_429, rate_5xx, retry_after)
        self.request_log = RequestLog()
        self._requested_port = port
        self._server: SandboxServer | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> Sandbox:
        if self._server is not None:
            return self
        server = SandboxServer(
            (self.host, self._requested_port),
            [self.impact_crm, self.trackfinity, self.tracksale],
            self.faults,
            self.request_log,
            self.period(),
        )
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.1},
            name="api-sandbox",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is None:
            return
        server.shutdown()
        server.close_connections()
        server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> Sandbox:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("the sandbox is not started")
        return self._server.server_address[1]

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def impact_crm_url(self) -> str:
        return self.base_url + self.impact_crm.prefix

    @property
    def trackfinity_url(self) -> str:
        return self.base_url + self.trackfinity.prefix

    @property
    def tracksale_url(self) -> str:
        return self.base_url + self.tracksale.prefix

    def period(self) -> dict[str, object]:
        """The days with data, as `GET /_sandbox/period` answers."""
        return {
            "data_start": self.data_start.isoformat(),
            "data_end": self.data_end.isoformat(),
            "weeks_later": self.weeks_later,
            "last_day": self.last_day.isoformat(),
        }

    @property
    def requests(self) -> list[dict[str, object]]:
        """The request log: method, path, query, status and time of each API request."""
        return self.request_log.entries()

    def clear_requests(self) -> None:
        self.request_log.clear()

    def solve_tracksale_captcha(self) -> dict[str, object]:
        """Unlock Tracksale's security lock, as a person solving the CAPTCHA would."""
        return self.tracksale.security_lock.solve()

    def queue_faults(
        self, path_contains: str = "", faults: Iterable[Mapping[str, object] | Fault] = ()
    ) -> int:
        """Answer the next API requests whose path and query contain `path_contains` with `faults`.

        Each fault is e.g. `{"status": 429, "retry_after": 2}`, `{"status": 503}`,
        `{"drop": True}` (close without answering) or `{"delay_ms": 500}`. Returns how many.
        """
        return self.faults.queue(faults, path_contains)
