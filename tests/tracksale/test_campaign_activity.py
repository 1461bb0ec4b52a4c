"""Aggregate reports are not asked for where the campaign list shows a campaign can have none.

Each left-out report must be one the sandbox answers with nothing: no count above zero, no
category, no status. So the requests saved lose no data.
"""

from __future__ import annotations

import datetime as dt

import pytest
from connector_kit.errors import ConnectorError
from tap_tracksale.periods import periods
from tap_tracksale.tap import TapTracksale

from tests.tracksale.helpers import DATA_END, api_get, tracksale_config

REPORTS = {"nps": "nps", "categories": "category", "statuses": "status"}


def asked(sandbox, endpoint: str) -> set[tuple[int, str]]:
    """(campaign, period start) of each report request the tap made."""
    return {
        (int(r["query"]["codes"]), str(r["query"]["start"]))
        for r in sandbox.requests
        if r["path"].endswith(f"/report/{endpoint}")
    }


def served_nothing(sandbox, endpoint: str, code: int, start: str, end: str) -> bool:
    body = api_get(sandbox, f"report/{endpoint}", start=start, end=end, codes=code)
    if endpoint == "nps":
        return not any(body[key] for key in ("dispatches", "promoters", "passives", "detractors"))
    return body == []


def test_periods_before_a_campaign_existed_are_not_asked_for(sandbox, run_tracksale):
    first = dt.date(2024, 10, 1)
    config = tracksale_config(sandbox, start_date=first.isoformat(), report_granularity="month")
    run = run_tracksale(config).check()
    months = list(periods(first, dt.date.fromisoformat(DATA_END), "month"))
    codes = [c["code"] for c in sandbox.tracksale.campaigns()]
    everything = {(code, month.start.isoformat()) for code in codes for month in months}
    made_by_tap = {endpoint: asked(sandbox, endpoint) for endpoint in REPORTS.values()}
    for stream, endpoint in REPORTS.items():
        made = made_by_tap[endpoint]
        left_out = everything - made
        assert made <= everything
        assert left_out, f"{stream}: every campaign and month was asked for"
        assert len(made) < len(everything)
        for code, start in sorted(left_out):
            end = next(m.end for m in months if m.start.isoformat() == start).isoformat()
            assert served_nothing(sandbox, endpoint, code, start, end), (stream, code, start)
        emitted = {(r["campaign_code"], r["period_start"][:10]) for r in run.records[stream]}
        assert emitted <= made
    nps = {(r["campaign_code"], r["period_start"][:10]): r for r in run.records["nps"]}
    assert set(nps) == made_by_tap["nps"]
    assert "not asked for" in run.stderr


def test_a_range_with_no_activity_costs_only_the_campaign_list(sandbox, run_tracksale):
    config = tracksale_config(
        sandbox, start_date="2025-01-01", end_date="2025-06-30", report_granularity="month"
    )
    run = run_tracksale(config).check()
    campaign_lists = [r for r in sandbox.requests if r["path"].endswith("/campaign")]
    assert len(campaign_lists) == 1
    made_by_tap = {endpoint: asked(sandbox, endpoint) for endpoint in REPORTS.values()}
    for stream, endpoint in REPORTS.items():
        assert not made_by_tap[endpoint], stream
        assert not run.records.get(stream)
        for campaign in sandbox.tracksale.campaigns():
            assert served_nothing(sandbox, endpoint, campaign["code"], "2025-01-01", "2025-06-30")
    assert {c["code"] for c in run.records["campaigns"]} == {
        c["code"] for c in sandbox.tracksale.campaigns()
    }


def test_an_nps_answer_without_its_counts_stops_the_run(sandbox):
    tap = TapTracksale(config=tracksale_config(sandbox))
    nps = tap.streams["nps"]
    assert nps.rows({"nps": 10.0, "dispatches": 3, "compare": {}}) == [
        {"nps": 10.0, "dispatches": 3}
    ]
    with pytest.raises(ConnectorError, match=r"answered an object with keys \['msg'\]"):
        nps.rows({"msg": "No data"})
