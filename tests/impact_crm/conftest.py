"""Fixtures of the tap-impact-crm tests; their helpers are in `helpers.py`."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.tap_runner import TapRun, run_tap


@pytest.fixture
def run_crm(tmp_path: Path):
    def run(config: dict, **kwargs: object) -> TapRun:
        return run_tap("tap-impact-crm", tmp_path, config, **kwargs)

    return run
