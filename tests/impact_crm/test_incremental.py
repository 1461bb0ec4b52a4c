"""Incremental runs and resuming after a kill, through the tap's own STATE output."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from tests.impact_crm.expectations import KEYS, expected, key_of
from tests.impact_crm.helpers import crm_config
from tests.tap_runner import kill_after_states

WINDOWED = {
    "leads": "lastModifiedDate",
    "registrations": "lastModifiedDate",
    "transactions": "transactionDate",
}


def bookmark(state: dict, stream: str) -> str:
    return state["bookmarks"][stream]["replication_key_value"]


def test_second_run_starts_on_the_bookmark_day(sandbox, run_crm):
    first = run_crm(crm_config(sandbox)).check()
    state = first.final_state
    sandbox.clear_requests()
    second = run_crm(crm_config(sandbox), state=state).check()
    for stream, field in WINDOWED.items():
        day = bookmark(state, stream)[:10]
        starts = [
            r["query"][f"{field}From"] for r in sandbox.requests if r["path"].endswith(f"/{stream}")
        ]
        assert min(starts) == day, stream
        again = second.records.get(stream, [])
        assert all(r[field][:10] >= day for r in again), stream
        assert len(again) < len(first.records[stream]) / 4, stream
    for partition in second.final_state["bookmarks"]["positions"]["partitions"]:
        assert partition["replication_key_value"] >= "2026-10-31"


def test_an_edited_lead_is_picked_up_by_the_next_run(sandbox, run_crm):
    config = crm_config(sandbox)
    del config["end_date"]  # edits are stamped now, after the sandbox's data period
    first = run_crm(config).check()
    lead = first.records["leads"][5]
    edited = sandbox.impact_crm.edit("leads", lead["leadId"])
    second = run_crm(config, state=first.final_state).check()
    again = {r["leadId"]: r for r in second.records["leads"]}
    assert lead["leadId"] in again
    assert again[lead["leadId"]]["lastModifiedDate"] == edited["lastModifiedDate"]
    assert again[lead["leadId"]]["lastModifiedDate"] > lead["lastModifiedDate"]


def test_bookmarks_never_go_back(sandbox, run_crm):
    first = run_crm(crm_config(sandbox)).check()
    second = run_crm(crm_config(sandbox), state=first.final_state).check()
    for stream in WINDOWED:
        assert bookmark(second.final_state, stream) >= bookmark(first.final_state, stream)


@pytest.mark.parametrize("sandbox", [{"latency_ms": 15, "scale": 400}], indirect=True)
def test_a_killed_run_resumes_from_its_last_completed_window(sandbox, tmp_path, run_crm):
    window_days = 20
    config = crm_config(sandbox, window_days=window_days, page_size=25)
    killed = kill_after_states("tap-impact-crm", tmp_path, config, states=6)
    state = killed.final_state
    killed_records = killed.records
    resumed = run_crm(config, state=state).check()

    for stream in KEYS:
        union = {
            key_of(stream, r)
            for r in killed_records.get(stream, []) + resumed.records.get(stream, [])
        }
        assert union == set(expected(sandbox, stream)), f"{stream}: a record was lost"
    interrupted = [s for s in WINDOWED if s in state.get("bookmarks", {})]
    assert interrupted, "the kill came before any window was complete"
    for stream in interrupted:
        field = WINDOWED[stream]
        mark = dt.date.fromisoformat(bookmark(state, stream)[:10])
        reread = [r for r in killed_records.get(stream, []) if r[field][:10] >= mark.isoformat()]
        limit = (mark + dt.timedelta(days=window_days)).isoformat()
        assert all(r[field][:10] <= limit for r in reread), f"{stream}: re-read over a window"


def test_state_is_written_after_each_window(sandbox, run_crm):
    run = run_crm(crm_config(sandbox, window_days=30)).check()
    marks = [
        s["bookmarks"]["leads"]["replication_key_value"]
        for s in run.states
        if "replication_key_value" in s.get("bookmarks", {}).get("leads", {})
    ]
    assert len(set(marks)) >= 12  # one year of data in 30-day windows
    assert marks == sorted(marks)
    assert json.dumps(run.final_state).count("progress_markers") == 0
