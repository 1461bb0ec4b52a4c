"""`meltano run tap-impact-crm target-duckdb` against the sandbox, checked by what lands."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from tests.e2e.meltano_runner import meltano_run
from tests.impact_crm.expectations import expected

SCHEMA = "tap_impact_crm"
TABLE_KEYS = {
    "leads": "leadid",
    "registrations": "userid",
    "transactions": "transactionid",
    "positions": "positionid",
}

pytestmark = pytest.mark.slow


def table(workdir: Path, name: str) -> list[dict]:
    with duckdb.connect(str(workdir / "warehouse.duckdb"), read_only=True) as db:
        cursor = db.execute(f"select * from {SCHEMA}.{name}")
        columns = [c[0] for c in cursor.description]
        return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]


def column_types(workdir: Path, name: str) -> dict[str, str]:
    with duckdb.connect(str(workdir / "warehouse.duckdb"), read_only=True) as db:
        return {r[0]: r[1] for r in db.execute(f"describe {SCHEMA}.{name}").fetchall()}


@pytest.mark.parametrize("sandbox", [{"scale": 2500}], indirect=True)
def test_every_record_lands_typed_and_a_second_run_adds_no_duplicates(sandbox, tmp_path):
    meltano_run(sandbox, tmp_path, "tap-impact-crm", "target-duckdb")
    for stream, key in TABLE_KEYS.items():
        want = expected(sandbox, stream)
        rows = table(tmp_path, stream)
        assert len(rows) == len(want), f"{stream}: {len(rows)} rows landed of {len(want)}"
        assert {r[key] for r in rows} == {k[-1] for k in want}, stream
    assert len(table(tmp_path, "servers")) == len(expected(sandbox, "servers"))

    leads = column_types(tmp_path, "leads")
    assert leads["leadid"] in {"BIGINT", "HUGEINT", "INTEGER"}
    assert leads["lastmodifieddate"].startswith("TIMESTAMP")
    assert leads["utmdetails"] == "JSON"
    assert column_types(tmp_path, "transactions")["amount"] == "DOUBLE"

    edited = sandbox.impact_crm.edit("leads", 1001)
    meltano_run(sandbox, tmp_path, "tap-impact-crm", "target-duckdb")
    rows = table(tmp_path, "leads")
    assert len(rows) == len(expected(sandbox, "leads")), "the second run duplicated rows"
    lead = next(r for r in rows if r["leadid"] == 1001)
    assert lead["status"] == edited["status"]


@pytest.mark.parametrize("sandbox", [{"scale": 400}], indirect=True)
def test_tracksale_and_trackfinity_land_in_their_schemas(sandbox, tmp_path):
    blocks = ("tap-tracksale", "target-duckdb", "tap-trackfinity", "target-duckdb")
    meltano_run(sandbox, tmp_path, *blocks)
    with duckdb.connect(str(tmp_path / "warehouse.duckdb"), read_only=True) as db:

        def count(table: str) -> int:
            return db.execute(f"select count(*) from {table}").fetchone()[0]

        served = sandbox.tracksale.counts()
        for table in ("answers", "dispatches", "campaigns"):
            assert count(f"tap_tracksale.{table}") == served[table], table
        widgets = count("tap_tracksale.widgets")
        assert widgets == 2
        assert count("tap_trackfinity.profit_loss") == sandbox.trackfinity.counts()["profit_loss"]
        types = dict(
            db.execute(
                "select column_name, data_type from information_schema.columns "
                "where table_schema = 'tap_tracksale' and table_name = 'answers'"
            ).fetchall()
        )
        assert types["time"].startswith("TIMESTAMP")
        assert types["tags"] == "JSON"
        assert types["nps_answer"] in {"BIGINT", "HUGEINT", "INTEGER"}
