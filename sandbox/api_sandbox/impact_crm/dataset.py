"""The Impact CRM's data: deterministic records, their indexes, queries and test mutations.

One CRM serves all three report families from the same records; only IB transactions carry
`isFake`, and only IB can ask for fake transactions (the other families never see them).
`weeks_later` adds that many later weeks after the data period (see `later_weeks.py`).
"""

from __future__ import annotations

import threading
from array import array
from collections.abc import Callable
from datetime import date

import msgspec

from api_sandbox.encoded import CacheBudget, EncodedRecords
from api_sandbox.impact_crm.later_weeks import LaterWeek
from api_sandbox.impact_crm.queries import Criteria, FilterError, parse_criteria
from api_sandbox.impact_crm.records import (
    FIRST_LEAD_ID,
    FIRST_POSITION_ID,
    FIRST_TRANSACTION_ID,
    FIRST_USER_ID,
    RecordFactory,
    revision_bits,
)
from api_sandbox.impact_crm.selection import RowSelector
from api_sandbox.impact_crm.skeleton import Skeleton, build_skeleton
from api_sandbox.impact_crm.vocabulary import AFFILIATE_COUNT, SERVERS
from api_sandbox.later import WEEK, check_weeks_later, last_day, week_span
from api_sandbox.quirks import RecordShaper
from api_sandbox.timestamps import SECONDS_PER_DAY, day_start, now_seconds

STREAMS = ("leads", "registrations", "transactions", "positions")
EDITABLE_STREAMS = ("leads", "registrations")
DEFAULT_DATA_START = date(2025, 11, 1)
DEFAULT_DATA_END = date(2026, 10, 31)
DEFAULT_CACHE_LIMIT_BYTES = 768 * 1024 * 1024
_FIRST_IDS = {
    "leads": FIRST_LEAD_ID,
    "registrations": FIRST_USER_ID,
    "transactions": FIRST_TRANSACTION_ID,
    "positions": FIRST_POSITION_ID,
}
_ID_FIELDS = {
    "leads": "leadId",
    "registrations": "userId",
    "transactions": "transactionId",
    "positions": "positionId",
}
_IS_FAKE = b',"isFake":true}'
_IS_REAL = b',"isFake":false}'


