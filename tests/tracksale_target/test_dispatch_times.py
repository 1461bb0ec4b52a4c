"""Dispatch times over HTTP: at least a minute ahead at each attempt, finish_time on top."""

from __future__ import annotations

import datetime as dt
import time

import pytest

from tests.tracksale_target.helpers import (
    STREAM,
    campaign_code,
    customers,
    messages,
    posts,
    received_emails,
    target_config,
)
from tests.tracksale_target.target_runner import record, schema


def sent_at(write: dict) -> float:
    """When the sandbox accepted a write, in Unix seconds."""
    return dt.datetime.fromisoformat(write["time"].replace("Z", "+00:00")).timestamp()


def with_times(records: list[dict]) -> list[dict]:
    fields = ("name", "email", "phone", "identification", "tags", "schedule_time", "finish_time")
    return [schema(STREAM, fields), *(record(STREAM, r) for r in records)]


def test_now_is_sent_a_minute_ahead_with_no_finish_time_in_the_customers(sandbox, tmp_path, run):
    before = time.time()
    run(target_config(sandbox, tmp_path), messages(customers(3))).check()
    [write] = posts(sandbox, "/dispatch")
    assert write["body"]["schedule_time"] >= before + 60
    assert write["body"]["schedule_time"] <= time.time() + 61
    assert all("finish_time" not in c for c in write["body"]["customers"])
    assert "finish_time" not in write["body"]


def test_a_retry_sends_a_new_time_never_one_computed_before(sandbox, tmp_path, run):
    sandbox.queue_faults("/dispatch", [{"status": 503, "retry_after": 2}])
    result = run(target_config(sandbox, tmp_path), messages(customers(2))).check()
    [write] = posts(sandbox, "/dispatch")  # the refused attempt is not a write
    assert write["body"]["schedule_time"] >= sent_at(write) + 59
    assert result.counts(STREAM)["sent"] == 2
    statuses = [r["status"] for r in sandbox.requests if r["path"].endswith("/dispatch")]
    assert statuses == [503, 200]


def test_a_passed_own_time_is_sent_a_minute_ahead_and_said(sandbox, tmp_path, run):
    people = customers(2)
    people[0]["schedule_time"] = 1_600_000_000  # 2020: long past
    result = run(target_config(sandbox, tmp_path), with_times(people)).check()
    writes = posts(sandbox, "/dispatch")
    assert all(w["body"]["schedule_time"] >= sent_at(w) + 59 for w in writes)
    assert result.counts(STREAM)["sent"] == 2
    assert "which had passed" in result.stderr
    assert received_emails(sandbox) == {p["email"]: 1 for p in people}


def test_a_records_finish_time_travels_at_the_top_level(sandbox, tmp_path, run):
    finish = int(time.time()) + 30 * 86_400
    people = customers(3)
    people[0]["finish_time"] = finish
    people[1]["finish_time"] = dt.datetime.fromtimestamp(finish, dt.timezone.utc).isoformat()
    run(target_config(sandbox, tmp_path), with_times(people)).check()
    bodies = sorted(
        (w["body"] for w in posts(sandbox, "/dispatch")), key=lambda b: len(b["customers"])
    )
    assert [len(b["customers"]) for b in bodies] == [1, 2]
    assert "finish_time" not in bodies[0]
    assert bodies[1]["finish_time"] == finish
    assert all("finish_time" not in c for b in bodies for c in b["customers"])


def test_finish_after_days_counts_from_the_send_time(sandbox, tmp_path, run):
    code = campaign_code(sandbox)
    actions = {STREAM: {"action": "dispatch", "campaign_code": code, "finish_after_days": 10}}
    run(target_config(sandbox, tmp_path, actions), messages(customers(2))).check()
    [write] = posts(sandbox, "/dispatch")
    assert write["body"]["finish_time"] == write["body"]["schedule_time"] + 10 * 86_400


def test_a_finish_time_before_the_send_time_is_a_reject_with_its_reason(sandbox, tmp_path, run):
    people = customers(2)
    people[0]["finish_time"] = int(time.time()) - 86_400
    result = run(target_config(sandbox, tmp_path), with_times(people)).check()
    assert result.counts(STREAM)["sent"] == 1
    assert result.counts(STREAM)["rejected"] == 1
    [reject] = result.rejects
    assert reject["record"]["email"] == people[0]["email"]
    assert "finish_time" in reject["reason"]
    assert "Invalid Time" in reject["reason"]
    assert len(posts(sandbox, "/dispatch")) == 1


@pytest.mark.parametrize("bad", [0, -3, "x"])
def test_finish_after_days_must_be_a_whole_number_of_days(sandbox, tmp_path, run, bad):
    code = campaign_code(sandbox)
    actions = {STREAM: {"action": "dispatch", "campaign_code": code, "finish_after_days": bad}}
    result = run(target_config(sandbox, tmp_path, actions), messages(customers(1)))
    assert result.returncode != 0
    assert "finish_after_days" in result.stderr
    assert sandbox.tracksale.writes() == []
