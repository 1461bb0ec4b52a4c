"""Helpers for tap-tracksale tests: configs pointed at the sandbox, and tap runs."""

from __future__ import annotations

import json

import requests
from api_sandbox import Sandbox
from api_sandbox.tracksale import API_TOKEN
from connector_kit.records import unix_to_timestamp

DATA_START = "2025-11-01"
DATA_END = "2026-10-31"
TIME_FIELDS = ("time", "update_time", "deadline", "dispatch_time", "reminder_time", "create_time")
TEST_LOCK_REQUESTS = 10_000
"""The sandbox's lock and the tap's budget in these tests, unless a test sets its own."""


def tracksale_config(sandbox: Sandbox, **overrides: object) -> dict:
    return {
        "api_url": sandbox.tracksale_url,
        "api_token": API_TOKEN,
        "start_date": DATA_START,
        "end_date": DATA_END,
        # A year of the test world's weekly reports takes about 1,000 requests: more than the
        # default budget of 900 per 5 minutes, which would make a test wait. The budget and
        # the lock have tests of their own (test_security_lock.py).
        "max_requests_per_window": TEST_LOCK_REQUESTS,
        **overrides,
    }


def as_emitted(record: dict) -> dict:
    """A record as the API serves it, with `*_time` Unix seconds as the tap emits them.

    Level-form justifications become `{name, name_i18n, children}` (README, "Answers").
    """
    emitted = {
        k: unix_to_timestamp(v) if k in TIME_FIELDS and isinstance(v, int) else v
        for k, v in record.items()
    }
    if isinstance(emitted.get("justifications"), list):
        emitted["justifications"] = [
            {
                **justification_name(group["name"]),
                "children": [justification_name(child) for child in group["children"]],
            }
            for group in emitted["justifications"]
        ]
    return emitted


def justification_name(text: str) -> dict:
    """A justification's name as the tap emits it: the i18n map's first text, and the map."""
    if text.startswith("{"):
        names = json.loads(text)
        return {"name": next(iter(names.values())), "name_i18n": names}
    return {"name": text, "name_i18n": None}


def api_get(sandbox: Sandbox, path: str, **params: object) -> object:
    return api_call(sandbox, "GET", path, params=params)


def api_post(sandbox: Sandbox, path: str, body: dict) -> dict:
    return api_call(sandbox, "POST", path, json=body)


def api_call(sandbox: Sandbox, method: str, path: str, **kwargs: object) -> object:
    """A direct call to the sandbox's Tracksale API, as a test's own client."""
    response = requests.request(
        method,
        f"{sandbox.tracksale_url}/{path}",
        headers={"Authorization": f"bearer {API_TOKEN}"},
        timeout=30,
        **kwargs,
    )
    response.raise_for_status()
    return response.json()
