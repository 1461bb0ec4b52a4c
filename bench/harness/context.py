"""What every benchmark is handed: the sizes to run, a working directory, the sandbox, a runner."""

from __future__ import annotations

import statistics
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from harness.cores import Pinning
from harness.process import Measured, run_measured
from harness.sandbox import BIN, SandboxProcess

BENCH_DIR = Path(__file__).resolve().parent.parent
PYTHON = sys.executable


@dataclass(frozen=True)
class Sizes:
    """How big each benchmark is: the full run, or `--quick` for a smoke check."""

    cpu_records: int
    rounds: int
    latency_pages: int
    memory_records: tuple[int, int]
    customers: int


FULL = Sizes(
    cpu_records=200_000,
    rounds=3,
    latency_pages=100,
    memory_records=(100_000, 1_000_000),
    customers=100_000,
)
QUICK = Sizes(
    cpu_records=20_000,
    rounds=1,
    latency_pages=16,
    memory_records=(10_000, 50_000),
    customers=10_000,
)


@dataclass
class Context:
    """Shared by the benchmarks of one invocation; keeps at most one sandbox running."""

    sizes: Sizes
    workdir: Path
    pinning: Pinning
    _sandbox: SandboxProcess | None = None
    _runs: int = 0
    sandbox_starts: list[str] = field(default_factory=list)

    def sandbox(self, *, scale: int, latency_ms: int = 0) -> SandboxProcess:
        """A sandbox of this scale and latency, reusing the running one when it matches."""
        current = self._sandbox
        if current is not None and (current.scale, current.latency_ms) == (scale, latency_ms):
            return current
        self.stop_sandbox()
        say(f"  starting the sandbox: scale {scale:,}, latency {latency_ms} ms ...")
        log = self.workdir / f"sandbox-{scale}-{latency_ms}.log"
        sandbox = SandboxProcess.start(
            scale=scale, latency_ms=latency_ms, prefix=self.pinning.server_prefix, log=log
        )
        self._sandbox = sandbox
        started = f"scale {scale:,}, {latency_ms} ms: up in {sandbox.started_seconds:.1f} s"
        self.sandbox_starts.append(started)
        say(f"  sandbox {started}")
        return sandbox

    def stop_sandbox(self) -> None:
        if self._sandbox is not None:
            self._sandbox.stop()
            self._sandbox = None

    def run(self, label: str, command: Sequence[str], *, stdin: Path | None = None) -> Measured:
        """Run one contender, stdout to /dev/null; print and return what was measured."""
        self._runs += 1
        stderr = self.workdir / f"run-{self._runs:03d}.stderr"
        measured = run_measured(list(command), stdin_path=stdin, stderr_path=stderr)
        status = "" if measured.ok else f"  EXIT {measured.returncode}"
        say(
            f"    {label}: {measured.seconds:.2f} s (CPU {measured.cpu_seconds:.2f} s), "
            f"peak RSS {measured.peak_rss_mb:.0f} MB{status}"
        )
        return measured


def say(line: str) -> None:
    print(line, flush=True)


def tool(name: str) -> str:
    """A console script of the project's virtualenv."""
    return str(BIN / name)


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else float("nan")
