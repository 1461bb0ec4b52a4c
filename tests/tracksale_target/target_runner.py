"""Runs target-tracksale as users do, its CLI fed Singer messages on stdin, and reads its files."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

BIN = Path(sys.executable).parent
TARGET = str(BIN / "target-tracksale")


def schema(stream: str, properties: Iterable[str] = ("name", "email", "phone")) -> dict:
    return {
        "type": "SCHEMA",
        "stream": stream,
        "schema": {"type": "object", "properties": {p: {} for p in properties}},
        "key_properties": [],
    }


def record(stream: str, values: dict) -> dict:
    return {"type": "RECORD", "stream": stream, "record": values}


def state(value: dict) -> dict:
    return {"type": "STATE", "value": value}


def singer_input(messages: Iterable[dict]) -> str:
    return "".join(json.dumps(message) + "\n" for message in messages)


@dataclass
class TargetRun:
    """What one target run printed and left behind."""

    returncode: int
    stdout: str
    stderr: str
    config: dict

    @property
    def states(self) -> list[dict]:
        return [json.loads(line) for line in self.stdout.splitlines() if line.strip()]

    @property
    def summary(self) -> dict:
        return json.loads(Path(self.config["summary_path"]).read_text())

    def counts(self, stream: str) -> dict:
        rows = [row for row in self.summary["streams"] if row["stream"] == stream]
        assert rows, f"no summary row for {stream}: {self.summary}"
        return rows[0]

    @property
    def rejects(self) -> list[dict]:
        return read_jsonl(Path(self.config["rejects_path"]))

    @property
    def survey_links(self) -> list[dict]:
        return read_jsonl(Path(self.config["survey_links_path"]))

    def check(self) -> TargetRun:
        assert self.returncode == 0, f"target failed ({self.returncode}):\n{self.stderr[-4000:]}"
        return self


def read_jsonl(path: Path) -> list[dict]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def ledger_rows(config: dict, table: str = "deliveries") -> list[dict]:
    path = Path(config["ledger_path"])
    if not path.exists():
        return []
    with sqlite3.connect(path) as db:
        db.row_factory = sqlite3.Row
        return [dict(row) for row in db.execute(f"SELECT * FROM {table}")]


def write_config(workdir: Path, config: dict) -> Path:
    path = workdir / f"target-config-{time.monotonic_ns()}.json"
    path.write_text(json.dumps(config))
    return path


def run_target(
    workdir: Path,
    config: dict,
    messages: Iterable[dict],
    *,
    env: dict[str, str] | None = None,
    timeout: float = 120,
) -> TargetRun:
    done = subprocess.run(
        [TARGET, "--config", str(write_config(workdir, config))],
        input=singer_input(messages),
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, **(env or {})},
        check=False,
    )
    return TargetRun(done.returncode, done.stdout, done.stderr, config)


def run_and_kill(
    workdir: Path,
    config: dict,
    messages: list[dict],
    *,
    killed_when: Callable[[], bool],
    timeout: float = 60,
) -> TargetRun:
    """Feed `messages` but keep stdin open; SIGKILL the target once `killed_when()` holds."""
    process = subprocess.Popen(
        [TARGET, "--config", str(write_config(workdir, config))],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdin is not None
    process.stdin.write(singer_input(messages))
    process.stdin.flush()
    deadline = time.monotonic() + timeout
    while not killed_when():
        assert process.poll() is None, "the target ended before it could be killed"
        assert time.monotonic() < deadline, "the target never got far enough to be killed"
        time.sleep(0.02)
    process.kill()
    stdout, stderr = process.communicate(timeout=timeout)
    return TargetRun(process.returncode, stdout, stderr, config)
