"""`api-sandbox serve` run as a process: what it announces, and a clean stop on SIGTERM."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

SERVE = [sys.executable, "-m", "api_sandbox.cli", "serve", "--port", "0"]


@dataclass(frozen=True)
class Served:
    """The lines the CLI printed up to its control API line, and the base URL it listens on."""

    lines: list[str]
    base_url: str

    def line_with(self, text: str) -> str:
        return next(line for line in self.lines if text in line)

    def settings(self, text: str) -> dict[str, str]:
        """The `name=value` pairs of the first announced line containing `text`."""
        return dict(part.split("=", 1) for part in self.line_with(text).split()[1:])


@contextmanager
def serving(*args: str) -> Iterator[Served]:
    """Start `api-sandbox serve --port 0 ARGS`; on leaving, SIGTERM must stop it with exit 0."""
    process = subprocess.Popen([*SERVE, *args], stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        lines: list[str] = []
        while not lines or not lines[-1].startswith("control API"):
            line = process.stdout.readline()
            assert line, f"api-sandbox stopped before it was ready: {''.join(lines)}"
            lines.append(line)
        listening = re.fullmatch(r"api-sandbox listening on (http://127\.0\.0\.1:\d+)\n", lines[0])
        assert listening, lines[0]
        yield Served(lines, listening[1])
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        if process.stdout is not None:
            process.stdout.close()
