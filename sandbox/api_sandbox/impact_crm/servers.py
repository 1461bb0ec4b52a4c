"""The `servers` answer: server tags grouped by platform, in the shape the quirks choose.

The seeds say only that the answer "groups all servers by platform type". By default it is
an object of platform -> tags (`{"mt4": ["MT4-Live-1"]}`); `servers-groups` makes it a list of
`{"platform", "servers"}` groups, `servers-wrapped` puts either under `data`, and
`keyed-records` gives each platform's tags as an object keyed by position (a shape no
connector should guess at).
"""

from __future__ import annotations

import msgspec

from api_sandbox.quirks import KEYED_RECORDS, SERVERS_GROUPS, SERVERS_WRAPPED


def servers_body(grouped: dict[str, list[str]], quirks: frozenset[str]) -> bytes:
    """The encoded `servers` answer for tags grouped by platform."""
    shaped: object = grouped
    if KEYED_RECORDS in quirks:
        shaped = {
            platform: {str(n): tag for n, tag in enumerate(tags)}
            for platform, tags in grouped.items()
        }
    elif SERVERS_GROUPS in quirks:
        shaped = [{"platform": platform, "servers": tags} for platform, tags in grouped.items()]
    if SERVERS_WRAPPED in quirks:
        shaped = {"data": shaped}
    return msgspec.json.encode(shaped)
