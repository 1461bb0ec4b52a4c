"""Helpers for tap-trackfinity tests: a sandbox, configs pointed at it, and tap runs."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from api_sandbox import Sandbox
from api_sandbox.trackfinity import CREDENTIALS

from tests.tap_runner import TapRun, run_tap

DATA_START = "2025-11-01"
DATA_END = "2026-10-31"


@pytest.fixture
def sandbox(request: pytest.FixtureRequest) -> Iterator[Sandbox]:
    """A fresh sandbox per test, smaller than the suite's default: Trackfinity's data grows
    with the number of affiliates, and a dozen of them cover every case here."""
    options = {"seed": 7, "scale": 120, **getattr(request, "param", {})}
    with Sandbox(**options).start() as running:
        yield running


def trackfinity_config(sandbox: Sandbox, **overrides: object) -> dict:
    return {
        "api_url": sandbox.trackfinity_url,
        "api_username": CREDENTIALS.api_username,
        "api_key": CREDENTIALS.api_key,
        "start_date": DATA_START,
        "end_date": DATA_END,
        **overrides,
    }


@pytest.fixture
def run_trackfinity(tmp_path: Path):
    def run(config: dict, **kwargs: object) -> TapRun:
        return run_tap("tap-trackfinity", tmp_path, config, **kwargs)

    return run
