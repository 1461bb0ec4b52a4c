"""Fixtures of the tap-tracksale tests; their helpers are in `helpers.py`."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from api_sandbox import Sandbox

from tests.tap_runner import TapRun, run_tap
from tests.tracksale.helpers import TEST_LOCK_REQUESTS


@pytest.fixture
def sandbox(request: pytest.FixtureRequest) -> Iterator[Sandbox]:
    """The suite's sandbox, with Tracksale's lock raised to `TEST_LOCK_REQUESTS`.

    Several full runs against one sandbox take more than the real lock's 1000 requests in
    five minutes; tests of the lock pass their own `tracksale_lock_requests`.
    """
    options = {
        "seed": 7,
        "scale": 300,
        "tracksale_lock_requests": TEST_LOCK_REQUESTS,
        **getattr(request, "param", {}),
    }
    with Sandbox(**options).start() as running:
        yield running


@pytest.fixture
def run_tracksale(tmp_path: Path):
    def run(config: dict, **kwargs: object) -> TapRun:
        return run_tap("tap-tracksale", tmp_path, config, **kwargs)

    return run
