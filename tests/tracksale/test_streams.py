"""Each Tracksale stream and setting, against the sandbox over real HTTP."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.tracksale.helpers import (
    DATA_END,
    DATA_START,
    api_get,
    api_post,
    as_emitted,
    tracksale_config,
)

ALL_ANSWERS = {
    "start": DATA_START,
    "end": DATA_END,
    "limit": -1,
    "tags": "true",
    "justifReturn": "level",
    "review": 1,
    "nps_secondary": 1,
    "open_question": 1,
    "csat": 1,
    "return_update_time": "true",
}


def without_extras(record: dict) -> dict:
    return {k: v for k, v in record.items() if k != "_extra_fields"}


def test_answers_arrive_once_each_with_every_detail(sandbox, run_tracksale):
    run = run_tracksale(tracksale_config(sandbox)).check()
    want = {a["id"]: as_emitted(a) for a in sandbox.tracksale.answers(**ALL_ANSWERS)}
    assert len(want) > 50
    got = [without_extras(r) for r in run.records["answers"]]
    assert len(got) == len({r["id"] for r in got}), "an answer was emitted twice"
    assert {r["id"]: r for r in got} == want
    sample = got[0]
    for key in ("tags", "justifications", "review", "nps_secondary", "open_question", "csat"):
        assert key in sample
    assert sample["time"].endswith("Z")
    assert sample["update_time"] >= sample["time"]


def test_campaigns_draft_lots_dispatches_and_widgets(sandbox, run_tracksale):
    campaign = sandbox.tracksale.campaigns()[0]
    code = campaign["code"]
    lot = api_post(sandbox, f"campaign/{code}/dispatch", {"customers": [new_customer(campaign)]})
    keys = sandbox.tracksale.widget_keys()
    run = run_tracksale(tracksale_config(sandbox, widget_keys=keys)).check()

    campaigns = {c["code"]: c for c in run.records["campaigns"]}
    assert set(campaigns) == {c["code"] for c in sandbox.tracksale.campaigns()}
    assert campaigns[code]["questions"] == campaign["questions"]
    assert "dispatch_limits" in campaigns[code]

    lots = run.records["draft_lots"]
    assert {(r["campaign_code"], r["code"]) for r in lots} >= {(code, lot["dispatch_code"])}

    want = {
        d["dispatch_code"] for d in sandbox.tracksale.dispatches(start=DATA_START, end=DATA_END)
    }
    got = run.records["dispatches"]
    assert {d["dispatch_code"] for d in got} == want
    assert all(d["campaign_code"] == d["campaign"]["code"] for d in got)
    assert all(c["dispatch_time"].endswith("Z") for d in got for c in d["customers"])

    assert sorted(w["key"] for w in run.records["widgets"]) == sorted(keys)


@pytest.mark.parametrize("granularity", ["day", "week", "month"])
def test_reports_have_one_record_per_campaign_and_period(sandbox, run_tracksale, granularity):
    config = tracksale_config(
        sandbox, report_granularity=granularity, start_date="2026-03-01", end_date="2026-04-30"
    )
    run = run_tracksale(config).check()
    codes = sorted(c["code"] for c in sandbox.tracksale.campaigns())
    nps = run.records["nps"]
    starts = sorted({r["period_start"] for r in nps})
    expected_periods = {"day": 61, "week": 10, "month": 2}[granularity]  # Feb 23..May 3
    assert len(starts) == expected_periods
    assert len(nps) == expected_periods * len(codes)
    first = dt.date.fromisoformat(starts[0][:10])
    if granularity == "week":
        assert first.weekday() == 0
    row = next(r for r in nps if r["campaign_code"] == codes[0] and r["period_start"] == starts[-1])
    served = api_get(
        sandbox, "report/nps", start=starts[-1][:10], end=row["period_end"], codes=codes[0]
    )
    assert {k: row[k] for k in served} == served
    for stream in ("categories", "statuses"):
        assert run.records.get(stream), stream
        assert {r["granularity"] for r in run.records[stream]} == {granularity}


def test_campaign_codes_limit_every_report(sandbox, run_tracksale):
    code = sandbox.tracksale.campaigns()[1]["code"]
    run = run_tracksale(tracksale_config(sandbox, campaign_codes=[code])).check()
    assert {c["code"] for c in run.records["campaigns"]} == {code}
    assert {a["campaign_code"] for a in run.records["answers"]} == {code}
    assert {r["campaign_code"] for r in run.records["nps"]} == {code}
    answer_requests = [r for r in sandbox.requests if r["path"].endswith("/report/answer")]
    assert all(r["query"].get("codes") == str(code) for r in answer_requests)


def test_no_report_request_spans_more_than_window_days(sandbox, run_tracksale):
    run_tracksale(tracksale_config(sandbox, window_days=10)).check()
    for request in sandbox.requests:
        if request["path"].endswith(("/report/answer", "/report/dispatch")):
            start = dt.date.fromisoformat(request["query"]["start"][:10])
            end = dt.date.fromisoformat(request["query"]["end"][:10])
            assert (end - start).days + 1 <= 10


def test_a_window_with_too_many_answers_is_split_and_nothing_is_lost(sandbox, run_tracksale):
    run = run_tracksale(tracksale_config(sandbox, max_answers_per_request=7)).check()
    answer_requests = [r for r in sandbox.requests if r["path"].endswith("/report/answer")]
    assert any("T" in r["query"]["start"] for r in answer_requests), "no span was split to times"
    assert all(int(r["query"]["limit"]) in (8, -1) for r in answer_requests)
    want = {a["id"] for a in sandbox.tracksale.answers(**ALL_ANSWERS)}
    got = [r["id"] for r in run.records["answers"]]
    assert sorted(got) == sorted(want)


def new_customer(campaign: dict) -> dict:
    if campaign["main_channel"] == "email":
        return {"name": "New Customer", "email": "new.customer@example.test"}
    return {"name": "New Customer", "phone": "+5511999990000"}
