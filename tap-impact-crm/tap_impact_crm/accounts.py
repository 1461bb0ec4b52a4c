"""Trading accounts from a registration's `userAdditionalId`.

The CRM lists a customer's live accounts as comma-separated triples of login, platform server
and type: `"(12345, mt4, live),(67890, mt5, live)"`.
"""

from __future__ import annotations

import re
from typing import Any

from connector_kit.records import to_int

_TRIPLE = re.compile(r"\(\s*([^(),]*?)\s*,\s*([^(),]*?)\s*,\s*([^(),]*?)\s*\)")


def trading_accounts(user_additional_id: str | None) -> list[dict[str, Any]]:
    """Each account as `{login, server, type}`; an empty list when there is none.

    Triples without parentheses (`12345, mt4, live`) are read too. A login that is not a
    number is given as null; the raw string stays in `userAdditionalId`.
    """
    if not user_additional_id or not isinstance(user_additional_id, str):
        return []
    triples = _TRIPLE.findall(user_additional_id)
    if not triples and "(" not in user_additional_id:
        parts = [part.strip() for part in user_additional_id.split(",")]
        triples = [tuple(parts[i : i + 3]) for i in range(0, len(parts) - 2, 3)]
    return [
        {"login": to_int(login), "server": server or None, "type": kind or None}
        for login, server, kind in triples
    ]
