"""Answers of other shapes: the vendor's documented samples, servers that send fewer than
asked, and shapes the tap must refuse rather than read as nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from connector_kit.errors import ConnectorError
from tap_trackfinity.answers import (
    payout_preview_record,
    profit_loss_records,
    transaction_records,
)
from tap_trackfinity.parameters import PreviewLookup

from tests.trackfinity.expectations import (
    expected_transactions,
    requests_to,
    transactions_by_id,
)
from tests.trackfinity.helpers import trackfinity_config

VENDOR = Path(__file__).parents[1] / "fixtures" / "vendor" / "trackfinity"
PROFIT_LOSS = "report/profitloss"
TRANSACTION = "report/transaction"
PAYOUT_PREVIEW = "transaction/transaction_payout_preview"
ONE_DAY = {"start_date": "2026-10-31", "end_date": "2026-10-31"}


def vendor(name: str) -> object:
    return json.loads((VENDOR / name).read_text())


def test_every_vendor_fixture_names_its_source():
    for path in VENDOR.glob("*.json"):
        source = path.with_name(path.name + ".source")
        text = source.read_text() if source.exists() else json.loads(path.read_text())["_source"]
        assert "https://" in text, path.name


# The documented shapes, through the tap's parsing


def test_the_profit_loss_sample_gives_one_record_per_row_and_none_for_the_total():
    body = vendor("profit_loss_year.json")
    (record,) = profit_loss_records(body, day="2012-01-01", view="year", where="GET x")
    assert record == {
        "void": 1,
        "date": "2012-01-01",
        "view": "year",
        "break": "1325394000",
        "break_time": 1325394000,
    }


def test_the_transaction_report_example_gives_its_transaction_keyed_by_id():
    (record,) = transaction_records(vendor("transaction_report.json"), where="GET x")
    assert record["id"] == "16102840320319934329"  # more than a 64-bit integer holds
    assert record["time"] == 1610284032
    assert record["trans_type"] == "advertiser_initial"
    assert [p["id"] for p in record["payouts"]] == ["16102840331022602480", "20840330721619639764"]


def test_the_vendor_samples_replayed_over_http_reach_the_output_typed(sandbox, run_trackfinity):
    sandbox.trackfinity.queue_answers(PROFIT_LOSS, [vendor("profit_loss_year.json")])
    sandbox.trackfinity.queue_answers(TRANSACTION, [vendor("transaction_report.json"), {}])
    run = run_trackfinity(trackfinity_config(sandbox, **ONE_DAY, profitloss_views=["year"]))
    run.check()
    (row,) = run.records["profit_loss"]
    assert (row["break"], row["break_time"], row["void"]) == (
        "1325394000",
        "2012-01-01T05:00:00Z",
        1,
    )
    (txn,) = run.records["transactions"]
    assert txn["id"] == "16102840320319934329"
    assert txn["time"] == "2021-01-10T13:07:12Z"
    assert (txn["orderid"], txn["total_payout"], txn["loginid"]) == ("7861", 36, 2)
    assert txn["payouts"][1] == {
        "id": "20840330721619639764",
        "type": "affiliate",
        "username": "Jeff",
        "loginid": 37,
        "amount": 32,
    }
    assert not txn.get("_extra_fields")


def test_the_payout_preview_example_call_is_sent_as_documented(sandbox, run_trackfinity):
    example = vendor("payout_preview_request.json")["query"]
    lookup = {"transaction_hash": example["transaction_hash"], "amount": 50.25}
    run = run_trackfinity(
        trackfinity_config(sandbox, **ONE_DAY, payout_preview_hashes=[lookup])
    ).check()
    (asked,) = requests_to(sandbox, PAYOUT_PREVIEW)
    assert asked["query"] == example
    (record,) = run.records["payout_preview"]
    assert (record["transaction_hash"], record["amount"]) == (example["transaction_hash"], 50.25)


@pytest.mark.parametrize(
    ("answer", "kept"),
    [
        (4.5, {"payout": 4.5}),
        ("12", {"payout": "12"}),
        ({"payout": 7, "currency": "USD"}, {"answer": {"payout": 7, "currency": "USD"}}),
        (False, {"answer": {"value": False}}),
    ],
)
def test_a_payout_preview_answer_is_kept_whatever_its_shape(answer, kept):
    record = payout_preview_record(answer, PreviewLookup("h.1", 50.25, "initial"))
    assert record == {
        "lookup": "transaction_hash=h.1&amount=50.25&transaction_type=initial",
        "transaction_hash": "h.1",
        "amount": 50.25,
        "transaction_type": "initial",
        **kept,
    }


@pytest.mark.parametrize(
    "body",
    [
        [{"id": 17, "time": 1, "amount": 3}],
        {"transactions": [{"transaction_id": "17", "time": 1}], "total": 1},
        {"17": {"time": 1, "trans_type": "initial"}},
    ],
)
def test_transactions_are_accepted_as_a_map_a_list_or_one_listed_field(body):
    (record,) = transaction_records(body, where="GET x")
    assert record["id"] == "17"


@pytest.mark.parametrize(
    ("body", "named"),
    [
        ({"total": 3, "page": 1}, "['page', 'total']"),
        ({"a": [], "b": []}, "['a', 'b']"),
        ("nothing", "a str"),
        ([{"time": 1}], "without an id"),
    ],
)
def test_unknown_transaction_shapes_are_errors_naming_what_was_seen(body, named):
    with pytest.raises(ConnectorError, match="GET /api/report/transaction") as raised:
        transaction_records(body, where="GET /api/report/transaction")
    assert named in str(raised.value)


@pytest.mark.parametrize(
    ("body", "named"),
    [
        ({"total": {"breakdown": "login"}}, "['total']"),
        ({"data": []}, "['data']"),
        ([], "a list of 0 items"),
        ({"total": {}, "rows": [{"stats": {}}]}, "a row that is an object with keys ['stats']"),
    ],
)
def test_unknown_profit_loss_shapes_are_errors_naming_what_was_seen(body, named):
    with pytest.raises(ConnectorError, match="GET /api/report/profitloss") as raised:
        profit_loss_records(
            body, day="2026-01-01", view="login", where="GET /api/report/profitloss"
        )
    assert named in str(raised.value)


def test_stats_and_row_fields_the_schema_lacks_are_kept():
    body = {"rows": [{"break": 7, "stats": {"new_stat": 3, "date": "x"}, "label": "A"}]}
    (record,) = profit_loss_records(body, day="2026-01-01", view="login", where="GET x")
    assert record["new_stat"] == 3
    assert record["_extra_fields"] == {"stats.date": "x", "row.label": "A"}
    assert record["date"] == "2026-01-01"


# Over HTTP: the run stops, says why, and its bookmark does not pass the answer


@pytest.mark.parametrize(
    ("endpoint", "stream", "answer", "keys"),
    [
        (PROFIT_LOSS, "profit_loss", {"total": {"breakdown": "login", "row": {}}}, "['total']"),
        (TRANSACTION, "transactions", {"total": 5, "page": 1}, "['page', 'total']"),
    ],
)
def test_an_unknown_answer_fails_the_run_with_no_state_past_it(
    sandbox, run_trackfinity, endpoint, stream, answer, keys
):
    config = trackfinity_config(
        sandbox, start_date="2026-10-01", end_date="2026-10-10", window_days=10
    )
    first = run_trackfinity(config).check()
    sandbox.clear_requests()
    later = trackfinity_config(sandbox, start_date="2026-10-01", window_days=10, lookback_days=0)
    sandbox.trackfinity.queue_answers(endpoint, [answer])
    run = run_trackfinity(later, state=first.final_state)
    assert run.returncode != 0
    assert f"GET /api/{endpoint}" in run.stderr
    assert keys in run.stderr
    marks = [s["bookmarks"].get(stream, {}).get("replication_key_value") for s in run.states]
    before = first.final_state["bookmarks"][stream]["replication_key_value"]
    assert before < "2026-10-11"
    assert all(mark is None or mark <= before for mark in marks), "the bookmark moved past it"
    assert len(requests_to(sandbox, endpoint)) <= 10  # stopped within the first window


# Servers that send fewer transactions than asked


def test_a_server_capping_pages_below_the_page_size_loses_nothing(sandbox, run_trackfinity):
    sandbox.trackfinity.transaction_cap = 37
    config = trackfinity_config(sandbox, start_date="2026-10-01", page_size=100, window_days=31)
    run = run_trackfinity(config).check()
    asked = requests_to(sandbox, TRANSACTION)
    want = expected_transactions(sandbox, "2026-10-01", "2026-10-31")
    assert len(want) > 200
    assert transactions_by_id(run.records["transactions"]) == want, "each exactly once"
    offsets = [int(r["query"]["trans_start"]) for r in asked]
    assert offsets == [*range(0, len(want), 37), len(want)]
    assert {r["query"]["trans_count"] for r in asked} == {"100"}


def test_a_server_ignoring_the_offset_stops_the_run_before_the_bookmark(sandbox, run_trackfinity):
    page = {"17": {"time": 1793491200, "trans_type": "initial", "amount": 1}}
    sandbox.trackfinity.queue_answers(TRANSACTION, [page, page])
    run = run_trackfinity(trackfinity_config(sandbox, **ONE_DAY))
    assert run.returncode != 0
    assert "seems to ignore trans_start" in run.stderr
    assert "Raise `page_size`" in run.stderr
    marks = [s["bookmarks"].get("transactions") for s in run.states]
    assert not any(marks), "the window's bookmark moved"
