"""Helpers for tap-trackfinity tests: a sandbox, configs pointed at it, and tap runs."""

from __future__ import annotations

from api_sandbox import Sandbox
from api_sandbox.trackfinity import CREDENTIALS

DATA_START = "2025-11-01"
DATA_END = "2026-10-31"


def trackfinity_config(sandbox: Sandbox, **overrides: object) -> dict:
    return {
        "api_url": sandbox.trackfinity_url,
        "api_username": CREDENTIALS.api_username,
        "api_key": CREDENTIALS.api_key,
        "start_date": DATA_START,
        "end_date": DATA_END,
        **overrides,
    }
