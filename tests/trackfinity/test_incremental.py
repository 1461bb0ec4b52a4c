"""Incremental runs and resuming after a kill, through the tap's own STATE output."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.tap_runner import kill_after_states
from tests.trackfinity.expectations import (
    expected_profit_loss,
    expected_transactions,
    profit_loss_by_key,
    profit_loss_key,
    requests_to,
    transactions_by_id,
)
from tests.trackfinity.helpers import trackfinity_config

PROFIT_LOSS = "report/profitloss"
TRANSACTION = "report/transaction"
REPLICATION_KEYS = {"profit_loss": "date", "transactions": "time"}


def bookmark(state: dict, stream: str) -> str:
    return state["bookmarks"][stream]["replication_key_value"]


def test_second_run_starts_on_the_bookmark_day(sandbox, run_trackfinity):
    first = run_trackfinity(
        trackfinity_config(sandbox, end_date="2026-03-15", lookback_days=0)
    ).check()
    assert bookmark(first.final_state, "profit_loss") == "2026-03-15T00:00:00Z"
    assert max(r["date"] for r in first.records["profit_loss"]) == "2026-03-15"
    mark = bookmark(first.final_state, "transactions")
    assert mark.startswith("2026-03-15T")
    assert max(r["time"] for r in first.records["transactions"]) == mark
    sandbox.clear_requests()
    second = run_trackfinity(
        trackfinity_config(sandbox, lookback_days=0), state=first.final_state
    ).check()
    days = [r["query"]["params[start]"] for r in requests_to(sandbox, PROFIT_LOSS)]
    assert min(days) == "2026-03-15"
    starts = [r["query"]["start"] for r in requests_to(sandbox, TRANSACTION)]
    assert min(starts) == "2026-03-15"
    union = profit_loss_by_key(first.records["profit_loss"])
    union.update(profit_loss_by_key(second.records["profit_loss"]))
    assert union == expected_profit_loss(sandbox)
    transactions = transactions_by_id(first.records["transactions"])
    transactions.update(transactions_by_id(second.records["transactions"]))
    assert transactions == expected_transactions(sandbox)
    assert bookmark(second.final_state, "profit_loss") == "2026-10-31T00:00:00Z"


def test_restated_days_are_read_again_through_the_lookback(sandbox, run_trackfinity):
    first = run_trackfinity(trackfinity_config(sandbox, end_date="2026-03-15")).check()
    sandbox.clear_requests()
    run_trackfinity(trackfinity_config(sandbox, lookback_days=4), state=first.final_state).check()
    days = [r["query"]["params[start]"] for r in requests_to(sandbox, PROFIT_LOSS)]
    assert min(days) == "2026-03-11"  # the bookmark's day, less four days
    starts = [r["query"]["start"] for r in requests_to(sandbox, TRANSACTION)]
    assert min(starts) == "2026-03-15"  # transactions are not restated: no lookback


@pytest.mark.parametrize("sandbox", [{"latency_ms": 20}], indirect=True)
@pytest.mark.parametrize("stream", ["profit_loss", "transactions"])
def test_a_killed_run_resumes_from_its_last_completed_window(
    sandbox, tmp_path, run_trackfinity, stream
):
    window_days = 10
    config = trackfinity_config(
        sandbox,
        window_days=window_days,
        lookback_days=0,
        page_size=50,
        max_concurrency=2,
    )
    key = f'"replication_key":"{REPLICATION_KEYS[stream]}"'
    killed = kill_after_states("tap-trackfinity", tmp_path, config, states=5, containing=key)
    state = killed.final_state
    before_kill = killed.records.get(stream, [])
    resumed = run_trackfinity(config, state=state).check()
    mark = dt.date.fromisoformat(bookmark(state, stream)[:10])
    assert mark > dt.date(2025, 11, 1)
    limit = (mark + dt.timedelta(days=window_days)).isoformat()
    if stream == "profit_loss":
        union = {profit_loss_key(r) for r in before_kill + resumed.records[stream]}
        assert union == set(expected_profit_loss(sandbox)), "a record was lost"
        reread = [r for r in before_kill if r["date"] >= mark.isoformat()]
        assert all(r["date"] <= limit for r in reread), "re-read more than one window"
        assert min(r["date"] for r in resumed.records[stream]) == mark.isoformat()
    else:
        union = {r["id"] for r in before_kill + resumed.records[stream]}
        assert union == set(expected_transactions(sandbox)), "a record was lost"
        reread = [r for r in before_kill if r["time"][:10] >= mark.isoformat()]
        assert all(r["time"][:10] <= limit for r in reread), "re-read more than one window"
        assert min(r["time"] for r in resumed.records[stream])[:10] == mark.isoformat()
