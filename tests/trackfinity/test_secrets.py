"""The API key appears in no output or state, at debug level too (failures: see
`test_access_and_errors.py`)."""

from __future__ import annotations

import json

from tests.trackfinity.helpers import trackfinity_config

DEBUG = {"LOGLEVEL": "DEBUG", "TAP_TRACKFINITY_LOGLEVEL": "DEBUG"}


def assert_secret_free(text: str, secret: str) -> None:
    assert secret not in text, "a secret reached the output"


def test_no_secret_in_stdout_stderr_or_state_at_debug_level(sandbox, run_trackfinity):
    sandbox.queue_faults(
        path_contains="/report/profitloss", faults=[{"status": 429, "retry_after": 0}]
    )
    config = trackfinity_config(sandbox, start_date="2026-09-01")
    run = run_trackfinity(config, env=DEBUG).check()
    assert "DEBUG" in run.stderr  # debug logging really was on
    assert "retrying" in run.stderr
    for text in (run.stdout, run.stderr, json.dumps(run.final_state)):
        assert_secret_free(text, config["api_key"])


def test_no_secret_in_discovery_about_or_test(sandbox, run_trackfinity):
    config = trackfinity_config(sandbox)
    for args in (("--discover",), ("--about", "--format=json"), ("--test",)):
        run = run_trackfinity(config, args=args, env=DEBUG)
        assert run.returncode == 0, (args, run.stderr)
        assert_secret_free(run.stdout + run.stderr, config["api_key"])
