"""Exactly once: the ledger across runs, a killed run re-run, and the crash window."""

from __future__ import annotations

import sqlite3

import pytest
import requests

from tests.tracksale_target.helpers import (
    STREAM,
    campaign_code,
    customers,
    messages,
    posts,
    received_emails,
    target_config,
)
from tests.tracksale_target.target_runner import ledger_rows, run_and_kill


def test_a_second_run_sends_nothing_already_sent(sandbox, tmp_path, run):
    config = target_config(sandbox, tmp_path, batch_size=50, max_concurrency=2)
    run(config, messages(customers(120))).check()
    assert len(posts(sandbox, "/dispatch")) == 3
    second = run(config, messages(customers(150))).check()  # 30 new ones
    assert received_emails(sandbox) == {c["email"]: 1 for c in customers(150)}
    assert len(posts(sandbox, "/dispatch")) == 4
    counts = second.counts(STREAM)
    assert (counts["sent"], counts["already_sent"], counts["duplicated"]) == (30, 120, 0)
    assert second.rejects == []
    assert {row["status"] for row in ledger_rows(config)} == {"sent"}
    assert len(ledger_rows(config)) == 150


@pytest.mark.parametrize("sandbox", [{"latency_ms": 60}], indirect=True)
def test_a_run_killed_between_batches_then_run_again_surveys_everyone_once(sandbox, tmp_path, run):
    config = target_config(sandbox, tmp_path, batch_size=50, max_concurrency=1)
    everyone = customers(400)
    killed = run_and_kill(
        tmp_path,
        config,
        messages(everyone, state_every=25),
        killed_when=lambda: len(sandbox.tracksale.received()) >= 150,
    )
    assert killed.returncode != 0
    surveyed = received_emails(sandbox)
    assert 150 <= sum(surveyed.values()) < 400
    # Every STATE the killed run emitted covers only customers Tracksale had accepted.
    assert killed.states, "no STATE before the kill"
    last = killed.states[-1]["done"]
    assert all(c["email"] in surveyed for c in everyone[:last])
    again = run(config, messages(everyone, state_every=25)).check()
    assert received_emails(sandbox) == {c["email"]: 1 for c in everyone}
    counts = again.counts(STREAM)
    assert counts["sent"] + counts["already_sent"] == 400
    assert counts["duplicated"] == counts["invalid"] == 0
    assert again.rejects == []
    assert again.states[-1] == {"done": 400}


def test_a_request_answered_but_not_recorded_counts_as_already_sent(sandbox, tmp_path, run):
    """The crash window: Tracksale took the customers, the ledger never heard back."""
    config = target_config(sandbox, tmp_path)
    code = campaign_code(sandbox)
    run(config, messages(customers(1))).check()  # creates the ledger
    lost = customers(10, prefix="lost")
    response = requests.post(
        f"{sandbox.tracksale_url}/campaign/{code}/dispatch",
        json={"customers": [{"email": c["email"]} for c in lost], "schedule_time": 0},
        headers={"Authorization": f"bearer {config['api_token']}"},
        timeout=10,
    )
    assert response.json()["status"]["inserted"] == 10
    with sqlite3.connect(config["ledger_path"]) as db:  # what the killed run had written
        db.executemany(
            "INSERT INTO claims VALUES ('dispatch', ?, ?, 'crashed', 'earlier-run', 'sending', "
            "0, ?, 'x')",
            [(code, f"email:{c['email']}", STREAM) for c in lost],
        )
    fresh = customers(5, prefix="new")
    result = run(config, messages([*lost, *fresh])).check()
    counts = result.counts(STREAM)
    assert (counts["already_sent"], counts["sent"], counts["duplicated"]) == (10, 5, 0)
    assert result.rejects == []
    assert received_emails(sandbox)[lost[0]["email"]] == 1
    assert ledger_rows(config, "claims") == []
    assert len(ledger_rows(config)) == 16


def test_the_api_reports_duplicates_as_rejects_and_the_ledger_keeps_them(sandbox, tmp_path, run):
    first = target_config(sandbox, tmp_path / "a")
    run(first, messages(customers(5))).check()
    other_ledger = target_config(sandbox, tmp_path / "b")  # e.g. another project, same account
    result = run(other_ledger, messages(customers(8))).check()
    counts = result.counts(STREAM)
    assert (counts["duplicated"], counts["sent"]) == (5, 3)
    duplicated = [r for r in result.rejects if r["status"] == "duplicated"]
    assert sorted(r["record"]["email"] for r in duplicated) == sorted(
        c["email"] for c in customers(5)
    )
    assert {row["status"] for row in ledger_rows(other_ledger)} == {"sent", "duplicated"}
    again = run(other_ledger, messages(customers(8))).check()
    assert again.counts(STREAM)["already_sent"] == 8
    assert received_emails(sandbox) == {c["email"]: 1 for c in customers(8)}
