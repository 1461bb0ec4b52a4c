"""Rate limits, server errors and dropped connections: retried, nothing lost, nothing twice."""

from __future__ import annotations

import datetime as dt

from tests.tracksale_target.helpers import (
    STREAM,
    customers,
    messages,
    received_emails,
    target_config,
)


def seconds(stamp: str) -> float:
    return dt.datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp()


def dispatch_log(sandbox) -> list[dict]:
    return [r for r in sandbox.requests if r["path"].endswith("/dispatch")]


def test_429_waits_what_retry_after_asks(sandbox, tmp_path, run):
    sandbox.queue_faults(path_contains="/dispatch", faults=[{"status": 429, "retry_after": 2}])
    result = run(target_config(sandbox, tmp_path), messages(customers(30))).check()
    assert "retrying in 2.0s" in result.stderr
    log = dispatch_log(sandbox)
    assert [r["status"] for r in log] == [429, 200]
    assert seconds(log[1]["time"]) - seconds(log[0]["time"]) >= 1.9
    assert received_emails(sandbox) == {c["email"]: 1 for c in customers(30)}
    assert result.counts(STREAM)["sent"] == 30
    assert result.summary["api"]["retries"] == 1
    assert result.summary["api"]["concurrency_lowered"] == 1
    assert "concurrency lowered 1 time(s)" in result.stderr


def test_5xx_and_dropped_connections_are_retried_without_sending_twice(sandbox, tmp_path, run):
    sandbox.queue_faults(
        path_contains="/dispatch", faults=[{"status": 503}, {"status": 500}, {"drop": True}]
    )
    config = target_config(sandbox, tmp_path, batch_size=100, max_concurrency=2)
    result = run(config, messages(customers(450))).check()
    statuses = [r["status"] for r in dispatch_log(sandbox)]
    assert {503, 500, None} <= set(statuses)
    assert received_emails(sandbox) == {c["email"]: 1 for c in customers(450)}
    assert result.rejects == []
    assert result.counts(STREAM)["sent"] == 450


def test_a_persistent_failure_stops_the_run_and_a_rerun_loses_nothing(sandbox, tmp_path, run):
    sandbox.queue_faults(path_contains="/dispatch", faults=[{"status": 503}] * 3)
    config = target_config(sandbox, tmp_path, max_retries=2, batch_size=100, max_concurrency=1)
    failed = run(config, messages(customers(250), state_every=50))
    assert failed.returncode != 0
    assert "Gave up after 3 attempts" in failed.stderr
    assert failed.summary["status"] == "failed"
    assert "Gave up" in failed.summary["error"]
    assert failed.states == []  # the first request never went through
    assert received_emails(sandbox) == {}
    again = run(config, messages(customers(250), state_every=50)).check()
    assert received_emails(sandbox) == {c["email"]: 1 for c in customers(250)}
    assert again.states[-1] == {"done": 250}


def test_a_refused_token_says_which_setting_to_fix(sandbox, tmp_path, run):
    config = target_config(sandbox, tmp_path, api_token="not-the-token")
    result = run(config, messages(customers(2)))
    assert result.returncode != 0
    assert "refused the API token" in result.stderr
    assert "`api_token`" in result.stderr
    assert "not-the-token" not in result.stderr
