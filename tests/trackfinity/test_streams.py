"""Each report, its windows, its passthrough parameters and its snapshot, over real HTTP."""

from __future__ import annotations

import datetime as dt
import re

from tests.trackfinity.conftest import trackfinity_config
from tests.trackfinity.expectations import (
    SEED_EXAMPLE,
    by_key,
    expected_payout_preview,
    expected_profit_loss,
    requests_to,
)

PROFIT_LOSS = "report/profitloss"
PAYOUT_PREVIEW = "transaction/transaction_payout_preview"


def test_full_sync_emits_every_record_once_typed_per_schema(sandbox, run_trackfinity):
    run = run_trackfinity(trackfinity_config(sandbox)).check()
    want = expected_profit_loss(sandbox)
    assert len(want) > 1000, "the sandbox serves too little for the test to prove anything"
    assert by_key("profit_loss", run.records["profit_loss"]) == want
    preview = expected_payout_preview(sandbox)
    assert preview
    assert by_key("payout_preview", run.records["payout_preview"]) == preview
    assert [r["query"] for r in requests_to(sandbox, PAYOUT_PREVIEW)] == [
        {k: str(v) for k, v in SEED_EXAMPLE.items()}
    ]
    row = run.records["profit_loss"][0]
    assert re.fullmatch(r"\d{4}-\d\d-\d\d", row["date"])
    assert all(isinstance(row[k], int) for k in ("affiliate_id", "offer_id", "clicks"))
    assert all(isinstance(row[k], (int, float)) for k in ("revenue", "payout", "profit"))
    assert not row.get("_extra_fields")
    schemas = {m["stream"]: m for m in run.messages if m["type"] == "SCHEMA"}
    assert schemas["profit_loss"]["key_properties"] == ["date", "affiliate_id", "offer_id"]
    assert schemas["profit_loss"]["bookmark_properties"] == ["date"]
    assert schemas["profit_loss"]["schema"]["properties"]["date"]["format"] == "date"
    assert schemas["payout_preview"]["key_properties"] == [
        "snapshot_time",
        "affiliate_id",
        "payvia_type_id",
    ]
    assert "_extra_fields" in schemas["payout_preview"]["schema"]["properties"]


def test_no_request_spans_more_than_window_days(sandbox, run_trackfinity):
    run = run_trackfinity(trackfinity_config(sandbox, window_days=7)).check()
    windows = [
        (
            dt.date.fromisoformat(r["query"]["start_date"]),
            dt.date.fromisoformat(r["query"]["end_date"]),
        )
        for r in requests_to(sandbox, PROFIT_LOSS)
    ]
    assert max((end - start).days + 1 for start, end in windows) == 7
    days = sorted(day for start, end in windows for day in _days(start, end))
    assert days == list(_days(dt.date(2025, 11, 1), dt.date(2026, 10, 31))), "a gap or overlap"
    assert by_key("profit_loss", run.records["profit_loss"]) == expected_profit_loss(sandbox)
    marks = [
        s["bookmarks"]["profit_loss"]["replication_key_value"]
        for s in run.states
        if "replication_key_value" in s.get("bookmarks", {}).get("profit_loss", {})
    ]
    ends = [f"{end.isoformat()}T00:00:00Z" for _, end in windows]
    assert list(dict.fromkeys(marks)) == ends, "one STATE after each window, in order"
    assert "progress_markers" not in str(run.final_state)


def _days(start: dt.date, end: dt.date):
    while start <= end:
        yield start
        start += dt.timedelta(days=1)


def test_payout_preview_is_one_stamped_snapshot_per_run(sandbox, run_trackfinity):
    config = trackfinity_config(sandbox, start_date="2026-10-31")
    before = dt.datetime.now(dt.timezone.utc)
    first = run_trackfinity(config).check()
    after = dt.datetime.now(dt.timezone.utc)
    second = run_trackfinity(config, state=first.final_state).check()
    stamps = {r["snapshot_time"] for r in first.records["payout_preview"]}
    assert len(stamps) == 1, "rows of one run carry different snapshot times"
    (stamp,) = stamps
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z", stamp)
    taken = dt.datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    assert before <= taken <= after
    (later,) = {r["snapshot_time"] for r in second.records["payout_preview"]}
    assert later > stamp
    assert by_key("payout_preview", second.records["payout_preview"]) == by_key(
        "payout_preview", first.records["payout_preview"]
    )
    assert "payout_preview" not in first.final_state["bookmarks"] or not first.final_state[
        "bookmarks"
    ]["payout_preview"].get("replication_key_value")


def test_profitloss_params_are_passed_through(sandbox, run_trackfinity):
    offer = sandbox.trackfinity.profit_loss(start_date="2025-11-01", end_date="2025-11-01")[0]
    params = {"offer_id": offer["offer_id"], "currency": offer["currency"]}
    run = run_trackfinity(trackfinity_config(sandbox, profitloss_params=params)).check()
    asked = requests_to(sandbox, PROFIT_LOSS)
    assert asked
    assert all(r["query"]["offer_id"] == str(offer["offer_id"]) for r in asked)
    assert all(r["query"]["currency"] == offer["currency"] for r in asked)
    want = expected_profit_loss(sandbox, **params)
    assert 0 < len(want) < len(expected_profit_loss(sandbox))
    assert by_key("profit_loss", run.records["profit_loss"]) == want
    assert "passing offer_id=" in run.stderr


def test_payout_preview_params_merge_over_the_seed_example(sandbox, run_trackfinity):
    config = trackfinity_config(
        sandbox, start_date="2026-10-31", payout_preview_params={"rule_type": "all"}
    )
    run = run_trackfinity(config).check()
    (asked,) = requests_to(sandbox, PAYOUT_PREVIEW)
    assert asked["query"] == {"payvia_type_id": "1", "rule_type": "all"}
    want = expected_payout_preview(sandbox, payvia_type_id=1, rule_type="all")
    assert len(want) > len(expected_payout_preview(sandbox))
    assert by_key("payout_preview", run.records["payout_preview"]) == want


def test_a_null_payout_parameter_is_left_out(sandbox, run_trackfinity):
    params = {"payvia_type_id": None, "affiliate_id": 201}
    run = run_trackfinity(
        trackfinity_config(sandbox, start_date="2026-10-31", payout_preview_params=params)
    )
    (asked,) = requests_to(sandbox, PAYOUT_PREVIEW)
    assert asked["query"] == {"rule_type": "enabled", "affiliate_id": "201"}
    assert run.returncode != 0  # the sandbox, like the seed's example, wants payvia_type_id
    assert "HTTP 400" in run.stderr
    assert "payvia_type_id is required" in run.stderr
    assert "`payout_preview_params`" in run.stderr
