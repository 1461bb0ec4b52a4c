"""Meltano's and the Singer SDK's conventions: structured logs, request metrics,
ACTIVATE_VERSION and `--test`, each checked on the plugins as users run them."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from api_sandbox import Sandbox

from tests.impact_crm.helpers import crm_config
from tests.tap_runner import run_tap
from tests.trackfinity.helpers import trackfinity_config
from tests.tracksale.helpers import TEST_LOCK_REQUESTS, tracksale_config
from tests.tracksale_target.helpers import customers, messages, target_config
from tests.tracksale_target.target_runner import run_target

TAPS = {
    "tap-impact-crm": crm_config,
    "tap-tracksale": tracksale_config,
    "tap-trackfinity": trackfinity_config,
}
SECRET = "wrong-secret-7f3a9c"
WRONG = {
    "tap-impact-crm": {"password": SECRET},
    "tap-tracksale": {"api_token": SECRET},
    "tap-trackfinity": {"api_key": SECRET},
}


@pytest.fixture(scope="module")
def sandbox() -> Any:
    options = {"seed": 7, "scale": 60, "tracksale_lock_requests": TEST_LOCK_REQUESTS}
    with Sandbox(**options).start() as running:
        yield running


def meltano_logging(workdir: Path) -> dict[str, str]:
    """The logging setup Meltano gives a plugin that declares `structured-logging`.

    (The same dictionary `meltano run` writes to the plugin's `singer_sdk_logging.json` and
    names in SINGER_SDK_LOG_CONFIG, with the SDK's StructuredFormatter.)
    """
    config = {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"singer_formatter": {"()": "singer_sdk.logging.StructuredFormatter"}},
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "formatter": "singer_formatter",
                "stream": "ext://sys.stderr",
            }
        },
        "root": {"handlers": ["console"], "level": "INFO"},
    }
    path = workdir / "singer_sdk_logging.json"
    path.write_text(json.dumps(config))
    return {"SINGER_SDK_LOG_CONFIG": str(path)}


def metric_points(stderr: str) -> list[dict]:
    return [
        json.loads(line.split("METRIC: ", 1)[1])
        for line in stderr.splitlines()
        if "METRIC: " in line
    ]


@pytest.mark.parametrize("tap", TAPS)
def test_with_structured_logging_every_log_line_is_json(tap, sandbox, tmp_path):
    env = meltano_logging(tmp_path)
    good = run_tap(tap, tmp_path, TAPS[tap](sandbox), env=env).check()
    bad = run_tap(tap, tmp_path, TAPS[tap](sandbox, **WRONG[tap]), env=env)
    assert bad.returncode != 0
    for run in (good, bad):
        lines = [line for line in run.stderr.splitlines() if line.strip()]
        assert lines
        parsed = [json.loads(line) for line in lines]  # fails on any line that is not JSON
        assert all({"level", "logger_name", "message"} <= set(p) for p in parsed)
    errors = [json.loads(line) for line in bad.stderr.splitlines() if '"level":"error"' in line]
    assert errors, "the failure is logged at level error"
    assert any(e.get("exception", {}).get("message") for e in errors), "with the error's reason"
    assert SECRET not in bad.stderr


def test_target_with_structured_logging_every_log_line_is_json(sandbox, tmp_path):
    config = target_config(sandbox, tmp_path)
    run = run_target(tmp_path, config, messages(customers(3)), env=meltano_logging(tmp_path))
    run.check()
    lines = [line for line in run.stderr.splitlines() if line.strip()]
    assert any("Summary customers" in json.loads(line)["message"] for line in lines)


@pytest.mark.parametrize("tap", TAPS)
def test_each_request_is_in_the_sdk_request_metrics(tap, sandbox, tmp_path):
    sandbox.clear_requests()
    run = run_tap(tap, tmp_path, TAPS[tap](sandbox)).check()
    points = metric_points(run.stderr)
    durations = [p for p in points if p["metric"] == "http_request_duration"]
    counts = [p for p in points if p["metric"] == "http_request_count"]
    assert len(durations) == len(sandbox.requests)
    assert sum(p["value"] for p in counts) == len(sandbox.requests)
    served = Counter(r["path"] for r in sandbox.requests)
    for point in durations:
        assert point["type"] == "timer"
        assert point["value"] >= 0
        assert point["tags"]["http_status_code"] == 200
        assert point["tags"]["status"] == "succeeded"
        assert "?" not in point["tags"]["endpoint"]
    by_endpoint = {p["tags"]["endpoint"]: p["value"] for p in counts}
    assert sum(by_endpoint.values()) == sum(served.values())
    assert any("{id}" in e for e in by_endpoint) or len(by_endpoint) == len(served)
    assert {p["metric"] for p in points} >= {"record_count", "http_request_duration"}


def test_a_refused_request_is_a_failed_point_and_secrets_stay_out(sandbox, tmp_path):
    run = run_tap("tap-tracksale", tmp_path, tracksale_config(sandbox, api_token=SECRET))
    assert run.returncode != 0
    failed = [p for p in metric_points(run.stderr) if p["metric"] == "http_request_duration"]
    assert failed
    assert failed[-1]["tags"]["status"] == "failed"
    assert failed[-1]["tags"]["http_status_code"] == 401
    assert SECRET not in json.dumps(metric_points(run.stderr))


def test_target_requests_are_in_the_sdk_request_metrics(sandbox, tmp_path):
    config = target_config(sandbox, tmp_path, batch_size=10)
    run = run_target(tmp_path, config, messages(customers(30))).check()
    points = metric_points(run.stderr)
    counts = {
        p["tags"]["endpoint"]: p["value"] for p in points if p["metric"] == "http_request_count"
    }
    dispatches = [e for e in counts if e.endswith("/campaign/{id}/dispatch")]
    assert dispatches
    assert counts[dispatches[0]] == 3


@pytest.mark.parametrize("tap", TAPS)
def test_activate_version_comes_before_full_table_records_only(tap, sandbox, tmp_path):
    run = run_tap(tap, tmp_path, TAPS[tap](sandbox, emit_activate_version_messages=True)).check()
    incremental = {
        m["stream"] for m in run.messages if m["type"] == "SCHEMA" and m.get("bookmark_properties")
    }
    activated: dict[str, int] = {}
    for message in run.messages:
        stream = message.get("stream")
        if message["type"] == "ACTIVATE_VERSION":
            assert stream not in incremental
            activated[stream] = message["version"]
        elif message["type"] == "RECORD":
            if stream in incremental:
                assert "version" not in message or message["version"] is None
            else:
                assert message["version"] == activated[stream], f"{stream} before its version"
    assert activated, f"{tap} has no full-table stream that sent ACTIVATE_VERSION"
    plain = run_tap(tap, tmp_path, TAPS[tap](sandbox)).check()
    assert not [m for m in plain.messages if m["type"] == "ACTIVATE_VERSION"]


@pytest.mark.parametrize("tap", TAPS)
def test_test_schema_prints_the_schemas_only_as_sdk_taps_do(tap, sandbox, tmp_path):
    run = run_tap(tap, tmp_path, TAPS[tap](sandbox), args=("--test=schema",)).check()
    types = {json.loads(line)["type"] for line in run.stdout.splitlines() if line.strip()}
    assert types == {"SCHEMA"}


@pytest.mark.parametrize("tap", TAPS)
def test_test_checks_the_connection_and_prints_no_records(tap, sandbox, tmp_path):
    ok = run_tap(tap, tmp_path, TAPS[tap](sandbox), args=("--test",)).check()
    assert "Connection test passed" in ok.stderr
    assert ok.stdout.strip() == ""
    bad = run_tap(tap, tmp_path, TAPS[tap](sandbox, **WRONG[tap]), args=("--test",))
    assert bad.returncode == 1
    assert "Connection test failed" in bad.stderr
    assert SECRET not in bad.stderr + bad.stdout
