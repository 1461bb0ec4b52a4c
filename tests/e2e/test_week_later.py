"""A week later: `meltano run` resumes from its bookmarks into a sandbox one week on.

The first run reads the data period (up to its last day, as the demo does); the second, with
Meltano's state carried over, reads the same world a week later. New and edited records land,
and the second run reads nothing before the bookmark's day (the answers' 7-day lookback
earlier): what it loads is exactly the records dated from there on.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import duckdb
import pytest
from api_sandbox import Sandbox

from tests.e2e.meltano_runner import meltano_run

pytestmark = pytest.mark.slow
SEED, SCALE = 7, 300
BLOCKS = ("tap-impact-crm", "target-duckdb", "tap-tracksale", "target-duckdb")
CRM = {  # stream: (key, its column in the warehouse, replication key)
    "leads": ("leadId", "leadid", "lastModifiedDate"),
    "registrations": ("userId", "userid", "lastModifiedDate"),
    "transactions": ("transactionId", "transactionid", "transactionDate"),
}
ANSWER_LOOKBACK_DAYS = 7
EVERY_ANSWER = {"start": "2025-11-01", "end": "2026-11-07", "return_update_time": "true"}


def run_at(sandbox: Sandbox, workdir: Path) -> None:
    """The two pipelines against `sandbox`, reading up to its last day."""
    last_day = sandbox.last_day.isoformat()
    end_dates = {"TAP_IMPACT_CRM_END_DATE": last_day, "TAP_TRACKSALE_END_DATE": last_day}
    meltano_run(sandbox, workdir, *BLOCKS, env=end_dates)


def rows(workdir: Path, query: str, *parameters: object) -> list[tuple]:
    with duckdb.connect(str(workdir / "warehouse.duckdb"), read_only=True) as db:
        return db.execute(query, list(parameters)).fetchall()


def day(value: object) -> date:
    if isinstance(value, int):
        return datetime.fromtimestamp(value, timezone.utc).date()
    return date.fromisoformat(str(value)[:10])


def test_a_week_later_new_and_edited_records_land_and_only_the_bookmark_days_are_read(tmp_path):
    with Sandbox(seed=SEED, scale=SCALE).start() as before:
        run_at(before, tmp_path)
        crm_before = {s: before.impact_crm.records(s) for s in CRM}
        answers_before = {a["id"]: a for a in before.tracksale.answers(**EVERY_ANSWER)}
    tables = [f"tap_impact_crm.{stream}" for stream in CRM] + ["tap_tracksale.answers"]
    first_run_loaded = {
        table: rows(tmp_path, f"select max(_sdc_batched_at) from {table}")[0][0] for table in tables
    }
    bookmark_day = before.last_day  # every bookmark ends on the last day read

    with Sandbox(seed=SEED, scale=SCALE, weeks_later=1).start() as after:
        run_at(after, tmp_path)
        crm_after = {s: after.impact_crm.records(s) for s in CRM}
        answers_after = {a["id"]: a for a in after.tracksale.answers(**EVERY_ANSWER)}
        lead_filters = [
            r["query"]["lastModifiedDateFrom"]
            for r in after.requests
            if r["path"].endswith("/leads") and "lastModifiedDateFrom" in r["query"]
        ]
    assert lead_filters
    assert min(lead_filters) == bookmark_day.isoformat()

    for stream, (key, column, replication_key) in CRM.items():
        old = {r[key]: r for r in crm_before[stream]}
        new = {r[key]: r for r in crm_after[stream]}
        table = f"tap_impact_crm.{stream}"
        landed = {k for (k,) in rows(tmp_path, f"select {column} from {table}")}
        assert landed == set(new), f"{stream}: the warehouse does not hold week 1"
        assert set(new) > set(old), f"{stream}: nothing new a week later"
        loaded = {
            k
            for (k,) in rows(
                tmp_path,
                f"select {column} from {table} where _sdc_batched_at > ?",
                first_run_loaded[table],
            )
        }
        from_bookmark = {k for k, r in new.items() if day(r[replication_key]) >= bookmark_day}
        assert loaded == from_bookmark, f"{stream}: the second run read outside its bookmark's days"
        assert len(loaded) < len(new) / 4

    old_leads = {r["leadId"]: r for r in crm_before["leads"]}
    edited = {r["leadId"]: r for r in crm_after["leads"] if r != old_leads.get(r["leadId"], r)}
    assert edited, "no lead was edited in week 1"
    statuses = dict(
        rows(
            tmp_path,
            "select leadid, status from tap_impact_crm.leads where leadid in "
            f"({','.join(str(k) for k in edited)})",
        )
    )
    assert statuses == {k: r["status"] for k, r in edited.items()}

    loaded_answers = {
        k
        for (k,) in rows(
            tmp_path,
            "select id from tap_tracksale.answers where _sdc_batched_at > ?",
            first_run_loaded["tap_tracksale.answers"],
        )
    }
    lookback_day = bookmark_day - timedelta(days=ANSWER_LOOKBACK_DAYS)
    assert loaded_answers == {k for k, a in answers_after.items() if day(a["time"]) >= lookback_day}
    edited_answers = [k for k, a in answers_before.items() if a != answers_after[k]]
    assert edited_answers, "no answer was edited in week 1"
    landed = dict(rows(tmp_path, "select id, update_time from tap_tracksale.answers"))
    for k in edited_answers:
        assert day(int(landed[k].replace(tzinfo=timezone.utc).timestamp())) > bookmark_day
    assert set(landed) == set(answers_after)
