"""What tap-trackfinity should emit, derived from the sandbox's own data."""

from __future__ import annotations

from collections.abc import Sequence

from api_sandbox import Sandbox
from connector_kit.records import unix_to_timestamp

from tests.trackfinity.helpers import DATA_END, DATA_START

PROFIT_LOSS_OWN = ("date", "view", "break", "break_time", "_extra_fields")
"""Fields of a profit_loss record that are not the row's stats."""


def requests_to(sandbox: Sandbox, endpoint: str) -> list[dict]:
    return [r for r in sandbox.requests if r["path"].endswith(f"/api/{endpoint}")]


def profit_loss_key(record: dict) -> tuple[str, str, str]:
    return (record["date"], record["view"], str(record["break"]))


def profit_loss_by_key(records: list[dict]) -> dict[tuple, dict]:
    """The tap's profit_loss records as {(date, view, break): stats}."""
    keyed = {
        profit_loss_key(r): {k: v for k, v in r.items() if k not in PROFIT_LOSS_OWN}
        for r in records
    }
    assert len(keyed) == len(records), "profit_loss: duplicate keys in one run"
    return keyed


def expected_profit_loss(
    sandbox: Sandbox,
    views: Sequence[str] = ("login",),
    start: str = DATA_START,
    end: str = DATA_END,
) -> dict[tuple, dict]:
    """One request per day and view, as the sandbox serves them: {(date, view, break): stats}."""
    rows = sandbox.trackfinity.profit_loss_records(views, start, end)
    return {profit_loss_key(r): r["stats"] for r in rows}


def transactions_by_id(records: list[dict]) -> dict[str, dict]:
    keyed = {r["id"]: {k: v for k, v in r.items() if k != "_extra_fields"} for r in records}
    assert len(keyed) == len(records), "transactions: a transaction came twice"
    return keyed


def expected_transactions(
    sandbox: Sandbox, start: str = DATA_START, end: str = DATA_END, **params: object
) -> dict[str, dict]:
    """The sandbox's transactions as the tap should emit them: times ISO, order ids text."""
    return {
        t["id"]: {**t, "time": unix_to_timestamp(t["time"]), "orderid": str(t["orderid"])}
        for t in sandbox.trackfinity.transactions(start, end, **params)
    }
