"""What tap-trackfinity should emit, derived from the sandbox's own data."""

from __future__ import annotations

from api_sandbox import Sandbox

from tests.trackfinity.conftest import DATA_END, DATA_START

KEYS = {
    "profit_loss": ("date", "affiliate_id", "offer_id"),
    "payout_preview": ("affiliate_id", "payvia_type_id"),
}
"""Keys that identify a row as the API serves it (the tap adds `snapshot_time`)."""
ADDED = ("snapshot_time", "_extra_fields")
SEED_EXAMPLE = {"payvia_type_id": 1, "rule_type": "enabled"}


def key_of(stream: str, record: dict) -> tuple:
    return tuple(record[k] for k in KEYS[stream])


def by_key(stream: str, records: list[dict]) -> dict[tuple, dict]:
    """Records keyed as served, without the fields the tap adds."""
    keyed = {key_of(stream, r): {k: v for k, v in r.items() if k not in ADDED} for r in records}
    assert len(keyed) == len(records), f"{stream}: duplicate keys in one run"
    return keyed


def expected_profit_loss(
    sandbox: Sandbox, start: str = DATA_START, end: str = DATA_END, **params: object
) -> dict[tuple, dict]:
    rows = sandbox.trackfinity.profit_loss(start_date=start, end_date=end, **params)
    return {key_of("profit_loss", r): r for r in rows}


def expected_payout_preview(sandbox: Sandbox, **params: object) -> dict[tuple, dict]:
    rows = sandbox.trackfinity.payout_preview(**(params or SEED_EXAMPLE))
    return {key_of("payout_preview", r): r for r in rows}


def requests_to(sandbox: Sandbox, endpoint: str) -> list[dict]:
    return [r for r in sandbox.requests if r["path"].endswith(f"/api/{endpoint}")]
