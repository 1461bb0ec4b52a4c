"""What `GET /campaign/{code}` answers: an array holding the campaign, or the campaign itself.

Public client code reads the campaign out of a JSON array; the seed shows an object. Both are
accepted. Anything else (an empty array, an object with no `code`, an array holding another
campaign) stops the run with an error naming the endpoint and what it held.
"""

from __future__ import annotations

from typing import Any

from connector_kit.errors import ConnectorError
from connector_kit.records import to_int


def campaign_in(body: Any, code: int) -> dict[str, Any]:
    """The campaign `code` from the answer of `GET /campaign/{code}`."""
    found = body
    if isinstance(body, list):
        held = [entry for entry in body if isinstance(entry, dict)]
        found = next((entry for entry in held if to_int(entry.get("code")) == code), None)
    if isinstance(found, dict) and to_int(found.get("code")) == code:
        return found
    if isinstance(body, dict):
        seen = f"an object with keys {sorted(body)}"
    elif isinstance(body, list):
        codes = [entry.get("code") for entry in body if isinstance(entry, dict)]
        seen = f"an array of {len(body)} item(s), campaign codes {codes}"
    else:
        seen = type(body).__name__
    msg = (
        f"GET /campaign/{code} did not answer campaign {code} (expected an array holding it, "
        f"or the campaign object); it answered {seen}. Check `campaign_codes`."
    )
    raise ConnectorError(msg)
