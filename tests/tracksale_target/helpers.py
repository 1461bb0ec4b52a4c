"""Helpers for target-tracksale tests: configs pointed at the sandbox, customers, messages."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from api_sandbox import Sandbox
from api_sandbox.tracksale.auth import API_TOKEN

from tests.tracksale_target.target_runner import record, schema

STREAM = "customers"
DOMAIN = "nps-test.example"


def campaign_code(sandbox: Sandbox, channel: str = "email") -> int:
    """The first campaign of the sandbox that surveys through `channel`."""
    return next(
        int(c["code"]) for c in sandbox.tracksale.campaigns() if c["main_channel"] == channel
    )


def target_config(
    sandbox: Sandbox, workdir: Path, stream_actions: dict | None = None, **overrides: object
) -> dict:
    out = workdir / "out"
    actions = stream_actions or {
        STREAM: {"action": "dispatch", "campaign_code": campaign_code(sandbox)}
    }
    return {
        "api_url": sandbox.tracksale_url,
        "api_token": API_TOKEN,
        "stream_actions": actions,
        "ledger_path": str(out / "ledger.sqlite"),
        "rejects_path": str(out / "rejects.jsonl"),
        "summary_path": str(out / "summary.json"),
        "survey_links_path": str(out / "survey_links.jsonl"),
        **overrides,
    }


def customer(number: int, prefix: str = "c") -> dict:
    return {
        "name": f"Customer {prefix}{number}",
        "email": f"{prefix}{number}@{DOMAIN}",
        "phone": f"+55 11 9{number:08d}",
        "identification": f"{prefix}-{number}",
        "tags": {"country": "BR", "affId": number % 7},
    }


def customers(count: int, prefix: str = "c", start: int = 0) -> list[dict]:
    return [customer(number, prefix) for number in range(start, start + count)]


def messages(records: list[dict], stream: str = STREAM, *, state_every: int = 0) -> list[dict]:
    """SCHEMA, then the records (with a STATE `{"done": n}` every `state_every`), then STATE."""
    out = [schema(stream, ("name", "email", "phone", "identification", "tags"))]
    for number, values in enumerate(records, start=1):
        out.append(record(stream, values))
        if state_every and number % state_every == 0:
            out.append({"type": "STATE", "value": {"done": number}})
    out.append({"type": "STATE", "value": {"done": len(records)}})
    return out


def received_emails(sandbox: Sandbox, code: int | None = None) -> Counter[str]:
    """How often the sandbox accepted each test customer's e-mail for dispatch."""
    return Counter(
        str(entry["customer"].get("email"))
        for entry in sandbox.tracksale.received(code)
        if str(entry["customer"].get("email", "")).endswith(DOMAIN)
    )


def posts(sandbox: Sandbox, path_part: str) -> list[dict]:
    """Accepted writes whose path contains `path_part`."""
    return [w for w in sandbox.tracksale.writes() if path_part in str(w["path"])]
