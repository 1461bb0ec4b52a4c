"""Runs one contender as a child process and measures its wall time and peak resident memory.

The wall time is taken with `time.perf_counter` around the whole process (interpreter start,
imports and all). The peak RSS is the child's own maximum resident set size. It is read through
GNU time (`/usr/bin/time -f %M`) when the system has it, because on Linux the `ru_maxrss` that
`os.wait4` gives for a child also counts the memory of the process that spawned it (the
parent's image it replaced at exec): measured straight from this harness, a child would never
look smaller than the harness itself. GNU time is a small process, so what it reports is the
child's. Without it, `os.wait4` is used and the report says the figure is an upper bound.
"""

from __future__ import annotations

import functools
import os
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO

GNU_TIME = "/usr/bin/time"


@dataclass(frozen=True)
class Measured:
    """One finished run: how long it took, its peak memory, and how it ended."""

    seconds: float
    peak_rss_mb: float
    cpu_seconds: float
    """User and system CPU time of the child (and anything it waited for)."""
    returncode: int
    started_at: float
    """`time.time()` at launch, to line the run up with the sandbox's request log."""
    ended_at: float
    stderr: str

    @property
    def ok(self) -> bool:
        return self.returncode == 0

    def failure(self, label: str) -> str:
        tail = "\n".join(self.stderr.strip().splitlines()[-15:])
        return f"{label} exited with {self.returncode}:\n{tail}"


@functools.cache
def has_gnu_time() -> bool:
    try:
        probe = subprocess.run(
            [GNU_TIME, "-f", "%M", "true"], capture_output=True, text=True, check=False
        )
    except OSError:
        return False
    return probe.returncode == 0 and probe.stderr.strip().isdigit()


def peak_rss_method() -> str:
    if has_gnu_time():
        return f"the child's own maximum RSS, through {GNU_TIME} -f %M"
    return (
        f"os.wait4 ru_maxrss ({GNU_TIME} not found): an upper bound, it also counts the "
        "harness's own memory at spawn time"
    )


def run_measured(
    command: list[str],
    *,
    stdin_path: Path | None = None,
    stderr_path: Path,
    timeout: float = 1800,
) -> Measured:
    """Run `command` with stdout to /dev/null; measure it from launch to exit."""
    rss_path = stderr_path.with_suffix(".maxrss")
    if has_gnu_time():
        command = [GNU_TIME, "-f", "%M", "-o", str(rss_path), *command]
    with (
        open(os.devnull, "wb") as devnull,
        open(stderr_path, "wb") as stderr,
        _stdin(stdin_path) as stdin,
    ):
        started_at = time.time()
        started = time.perf_counter()
        process = subprocess.Popen(command, stdin=stdin, stdout=devnull, stderr=stderr)
        timer = threading.Timer(timeout, process.kill)
        timer.start()
        try:
            _, status, usage = os.wait4(process.pid, 0)
        finally:
            timer.cancel()
        seconds = time.perf_counter() - started
        ended_at = time.time()
    process.returncode = os.waitstatus_to_exitcode(status)
    peak_kb = _gnu_time_peak(rss_path) if has_gnu_time() else usage.ru_maxrss
    return Measured(
        seconds=seconds,
        peak_rss_mb=peak_kb / 1024,
        cpu_seconds=usage.ru_utime + usage.ru_stime,
        returncode=process.returncode,
        started_at=started_at,
        ended_at=ended_at,
        stderr=stderr_path.read_text(errors="replace"),
    )


def _gnu_time_peak(path: Path) -> float:
    """The last line GNU time wrote (before it, a line on a non-zero exit status)."""
    try:
        return float(path.read_text().split()[-1])
    except (OSError, IndexError, ValueError):
        return float("nan")


def _stdin(path: Path | None) -> IO[bytes]:
    return open(path if path is not None else os.devnull, "rb")
