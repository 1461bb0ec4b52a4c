"""Fixtures of the tap-trackfinity tests; their helpers are in `helpers.py`."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from api_sandbox import Sandbox

from tests.tap_runner import TapRun, run_tap


@pytest.fixture
def sandbox(request: pytest.FixtureRequest) -> Iterator[Sandbox]:
    """A fresh sandbox per test, smaller than the suite's default: Trackfinity's data grows
    with the number of affiliates, and a dozen of them cover every case here."""
    options = {"seed": 7, "scale": 120, **getattr(request, "param", {})}
    with Sandbox(**options).start() as running:
        yield running


@pytest.fixture
def run_trackfinity(tmp_path: Path):
    def run(config: dict, **kwargs: object) -> TapRun:
        return run_tap("tap-trackfinity", tmp_path, config, **kwargs)

    return run
