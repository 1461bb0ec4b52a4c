"""Tracksale API tokens: every call sends `Authorization: bearer TOKEN`.

The sandbox account has one token; the scheme word is case-insensitive, as HTTP allows.
"""

from __future__ import annotations

import hmac
from collections.abc import Mapping

API_TOKEN = "sandbox-tracksale-token"


def is_authorized(headers: Mapping[str, str]) -> bool:
    """Whether the (lower-cased) headers carry the account's bearer token."""
    scheme, _, token = headers.get("authorization", "").strip().partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(token.strip(), API_TOKEN)
