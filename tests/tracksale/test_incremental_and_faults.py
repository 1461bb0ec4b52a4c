"""Incremental runs with a lookback, resuming after a kill, and API failures."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.tap_runner import kill_after_states
from tests.tracksale.helpers import DATA_END, DATA_START, tracksale_config

DEBUG = {"LOGLEVEL": "DEBUG"}


def answer_starts(sandbox) -> list[str]:
    return [r["query"]["start"] for r in sandbox.requests if r["path"].endswith("/report/answer")]


def test_second_run_rereads_the_lookback_and_picks_up_edits(sandbox, run_tracksale):
    config = tracksale_config(sandbox, lookback_days=5)
    del config["end_date"]  # answers added and edited now, after the sandbox's data period
    recent = sandbox.tracksale.add_answers(3)
    first = run_tracksale(config).check()
    bookmark = first.final_state["bookmarks"]["answers"]["replication_key_value"]
    before = {a["id"]: a for a in first.records["answers"]}
    assert set(recent) <= set(before)
    edited = sandbox.tracksale.edit_answer(recent[0])
    added = sandbox.tracksale.add_answers(2)
    sandbox.clear_requests()
    second = run_tracksale(config, state=first.final_state).check()
    day = dt.date.fromisoformat(bookmark[:10]) - dt.timedelta(days=5)
    assert min(answer_starts(sandbox))[:10] == day.isoformat()
    again = {a["id"]: a for a in second.records["answers"]}
    assert again[recent[0]]["status"] == edited["status"]
    assert again[recent[0]]["update_time"] >= before[recent[0]]["update_time"]
    assert set(added) <= set(again)
    assert len(again) < len(before) / 4


@pytest.mark.parametrize("sandbox", [{"latency_ms": 20, "scale": 400}], indirect=True)
def test_a_killed_run_resumes_without_losing_answers(sandbox, tmp_path, run_tracksale):
    config = tracksale_config(sandbox, window_days=15)
    killed = kill_after_states("tap-tracksale", tmp_path, config, states=4, containing='"answers"')
    state = killed.final_state
    before = {r["id"] for r in killed.records.get("answers", [])}
    resumed = run_tracksale(config, state=state).check()
    after = {a["id"] for a in resumed.records["answers"]}
    everything = {
        a["id"] for a in sandbox.tracksale.answers(start=DATA_START, end=DATA_END, limit=-1)
    }
    assert before | after == everything
    assert before - after, "the resumed run read everything again"


def test_a_bad_token_says_what_to_do(sandbox, run_tracksale):
    run = run_tracksale(tracksale_config(sandbox, api_token="not-the-token-123"))
    assert run.returncode != 0
    assert "refused the token" in run.stderr
    assert "`api_token`" in run.stderr
    assert "not-the-token-123" not in run.stdout + run.stderr


def test_429_and_5xx_are_retried(sandbox, run_tracksale):
    sandbox.queue_faults(
        path_contains="/report/answer",
        faults=[{"status": 429, "retry_after": 1}, {"status": 503}, {"drop": True}],
    )
    run = run_tracksale(tracksale_config(sandbox)).check()
    assert "retrying in 1.0s" in run.stderr
    statuses = [r["status"] for r in sandbox.requests if r["path"].endswith("/report/answer")]
    assert 429 in statuses
    assert 503 in statuses
    want = {a["id"] for a in sandbox.tracksale.answers(start=DATA_START, end=DATA_END, limit=-1)}
    assert {a["id"] for a in run.records["answers"]} == want


def test_connection_test_and_secrets_at_debug_level(sandbox, run_tracksale):
    config = tracksale_config(sandbox)
    ok = run_tracksale(config, args=("--test",), env=DEBUG)
    assert ok.returncode == 0, ok.stderr
    assert "Connection test passed" in ok.stderr
    run = run_tracksale(config, env=DEBUG).check()
    assert "DEBUG" in run.stderr
    for output in (ok.stdout + ok.stderr, run.stdout, run.stderr):
        assert config["api_token"] not in output
