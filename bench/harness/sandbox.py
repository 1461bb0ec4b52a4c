"""The sandbox as a separate process: started with `api-sandbox serve`, driven by its control API.

The sandbox prints its URLs and credentials when it listens; they are parsed from there, so
nothing here assumes a port or a credential. The control API gives the request log (method,
path, query, status and the time each answer was ready, to the millisecond), Tracksale's
accepted writes, and queued faults.
"""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import requests

BIN = Path(sys.executable).parent
_DATA_PERIOD = re.compile(r"impact-crm  data (\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})")
_SETTING = re.compile(r"(\w+)=(\S+)")


@dataclass
class SandboxProcess:
    """A running `api-sandbox serve`: its URLs, credentials, data period and startup time."""

    process: subprocess.Popen[str]
    base_url: str
    settings: dict[str, dict[str, str]]
    data_start: date
    data_end: date
    started_seconds: float
    scale: int
    latency_ms: int
    session: requests.Session = field(default_factory=requests.Session)

    @classmethod
    def start(
        cls, *, scale: int, latency_ms: int = 0, prefix: tuple[str, ...] = (), log: Path
    ) -> SandboxProcess:
        command = [*prefix, str(BIN / "api-sandbox"), "serve", "--port", "0"]
        command += ["--scale", str(scale), "--latency-ms", str(latency_ms)]
        started = time.monotonic()
        stderr = open(log, "w")  # noqa: SIM115 - kept open for the sandbox's life
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=stderr, text=True)
        assert process.stdout is not None
        lines: list[str] = []
        for line in process.stdout:
            lines.append(line.rstrip("\n"))
            if line.startswith("control API:"):
                break
        else:
            process.wait()
            msg = f"the sandbox exited ({process.returncode}) before listening; see {log}"
            raise RuntimeError(msg)
        return cls._from_announcement(
            process, lines, time.monotonic() - started, scale=scale, latency_ms=latency_ms
        )

    @classmethod
    def _from_announcement(
        cls,
        process: subprocess.Popen[str],
        lines: list[str],
        started_seconds: float,
        *,
        scale: int,
        latency_ms: int,
    ) -> SandboxProcess:
        base_url = next(line for line in lines if "listening on" in line).split()[-1]
        settings: dict[str, dict[str, str]] = {}
        for line in lines:
            api = line.split(" ", 1)[0]
            pairs = dict(_SETTING.findall(line))
            if "api_url" in pairs:
                settings[api] = pairs
        period = next(_DATA_PERIOD.search(line) for line in lines if _DATA_PERIOD.search(line))
        assert period is not None
        return cls(
            process=process,
            base_url=base_url,
            settings=settings,
            data_start=date.fromisoformat(period.group(1)),
            data_end=date.fromisoformat(period.group(2)),
            started_seconds=started_seconds,
            scale=scale,
            latency_ms=latency_ms,
        )

    def stop(self) -> None:
        self.session.close()
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def __enter__(self) -> SandboxProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _control(self, method: str, route: str, payload: Any = None) -> Any:
        response = self.session.request(
            method, f"{self.base_url}/_sandbox/{route}", json=payload, timeout=120
        )
        response.raise_for_status()
        return response.json()

    def requests_log(self) -> list[dict[str, Any]]:
        """Every API request served since the log was last cleared, oldest first."""
        return self._control("GET", "requests")  # type: ignore[no-any-return]

    def clear_requests(self) -> None:
        self._control("DELETE", "requests")

    def queue_faults(self, path_contains: str, faults: list[dict[str, Any]]) -> None:
        self._control("POST", "faults", {"path_contains": path_contains, "faults": faults})

    def clear_faults(self) -> None:
        self._control("DELETE", "faults")

    def tracksale_writes(self) -> list[dict[str, Any]]:
        """Every write Tracksale accepted, with its path and body."""
        return self._control("POST", "tracksale/writes")  # type: ignore[no-any-return]
