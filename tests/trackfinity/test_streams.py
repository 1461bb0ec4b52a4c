"""Each stream against the sandbox over real HTTP: the documented requests, every record once."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from tests.trackfinity.expectations import (
    expected_profit_loss,
    expected_transactions,
    profit_loss_by_key,
    requests_to,
    transactions_by_id,
)
from tests.trackfinity.helpers import trackfinity_config

PROFIT_LOSS = "report/profitloss"
TRANSACTION = "report/transaction"
PAYOUT_PREVIEW = "transaction/transaction_payout_preview"
OCTOBER = {"start_date": "2026-10-01", "end_date": "2026-10-31"}


def days(start: str, end: str) -> list[str]:
    first, last = dt.date.fromisoformat(start), dt.date.fromisoformat(end)
    return [(first + dt.timedelta(days=n)).isoformat() for n in range((last - first).days + 1)]


def test_full_sync_emits_every_record_once_typed_per_schema(sandbox, run_trackfinity):
    run = run_trackfinity(trackfinity_config(sandbox)).check()
    want = expected_profit_loss(sandbox)
    assert len(want) > 1000, "the sandbox serves too little for the test to prove anything"
    assert profit_loss_by_key(run.records["profit_loss"]) == want
    transactions = expected_transactions(sandbox)
    assert len(transactions) > 5000
    assert transactions_by_id(run.records["transactions"]) == transactions
    assert "payout_preview" not in run.records
    row = run.records["profit_loss"][0]
    assert re.fullmatch(r"\d{4}-\d\d-\d\d", row["date"])
    assert row["view"] == "login"
    assert isinstance(row["break"], str)
    assert all(isinstance(row[k], int) for k in ("page_view", "conversion_amount"))
    assert not row.get("_extra_fields")
    txn = run.records["transactions"][0]
    assert re.fullmatch(r"\d{20}", txn["id"])
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", txn["time"])
    assert isinstance(txn["payouts"], list)
    assert all(isinstance(p["id"], str) for p in txn["payouts"])
    schemas = {m["stream"]: m for m in run.messages if m["type"] == "SCHEMA"}
    assert schemas["profit_loss"]["key_properties"] == ["date", "view", "break"]
    assert schemas["profit_loss"]["bookmark_properties"] == ["date"]
    assert schemas["transactions"]["key_properties"] == ["id"]
    assert schemas["transactions"]["bookmark_properties"] == ["time"]
    payouts = schemas["transactions"]["schema"]["properties"]["payouts"]
    assert "array" in payouts["type"]
    assert "object" in payouts["items"]["type"]
    assert schemas["payout_preview"]["key_properties"] == ["snapshot_time", "lookup"]


def test_profit_loss_asks_once_per_day_and_view_with_the_documented_parameters(
    sandbox, run_trackfinity
):
    views = ["login", "offer", "period"]
    config = trackfinity_config(sandbox, **OCTOBER, profitloss_views=views, window_days=7)
    run = run_trackfinity(config).check()
    asked = [r["query"] for r in requests_to(sandbox, PROFIT_LOSS)]
    want = [
        {"view": view, "params[period]": "8", "params[start]": day, "params[end]": day}
        for day in days(OCTOBER["start_date"], OCTOBER["end_date"])
        for view in views
    ]
    assert sorted(asked, key=str) == sorted(want, key=str), "not one request per day and view"
    expected = expected_profit_loss(sandbox, views, **_span(OCTOBER))
    assert profit_loss_by_key(run.records["profit_loss"]) == expected
    periods = [r for r in run.records["profit_loss"] if r["view"] == "period"]
    assert {r["break_time"][:10] for r in periods} == set(days("2026-10-01", "2026-10-31"))
    assert all(r["break_time"].endswith("T00:00:00Z") for r in periods)
    assert not any("break_time" in r for r in run.records["profit_loss"] if r["view"] == "login")


def _span(dates: dict) -> dict:
    return {"start": dates["start_date"], "end": dates["end_date"]}


def test_profitloss_params_are_passed_inside_params(sandbox, run_trackfinity):
    login = sandbox.trackfinity.dataset.affiliates[1].loginid
    config = trackfinity_config(
        sandbox, **OCTOBER, profitloss_params={"filter_loginid": login, "limit_inhouse": 2}
    )
    run = run_trackfinity(config).check()
    asked = requests_to(sandbox, PROFIT_LOSS)
    assert len(asked) == 31
    assert all(r["query"]["params[filter_loginid]"] == str(login) for r in asked)
    assert all(r["query"]["params[limit_inhouse]"] == "2" for r in asked)
    assert {r["break"] for r in run.records["profit_loss"]} == {str(login)}
    assert "passing params[filter_loginid]=" in run.stderr


def test_transactions_are_read_per_window_with_the_documented_parameters(sandbox, run_trackfinity):
    config = trackfinity_config(sandbox, **OCTOBER, window_days=10, page_size=100)
    run = run_trackfinity(config).check()
    asked = [r["query"] for r in requests_to(sandbox, TRANSACTION)]
    windows = {(q["start"], q["end"]) for q in asked}
    assert windows == {
        ("2026-10-01", "2026-10-10"),
        ("2026-10-11", "2026-10-20"),
        ("2026-10-21", "2026-10-30"),
        ("2026-10-31", "2026-10-31"),
    }
    assert all(set(q) == {"period", "start", "end", "trans_start", "trans_count"} for q in asked)
    assert all(q["period"] == "8" and q["trans_count"] == "100" for q in asked)
    want = expected_transactions(sandbox, **_span(OCTOBER))
    assert len(want) > 200
    assert transactions_by_id(run.records["transactions"]) == want
    for start, end in windows:
        offsets = [int(q["trans_start"]) for q in asked if (q["start"], q["end"]) == (start, end)]
        served = len(expected_transactions(sandbox, start, end))
        assert offsets == [*range(0, served, 100), served], "paged by offset, to an empty page"


def test_transaction_params_are_passed_through(sandbox, run_trackfinity):
    login = sandbox.trackfinity.dataset.affiliates[2].loginid
    params = {"filter_loginid": login, "trans_type": "rebill"}
    config = trackfinity_config(sandbox, **OCTOBER, transaction_params=params)
    run = run_trackfinity(config).check()
    asked = requests_to(sandbox, TRANSACTION)
    assert all(r["query"]["filter_loginid"] == str(login) for r in asked)
    assert all(r["query"]["trans_type"] == "rebill" for r in asked)
    want = expected_transactions(sandbox, **_span(OCTOBER), **params)
    assert want
    assert transactions_by_id(run.records["transactions"]) == want
    assert {t["trans_type"] for t in run.records["transactions"]} == {"rebill"}


def test_payout_preview_makes_no_request_without_hashes(sandbox, run_trackfinity):
    run = run_trackfinity(trackfinity_config(sandbox, start_date="2026-10-31")).check()
    assert requests_to(sandbox, PAYOUT_PREVIEW) == []
    assert "payout_preview" not in run.records
    assert "no `payout_preview_hashes` configured" in run.stderr


def test_payout_preview_asks_once_per_configured_click(sandbox, run_trackfinity):
    first, second, third = sandbox.trackfinity.preview_clicks
    hashes = [
        first,
        {"transaction_hash": second, "amount": 50.25},
        {
            "transaction_hash": third,
            "amount": 10,
            "transaction_type": "rebill",
        },
    ]
    config = trackfinity_config(sandbox, start_date="2026-10-31", payout_preview_hashes=hashes)
    before = dt.datetime.now(dt.timezone.utc)
    run = run_trackfinity(config).check()
    asked = [r["query"] for r in requests_to(sandbox, PAYOUT_PREVIEW)]
    assert sorted(asked, key=str) == sorted(
        [
            {"transaction_hash": first},
            {"transaction_hash": second, "amount": "50.25"},
            {"transaction_hash": third, "amount": "10", "transaction_type": "rebill"},
        ],
        key=str,
    )
    records = {r["transaction_hash"]: r for r in run.records["payout_preview"]}
    assert set(records) == {first, second, third}
    assert (records[first]["amount"], records[first]["transaction_type"]) == (None, None)
    assert records[second]["amount"] == 50.25
    assert records[third]["transaction_type"] == "rebill"
    assert records[second]["lookup"] == f"transaction_hash={second}&amount=50.25"
    for click, record in records.items():
        params = {k: v for k, v in asked_for(asked, click).items() if k != "transaction_hash"}
        assert record["answer"] == sandbox.trackfinity.payout_preview(click, **params)
    (stamp,) = {r["snapshot_time"] for r in run.records["payout_preview"]}
    taken = dt.datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    assert before <= taken <= dt.datetime.now(dt.timezone.utc)


def asked_for(asked: list[dict], click: str) -> dict:
    (query,) = [q for q in asked if q["transaction_hash"] == click]
    return query


def test_an_unknown_click_fails_naming_it(sandbox, run_trackfinity):
    config = trackfinity_config(
        sandbox, start_date="2026-10-31", payout_preview_hashes=["no-such-click.1"]
    )
    run = run_trackfinity(config)
    assert run.returncode != 0
    assert "HTTP 404" in run.stderr
    assert "transaction_hash='no-such-click.1'" in run.stderr
    assert "`payout_preview_hashes`" in run.stderr


@pytest.mark.parametrize(
    ("setting", "value", "message"),
    [
        ("profitloss_views", ["login", "affiliate"], "'affiliate', which the profit/loss"),
        ("profitloss_views", [], "must be a non-empty list of views"),
        ("profitloss_params", {"start": "2026-01-01"}, "must not set start"),
        ("transaction_params", {"trans_count": 5}, "must not set trans_count"),
        ("payout_preview_hashes", [{"transaction_hash": " "}], "needs `transaction_hash`"),
        ("page_size", 0, "must be at least 1"),
        ("payout_preview_hashes", ["a.1", "a.1"], "the same lookup twice"),
    ],
)
def test_bad_settings_fail_before_any_request_naming_the_setting(
    sandbox, run_trackfinity, setting, value, message
):
    run = run_trackfinity(trackfinity_config(sandbox, start_date="2026-10-31", **{setting: value}))
    assert run.returncode != 0
    assert sandbox.requests == []
    assert f"`{setting}" in run.stderr
    assert message in run.stderr
