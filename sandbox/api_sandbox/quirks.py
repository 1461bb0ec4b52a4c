"""Tolerance quirks: ways a real API's responses drift from the contract.

Most quirks change how records or their envelope look, never what they mean, so that a
connector's tolerance can be tested over real HTTP. A few serve what the vendors' documents
allow but a careless client misreads (`page-ignored`: every page answers page 1, so only a
larger `pageSize` reaches the rest; the other `servers` shapes), and `keyed-records` serves a
shape no connector should guess at. Quirks are fixed when a sandbox starts.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import msgspec

ENVELOPE_ITEMS = "envelope-items"
ENVELOPE_RESULTS = "envelope-results"
ENVELOPE_RECORDS = "envelope-records"
ENVELOPE_ARRAY = "envelope-array"
NO_TOTAL = "no-total"
STRING_NUMBERS = "string-numbers"
NAIVE_TIMESTAMPS = "naive-timestamps"
EXTRA_FIELDS = "extra-fields"
PAGE_IGNORED = "page-ignored"
"""Impact CRM: `page` is ignored, every page answers page 1's records (the seeds' paging)."""
SERVERS_WRAPPED = "servers-wrapped"
"""Impact CRM: `servers` answers its platform groups wrapped in `data`."""
SERVERS_GROUPS = "servers-groups"
"""Impact CRM: `servers` answers a list of `{"platform", "servers"}` groups."""
KEYED_RECORDS = "keyed-records"
"""Impact CRM: records come as an object keyed by id (as PHP encodes an array with gaps)."""
TRACKSALE_CAMPAIGN_OBJECT = "tracksale-campaign-object"
"""`GET /campaign/{code}` answers the campaign as an object, not an array holding it."""
TRACKSALE_CUSTOMERS_LINKS = "tracksale-customers-links"
"""`POST /campaign/{code}/survey-links` lists customers under `customers_links`."""
TRACKSALE_DOCUMENTED_TYPES = "tracksale-documented-types"
"""Tracksale's reports in the types its documents show where they leave them open: campaign
codes as text (answers' `campaign_code`, dispatches' `campaign.code`), `has_answered` as the
text `"1"` or `"0"`, and the score of each review, secondary NPS and CSAT item as a number
under `answer` (docs/apis.md, "Types the documents leave open")."""

KNOWN_QUIRKS = frozenset(
    {
        ENVELOPE_ITEMS,
        ENVELOPE_RESULTS,
        ENVELOPE_RECORDS,
        ENVELOPE_ARRAY,
        NO_TOTAL,
        STRING_NUMBERS,
        NAIVE_TIMESTAMPS,
        EXTRA_FIELDS,
        PAGE_IGNORED,
        SERVERS_WRAPPED,
        SERVERS_GROUPS,
        KEYED_RECORDS,
        TRACKSALE_CAMPAIGN_OBJECT,
        TRACKSALE_CUSTOMERS_LINKS,
        TRACKSALE_DOCUMENTED_TYPES,
    }
)
_RECORD_KEYS = {ENVELOPE_ITEMS: "items", ENVELOPE_RESULTS: "results", ENVELOPE_RECORDS: "records"}
_ISO_UTC = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z")


def parse_quirks(names: Iterable[str] | str) -> frozenset[str]:
    """Validated quirk names, from names or a comma-separated string; `ValueError` if unknown."""
    if isinstance(names, str):
        names = names.split(",")
    quirks = frozenset(name.strip() for name in names if name.strip())
    unknown = sorted(quirks - KNOWN_QUIRKS)
    if unknown:
        known = ", ".join(sorted(KNOWN_QUIRKS))
        raise ValueError(f"unknown quirk(s): {', '.join(unknown)} (known: {known})")
    envelopes = quirks & {*_RECORD_KEYS, ENVELOPE_ARRAY, KEYED_RECORDS}
    if len(envelopes) > 1:
        raise ValueError(f"choose at most one envelope quirk, got: {', '.join(sorted(envelopes))}")
    return quirks


class RecordShaper:
    """Rewrites a canonical record the way the active quirks say it is served."""

    def __init__(self, quirks: frozenset[str]) -> None:
        self.string_numbers = STRING_NUMBERS in quirks
        self.naive_timestamps = NAIVE_TIMESTAMPS in quirks
        self.extra_fields = EXTRA_FIELDS in quirks
        self.active = self.string_numbers or self.naive_timestamps or self.extra_fields

    def shape(self, record: dict[str, object], salt: int) -> dict[str, object]:
        """The record as served; `salt` varies the extra fields from record to record."""
        if not self.active:
            return record
        shaped = {key: self._value(value) for key, value in record.items()}
        if self.extra_fields:
            self._add_extra_fields(shaped, salt)
        return shaped

    def _value(self, value: object) -> object:
        if isinstance(value, dict):
            return {key: self._value(item) for key, item in value.items()}
        if isinstance(value, list):
            return [self._value(item) for item in value]
        if self.string_numbers and isinstance(value, int) and not isinstance(value, bool):
            return str(value)
        if self.string_numbers and isinstance(value, float):
            return _decimal_text(value)
        if self.naive_timestamps and isinstance(value, str) and _ISO_UTC.fullmatch(value):
            return value[:10] + " " + value[11:19]
        return value

    def _add_extra_fields(self, record: dict[str, object], salt: int) -> None:
        nested = next((value for value in record.values() if isinstance(value, dict)), None)
        if nested is not None:
            nested["sourceSystem"] = "legacy"
        risk_score = salt * 7 % 10
        record["riskScore"] = str(risk_score) if self.string_numbers else risk_score
        record["audit"] = {"source": "crm-sync", "revision": "2" if self.string_numbers else 2}


def _decimal_text(value: float) -> str:
    text = repr(value)
    if "e" in text or "E" in text:
        text = f"{value:.10f}".rstrip("0")
    whole, _, fraction = text.partition(".")
    return f"{whole}.{fraction.ljust(2, '0')}"


class Envelope:
    """Wraps a page of pre-encoded records in the response envelope the quirks call for."""

    def __init__(self, quirks: frozenset[str]) -> None:
        self.bare_array = ENVELOPE_ARRAY in quirks
        self.with_total = NO_TOTAL not in quirks
        self.keyed = KEYED_RECORDS in quirks
        key = next((_RECORD_KEYS[q] for q in _RECORD_KEYS if q in quirks), "data")
        self._records_key = msgspec.json.encode(key)

    def wrap(self, records: list[bytes], total: int, page: int, page_size: int) -> bytes:
        if self.keyed:
            first = (page - 1) * page_size
            body = b",".join(b'"%d":%s' % (first + n, r) for n, r in enumerate(records))
            opening, closing = b"{", b"}}"
        else:
            body = b",".join(records)
            opening, closing = b"[", b"]}"
        if self.bare_array:
            return b"[" + body + b"]"
        total_part = b'"total":%d,' % total if self.with_total else b""
        head = b'{%s"page":%d,"pageSize":%d,%s:%s' % (
            total_part,
            page,
            page_size,
            self._records_key,
            opening,
        )
        return b"".join((head, body, closing))
