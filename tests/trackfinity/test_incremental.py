"""Incremental runs and resuming after a kill, through the tap's own STATE output."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.tap_runner import kill_after_states
from tests.trackfinity.conftest import trackfinity_config
from tests.trackfinity.expectations import by_key, expected_profit_loss, key_of, requests_to

PROFIT_LOSS = "report/profitloss"


def bookmark(state: dict) -> str:
    return state["bookmarks"]["profit_loss"]["replication_key_value"]


def test_second_run_starts_on_the_bookmark_day(sandbox, run_trackfinity):
    first = run_trackfinity(
        trackfinity_config(sandbox, end_date="2026-03-15", lookback_days=0)
    ).check()
    mark = bookmark(first.final_state)
    dates = [r["date"] for r in first.records["profit_loss"]]
    # The bookmark is the last window's end as a time; the dates it covers sort before it.
    assert mark == "2026-03-15T00:00:00Z"
    assert max(dates) == "2026-03-15"
    assert max(dates) <= mark
    sandbox.clear_requests()
    second = run_trackfinity(
        trackfinity_config(sandbox, lookback_days=0), state=first.final_state
    ).check()
    starts = [r["query"]["start_date"] for r in requests_to(sandbox, PROFIT_LOSS)]
    assert min(starts) == "2026-03-15"
    again = second.records["profit_loss"]
    assert min(r["date"] for r in again) == "2026-03-15"
    union = by_key("profit_loss", first.records["profit_loss"])
    union.update(by_key("profit_loss", again))
    assert union == expected_profit_loss(sandbox)
    assert bookmark(second.final_state) == "2026-10-31T00:00:00Z"


def test_restated_days_are_read_again_through_the_lookback(sandbox, run_trackfinity):
    first = run_trackfinity(trackfinity_config(sandbox, end_date="2026-03-15")).check()
    sandbox.clear_requests()
    config = trackfinity_config(sandbox, lookback_days=4)
    run_trackfinity(config, state=first.final_state).check()
    starts = [r["query"]["start_date"] for r in requests_to(sandbox, PROFIT_LOSS)]
    assert min(starts) == "2026-03-11"  # the bookmark's day, less four days


@pytest.mark.parametrize("sandbox", [{"latency_ms": 20}], indirect=True)
def test_a_killed_run_resumes_from_its_last_completed_window(sandbox, tmp_path, run_trackfinity):
    window_days = 10
    config = trackfinity_config(sandbox, window_days=window_days, lookback_days=0)
    killed = kill_after_states(
        "tap-trackfinity", tmp_path, config, states=5, containing="replication_key_value"
    )
    state = killed.final_state
    before_kill = killed.records["profit_loss"]
    resumed = run_trackfinity(config, state=state).check()

    union = {key_of("profit_loss", r) for r in before_kill + resumed.records["profit_loss"]}
    assert union == set(expected_profit_loss(sandbox)), "a record was lost"
    mark = dt.date.fromisoformat(bookmark(state)[:10])
    assert mark > dt.date(2025, 11, 1)
    reread = [r for r in before_kill if r["date"] >= mark.isoformat()]
    limit = (mark + dt.timedelta(days=window_days)).isoformat()
    assert all(r["date"] <= limit for r in reread), "re-read more than one window"
    assert min(r["date"] for r in resumed.records["profit_loss"]) == mark.isoformat()
