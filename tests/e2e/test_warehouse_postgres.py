"""`meltano run tap-impact-crm target-postgres` into a real PostgreSQL, checked by what lands."""

from __future__ import annotations

import datetime as dt
import decimal

import psycopg
import pytest
from psycopg.rows import dict_row

from tests.e2e.meltano_runner import meltano_run
from tests.e2e.postgres_server import PostgresServer
from tests.impact_crm.expectations import KEYS, by_key, expected

SCHEMA = "tap_impact_crm"
MISSING = "<no such column>"
BATCH_ROWS = 100
"""Small batches, so that at scale 400 every stream but servers spans two or more of them."""

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("postgres")]


@pytest.fixture
def warehouse(postgres: PostgresServer, request: pytest.FixtureRequest) -> PostgresServer:
    return postgres.new_database(f"warehouse_{request.node.name[:40].lower()}")


def as_json_value(value: object) -> object:
    """A column's value as the tap's JSON had it: timestamps as UTC ISO 8601, numbers as floats."""
    if isinstance(value, dt.datetime):
        assert value.tzinfo is None, "timestamp columns are expected without time zone"
        return value.isoformat() + "Z"
    if isinstance(value, decimal.Decimal):
        return float(value)
    return value


def table(server: PostgresServer, name: str) -> list[dict]:
    with psycopg.connect(server.url, row_factory=dict_row) as db:
        rows = db.execute(f'select * from {SCHEMA}."{name}"').fetchall()
    return [
        {k: as_json_value(v) for k, v in row.items() if not k.startswith("_sdc_")} for row in rows
    ]


def column_types(server: PostgresServer, name: str) -> dict[str, str]:
    with psycopg.connect(server.url) as db:
        rows = db.execute(
            "select column_name, udt_name from information_schema.columns "
            "where table_schema = %s and table_name = %s",
            (SCHEMA, name),
        ).fetchall()
    return dict(rows)


def landed(server: PostgresServer, stream: str, want: dict[tuple, dict]) -> dict[tuple, dict]:
    """The stream's rows keyed like `expected`, each with the columns its expected record has."""
    rows = by_key(stream, table(server, stream))
    return {key: {k: row.get(k, MISSING) for k in want.get(key, row)} for key, row in rows.items()}


@pytest.mark.parametrize("sandbox", [{"scale": 400}], indirect=True)
def test_every_record_lands_typed_and_unchanged_and_a_second_run_upserts(
    sandbox, warehouse, tmp_path
):
    env = {
        **warehouse.target_env(),
        "TARGET_POSTGRES_BATCH_SIZE_ROWS": str(BATCH_ROWS),
    }
    meltano_run(sandbox, tmp_path, "tap-impact-crm", "target-postgres", env=env)

    for stream in KEYS:
        want = expected(sandbox, stream)
        rows = landed(warehouse, stream, want)
        assert len(rows) == len(want), f"{stream}: {len(rows)} rows landed of {len(want)}"
        assert set(rows) == set(want), stream
        assert rows == want, f"{stream}: values changed on the way"

    leads = column_types(warehouse, "leads")
    assert leads["leadId"] == "int8"
    assert leads["registrationDate"] == "timestamp"
    assert leads["utmDetails"] == "jsonb"
    assert leads["tags"] == "_jsonb"
    assert column_types(warehouse, "registrations")["tradingAccounts"] == "_jsonb"
    transactions = column_types(warehouse, "transactions")
    assert transactions["amount"] == "numeric"
    assert transactions["isFake"] == "bool"
    assert leads["_sdc_extracted_at"] == "timestamp"

    edited = sandbox.impact_crm.edit("leads", 1001)
    meltano_run(sandbox, tmp_path, "tap-impact-crm", "target-postgres", env=env)
    want = expected(sandbox, "leads")
    rows = landed(warehouse, "leads", want)
    assert len(rows) == len(want), "the second run duplicated rows"
    assert rows[(1001,)]["status"] == edited["status"]
    assert rows == want
