"""`ledger_url`: where the ledger lives, what a wrong one says, and the empty-ledger warning."""

from __future__ import annotations

import json
import socket
import sqlite3

from tests.tracksale_target.helpers import (
    STREAM,
    campaign_code,
    customers,
    messages,
    received_emails,
    target_config,
)
from tests.tracksale_target.target_runner import ledger_rows

RESUMED = {"type": "STATE", "value": {"bookmarks": {STREAM: {"replication_key_value": "2026"}}}}


def test_a_sqlite_url_is_the_ledger(sandbox, tmp_path, run):
    path = tmp_path / "kept" / "ledger.sqlite"
    config = target_config(sandbox, tmp_path, ledger_url=f"sqlite:///{path}")
    run(config, messages(customers(4))).check()
    again = run(config, messages(customers(4))).check()
    assert again.counts(STREAM)["already_sent"] == 4
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT count(*) FROM deliveries").fetchone() == (4,)
    assert not (tmp_path / "out" / "ledger.sqlite").exists()


def test_a_url_of_another_database_says_what_to_write(sandbox, tmp_path, run):
    config = target_config(sandbox, tmp_path, ledger_url="mysql://u:pw-here@db/x")
    result = run(config, messages(customers(1)))
    assert result.returncode != 0
    assert "`ledger_url` must start with sqlite:/// " in result.stderr
    assert "pw-here" not in result.stderr
    assert received_emails(sandbox) == {}


def test_an_unreachable_postgresql_ledger_stops_the_run_before_sending(sandbox, tmp_path, run):
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"postgresql://ledger:pw-not-shown@127.0.0.1:{port}/ledger"
    result = run(target_config(sandbox, tmp_path, ledger_url=url), messages(customers(2)))
    assert result.returncode != 0
    assert f"Cannot open the ledger at postgresql://ledger:***@127.0.0.1:{port}/ledger" in (
        result.stderr
    )
    assert "pw-not-shown" not in result.stderr
    assert received_emails(sandbox) == {}


def test_an_empty_ledger_under_a_tap_that_ran_before_is_warned_about(sandbox, tmp_path, run):
    config = target_config(sandbox, tmp_path)
    first = run(config, [RESUMED, *messages(customers(2))]).check()
    assert "is empty, but the incoming STATE shows earlier runs" in first.stderr
    assert first.summary["warnings"]
    # The same ledger next time: it has history, so no warning.
    again = run(config, [RESUMED, *messages(customers(2))]).check()
    assert "is empty" not in again.stderr
    assert again.summary["warnings"] == []


def test_a_first_run_with_records_before_its_first_state_is_not_warned_about(
    sandbox, tmp_path, run
):
    result = run(target_config(sandbox, tmp_path), messages(customers(2))).check()
    assert "is empty" not in result.stderr
    assert result.summary["warnings"] == []


def test_a_ledger_of_the_earlier_layout_is_upgraded_and_its_open_requests_kept(
    sandbox, tmp_path, run
):
    """Version 0.2 listed unanswered requests in a `requests` table; they become claims."""
    config = target_config(sandbox, tmp_path)
    code = campaign_code(sandbox)
    early = customers(3, prefix="early")
    run(config, messages(early)).check()
    with sqlite3.connect(config["ledger_path"]) as db:
        db.execute("DROP TABLE claims")
        db.execute("DROP TABLE runs")
        db.execute(
            "CREATE TABLE requests (request_id TEXT PRIMARY KEY, action TEXT NOT NULL, "
            "campaign_code INTEGER NOT NULL, identities TEXT NOT NULL, stream TEXT, "
            "run_id TEXT NOT NULL, created_at TEXT NOT NULL)"
        )
        listed = [f"email:{c['email']}" for c in customers(2, prefix="open")]
        db.execute(
            "INSERT INTO requests VALUES ('r1', 'dispatch', ?, ?, ?, 'old-run', 'x')",
            (code, json.dumps(listed), STREAM),
        )
    result = run(config, messages([*early, *customers(2, prefix="open")])).check()
    counts = result.counts(STREAM)
    assert (counts["already_sent"], counts["sent"]) == (3, 2)
    assert ledger_rows(config, "claims") == []
    with sqlite3.connect(config["ledger_path"]) as db:
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master")}
    assert "requests" not in tables
