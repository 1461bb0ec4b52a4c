"""Rate limits, server errors and dropped connections: retried, and nothing is lost."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.trackfinity.expectations import (
    expected_profit_loss,
    expected_transactions,
    profit_loss_by_key,
    requests_to,
    transactions_by_id,
)
from tests.trackfinity.helpers import trackfinity_config


def seconds(stamp: str) -> float:
    return dt.datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp()


def test_429_waits_what_retry_after_asks(sandbox, run_trackfinity):
    sandbox.queue_faults(
        path_contains="/report/profitloss", faults=[{"status": 429, "retry_after": 2}]
    )
    config = trackfinity_config(sandbox, start_date="2026-09-01", max_concurrency=1)
    run = run_trackfinity(config).check()
    assert "retrying in 2.0s" in run.stderr
    calls = requests_to(sandbox, "report/profitloss")
    assert [c["status"] for c in calls[:2]] == [429, 200]
    assert calls[0]["query"] == calls[1]["query"]
    assert seconds(calls[1]["time"]) - seconds(calls[0]["time"]) >= 1.9
    want = expected_profit_loss(sandbox, start="2026-09-01")
    assert profit_loss_by_key(run.records["profit_loss"]) == want


def test_5xx_and_dropped_connections_are_retried(sandbox, run_trackfinity):
    sandbox.queue_faults(
        path_contains="/transaction_payout_preview",
        faults=[{"status": 503}, {"status": 500}, {"drop": True}],
    )
    click = sandbox.trackfinity.preview_clicks[1]
    config = trackfinity_config(sandbox, start_date="2026-10-31", payout_preview_hashes=[click])
    run = run_trackfinity(config).check()
    statuses = [r["status"] for r in requests_to(sandbox, "transaction/transaction_payout_preview")]
    assert statuses == [503, 500, None, 200]
    (record,) = run.records["payout_preview"]
    assert record["answer"] == sandbox.trackfinity.payout_preview(click)


@pytest.mark.parametrize("sandbox", [{"rate_5xx": 1.0}], indirect=True)
def test_a_persistent_outage_fails_after_the_retry_budget(sandbox, run_trackfinity):
    run = run_trackfinity(trackfinity_config(sandbox, max_retries=2), args=("--test",))
    assert run.returncode != 0
    assert "Gave up after 3 attempts" in run.stderr


@pytest.mark.parametrize(
    "sandbox", [{"rate_429": 0.25, "rate_5xx": 0.15, "retry_after": 0}], indirect=True
)
def test_random_rate_limits_and_errors_lose_nothing(sandbox, run_trackfinity):
    clicks = list(sandbox.trackfinity.preview_clicks)
    config = trackfinity_config(sandbox, payout_preview_hashes=clicks, page_size=100)
    run = run_trackfinity(config).check()
    statuses = {r["status"] for r in sandbox.requests}
    assert 429 in statuses
    assert statuses & {500, 503}
    assert profit_loss_by_key(run.records["profit_loss"]) == expected_profit_loss(sandbox)
    want = expected_transactions(sandbox)
    assert transactions_by_id(run.records["transactions"]) == want
    assert {r["transaction_hash"] for r in run.records["payout_preview"]} == set(clicks)
