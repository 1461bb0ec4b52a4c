"""Fixtures of the target-tracksale tests; their helpers are in `helpers.py`."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.tracksale_target.target_runner import TargetRun, run_target


@pytest.fixture
def run(tmp_path: Path):
    def run_once(config: dict, input_messages: list[dict], **kwargs: object) -> TargetRun:
        return run_target(tmp_path, config, input_messages, **kwargs)

    return run_once