class ImpactCrmDataset:
    """All records of one sandbox CRM, sized by `scale` leads and fixed by `seed`."""

    def __init__(
        self,
        *,
        seed: int = 1,
        scale: int = 200,
        data_start: date = DEFAULT_DATA_START,
        data_end: date = DEFAULT_DATA_END,
        quirks: frozenset[str] = frozenset(),
        cache_limit_bytes: int = DEFAULT_CACHE_LIMIT_BYTES,
        weeks_later: int = 0,
    ) -> None:
        self.seed = seed
        self.scale = scale
        self.data_start = data_start
        self.data_end = data_end
        self.weeks_later = check_weeks_later(weeks_later)
        self.last_day = last_day(data_end, weeks_later)
        start, period_end = day_start(data_start), day_start(data_end) + SECONDS_PER_DAY - 1
        self.skeleton: Skeleton = build_skeleton(seed, scale, start, period_end)
        self.factory = RecordFactory(seed, self.skeleton)
        leads_per_week = round(scale * WEEK / (period_end - start + 1))
        for week in range(1, weeks_later + 1):
            LaterWeek(self.skeleton, self.factory, week, week_span(data_end, week)).add(
                leads_per_week
            )
        self._shaper = RecordShaper(quirks)
        self._encoder = msgspec.json.Encoder()
        self._lock = threading.RLock()
        self._selector = RowSelector(self.skeleton)
        budget = CacheBudget(cache_limit_bytes)
        renderers: dict[str, Callable[[int], bytes]] = {
            "leads": self.factory.lead,
            "registrations": self.factory.registration,
            "transactions": self.factory.transaction,
            "positions": self.factory.position,
        }
        self._encoded = {
            stream: EncodedRecords(self._shaped(render), budget)
            for stream, render in renderers.items()
        }
        for stream in STREAMS:
            self._encoded[stream].grow(self.count(stream))

    def prerender(self) -> int:
        """Render every record's JSON now, within the cache budget; return how many.

        Requests then never pay for rendering.
        """
        with self._lock:
            return sum(self._encoded[stream].prerender() for stream in STREAMS)

    # Reading

    def count(self, stream: str) -> int:
        skeleton = self.skeleton
        columns = {
            "leads": skeleton.leads,
            "registrations": skeleton.registrations,
            "transactions": skeleton.transactions,
            "positions": skeleton.positions,
        }
        return len(columns[_known_stream(stream)])

    def server_tags(self) -> dict[str, list[str]]:
        """Server tags grouped by platform, as the `servers` endpoint serves them."""
        grouped: dict[str, list[str]] = {}
        for platform, tag in SERVERS:
            grouped.setdefault(platform, []).append(tag)
        return grouped

    def page(
        self, criteria: Criteria, family: str, page: int, page_size: int
    ) -> tuple[int, list[bytes]]:
        """The total number of selected records and the encoded records of one page."""
        with self._lock:
            selected = self._selector.select(criteria)
            rows = selected.slice((page - 1) * page_size, page_size)
            return len(selected), self._encode(criteria.stream, family, rows)

    def records(
        self, stream: str, family: str = "trackbox", **filters: object
    ) -> list[dict[str, object]]:
        """Every record a query selects, across all pages, exactly as the API serves them.

        Filters are the API's query parameters; here the required ones may be left out, which
        means no restriction (positions without `serverTag` come server after server).
        Invalid filters raise `ValueError` with the message the API would answer 400 with.
        """
        params = {name: _parameter_text(value) for name, value in filters.items()}
        criteria = parse_criteria(_known_stream(stream), family, params, complete=False)
        with self._lock:
            encoded = self._encode(stream, family, self._selector.select(criteria).all())
        return [msgspec.json.decode(item) for item in encoded]

    # Mutations, for tests

    def edit(self, stream: str, record_id: int) -> dict[str, object]:
        """Touch a lead or registration: last modified now, and one field changed.

        A lead's `status` moves on; a registration gets a new `phone`. Returns the record.
        """
        if stream not in EDITABLE_STREAMS:
            raise ValueError(f"only {' and '.join(EDITABLE_STREAMS)} can be edited, not {stream!r}")
        row = self._row(stream, record_id)
        with self._lock:
            if stream == "leads":
                columns, revisions = self.skeleton.leads, self.factory.lead_revisions
            else:
                columns = self.skeleton.registrations
                revisions = self.factory.registration_revisions
            previous = columns.modified[row]
            columns.modified[row] = now_seconds()
            self._selector.touched(stream, row, previous)
            revisions[row] = revisions.get(row, 0) + 1
            self._encoded[stream].forget(row)
        id_filter = {_ID_FIELDS[stream]: record_id}
        return self.records(stream, "cellxpert", **id_filter)[0]

    def add(self, stream: str, count: int) -> list[int]:
        """Append `count` new leads, or registrations (each with its new lead), dated now.

        Returns the new records' ids (`leadId` or `userId`).
        """
        if stream not in EDITABLE_STREAMS:
            raise ValueError(f"only {' and '.join(EDITABLE_STREAMS)} can be added, not {stream!r}")
        if not 1 <= count <= 100_000:
            raise ValueError(f"n must be between 1 and 100000, got {count}")
        ids: list[int] = []
        with self._lock:
            for _ in range(count):
                at = now_seconds()
                row = len(self.skeleton.leads)
                affiliate = revision_bits(self.seed, b"added-lead", row, 0) % AFFILIATE_COUNT
                lead = self.skeleton.append_lead(at, affiliate)
                self._selector.appended("leads", lead)
                if stream == "leads":
                    ids.append(FIRST_LEAD_ID + lead)
                    continue
                customer = self.skeleton.append_customer(lead, at)
                self._selector.appended("registrations", customer)
                ids.append(FIRST_USER_ID + customer)
            self._encoded["leads"].grow(self.count("leads"))
            self._encoded["registrations"].grow(self.count("registrations"))
        return ids

    # Internals

    def _shaped(self, render: Callable[[int], bytes]) -> Callable[[int], bytes]:
        """`render`, with the records reshaped as the quirks say when any is active."""
        if not self._shaper.active:
            return render
        shape, encode, decode = self._shaper.shape, self._encoder.encode, msgspec.json.decode

        def render_shaped(row: int) -> bytes:
            return encode(shape(decode(render(row)), row))

        return render_shaped

    def _encode(self, stream: str, family: str, rows: array) -> list[bytes]:
        encoded = self._encoded[stream].many(rows)
        if stream == "transactions" and family == "ib":
            fake = self.skeleton.transactions.fake
            encoded = [
                item[:-1] + (_IS_FAKE if fake[row] else _IS_REAL)
                for item, row in zip(encoded, rows, strict=True)
            ]
        return encoded

    def _row(self, stream: str, record_id: int) -> int:
        row = record_id - _FIRST_IDS[_known_stream(stream)]
        if isinstance(record_id, bool) or not 0 <= row < self.count(stream):
            raise LookupError(f"no {stream} record with id {record_id}")
        return row


def _known_stream(stream: str) -> str:
    if stream not in STREAMS:
        raise ValueError(f"unknown stream {stream!r}; streams are {', '.join(STREAMS)}")
    return stream


def _parameter_text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


__all__ = ["DEFAULT_DATA_END", "DEFAULT_DATA_START", "STREAMS", "FilterError", "ImpactCrmDataset"]
