"""What the tap should emit, derived from the sandbox's own data."""

from __future__ import annotations

from api_sandbox import Sandbox

KEYS = {
    "leads": ("leadId",),
    "registrations": ("userId",),
    "transactions": ("transactionId",),
    "servers": ("platform", "serverTag"),
    "positions": ("serverTag", "positionId"),
}
DERIVED = ("tradingAccounts", "_extra_fields")
STRING_IDS = ("affId", "campaignId")
"""External ids the tap types as strings, whatever JSON type the API uses."""


def key_of(stream: str, record: dict) -> tuple:
    return tuple(record[k] for k in KEYS[stream])


def as_api_served(record: dict) -> dict:
    """A tap record without the fields the tap adds."""
    return {k: v for k, v in record.items() if k not in DERIVED}


def by_key(stream: str, records: list[dict]) -> dict[tuple, dict]:
    keyed = {key_of(stream, r): as_api_served(r) for r in records}
    assert len(keyed) == len(records), f"{stream}: duplicate keys in one run"
    return keyed


def all_server_tags(sandbox: Sandbox) -> list[str]:
    return [tag for tags in sandbox.impact_crm.server_tags().values() for tag in tags]


def expected(sandbox: Sandbox, stream: str, family: str = "trackbox", **filters: object) -> dict:
    """Every record the sandbox serves for `stream`, keyed like `by_key`."""
    if stream == "servers":
        return {
            (platform, tag): {"platform": platform, "serverTag": tag}
            for platform, tags in sandbox.impact_crm.server_tags().items()
            for tag in tags
        }
    if stream == "positions":
        records = [
            r
            for tag in all_server_tags(sandbox)
            for r in sandbox.impact_crm.records(
                "positions", family=family, serverTag=tag, **filters
            )
        ]
    else:
        records = sandbox.impact_crm.records(stream, family=family, **filters)
    return {key_of(stream, r): with_string_ids(r) for r in records}


def with_string_ids(record: dict) -> dict:
    return {k: (str(v) if k in STRING_IDS and v is not None else v) for k, v in record.items()}
