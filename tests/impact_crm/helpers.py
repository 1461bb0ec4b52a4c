"""Helpers for tap-impact-crm tests: configs pointed at the sandbox, and tap runs."""

from __future__ import annotations

from api_sandbox import Sandbox
from api_sandbox.impact_crm import CREDENTIALS

DATA_START = "2025-11-01"
DATA_END = "2026-10-31"


def crm_config(sandbox: Sandbox, **overrides: object) -> dict:
    return {
        "api_url": sandbox.impact_crm_url,
        "x_domain": CREDENTIALS.x_domain,
        "api_key": CREDENTIALS.api_key,
        "email": CREDENTIALS.email,
        "password": CREDENTIALS.password,
        "start_date": DATA_START,
        "end_date": DATA_END,
        **overrides,
    }
