"""Runs a tap as users do, as a subprocess of its own CLI, and reads its Singer output."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

BIN = Path(sys.executable).parent


@dataclass
class TapRun:
    """What one tap run printed: its messages by type, its logs, its exit status."""

    returncode: int
    stdout: str
    stderr: str
    messages: list[dict] = field(default_factory=list)

    @property
    def records(self) -> dict[str, list[dict]]:
        out: dict[str, list[dict]] = {}
        for message in self.messages:
            if message["type"] == "RECORD":
                out.setdefault(message["stream"], []).append(message["record"])
        return out

    @property
    def states(self) -> list[dict]:
        return [m["value"] for m in self.messages if m["type"] == "STATE"]

    @property
    def final_state(self) -> dict:
        return self.states[-1] if self.states else {}

    def check(self) -> TapRun:
        assert self.returncode == 0, f"tap failed ({self.returncode}):\n{self.stderr[-4000:]}"
        return self


def parse_messages(stdout: str) -> list[dict]:
    return [json.loads(line) for line in stdout.splitlines() if line.strip()]


def tap_command(tap: str, workdir: Path, config: dict, state: dict | None = None) -> list[str]:
    config_file = workdir / f"config-{os.getpid()}-{id(config)}.json"
    config_file.write_text(json.dumps(config))
    command = [str(BIN / tap), "--config", str(config_file)]
    if state is not None:
        state_file = workdir / f"state-{id(state)}.json"
        state_file.write_text(json.dumps(state))
        command += ["--state", str(state_file)]
    return command


def run_tap(
    tap: str,
    workdir: Path,
    config: dict,
    *,
    state: dict | None = None,
    args: tuple[str, ...] = (),
    env: dict[str, str] | None = None,
    timeout: float = 180,
) -> TapRun:
    command = [*tap_command(tap, workdir, config, state), *args]
    done = subprocess.run(
        command,
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, **(env or {})},
        check=False,
    )
    messages = [] if args else parse_messages(done.stdout)
    return TapRun(done.returncode, done.stdout, done.stderr, messages)


def kill_after_states(
    tap: str, workdir: Path, config: dict, *, states: int, containing: str = ""
) -> TapRun:
    """Run the tap and SIGKILL it right after its `states`-th STATE line that holds
    `containing`; return what it wrote until then."""
    process = subprocess.Popen(
        tap_command(tap, workdir, config),
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    lines: list[str] = []
    seen = 0
    assert process.stdout is not None
    for line in process.stdout:
        lines.append(line)
        if '"type":"STATE"' in line.replace(" ", "") and containing in line:
            seen += 1
            if seen == states:
                process.send_signal(signal.SIGKILL)
                break
    process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL, "the run finished before it could be killed"
    output = "".join(lines)
    return TapRun(process.returncode, output, "", parse_messages(output))
