"""Report query parameters: validation, and the `Criteria` they select records by.

Every date filter is a `YYYY-MM-DD` pair, both ends inclusive, compared on the UTC date of the
record's timestamp, so it becomes the half-open range [from 00:00:00, day after `to` 00:00:00).
Each family honours only its own optional filters and ignores other parameters, as the seeds
document them: `leadId`, `userId` and `affId` for Cellxpert, `includeFake` for IB.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from api_sandbox.impact_crm.vocabulary import SERVERS
from api_sandbox.timestamps import day_start, parse_day

DEFAULT_PAGE_SIZE = 1000
MAX_PAGE_SIZE = 10_000
_INTEGER = re.compile(r"\d{1,18}")

DATE_PAIRS = {
    "registered": ("registrationDateFrom", "registrationDateTo"),
    "modified": ("lastModifiedDateFrom", "lastModifiedDateTo"),
    "at": ("transactionDateFrom", "transactionDateTo"),
    "closed": ("positionCloseDateFrom", "positionCloseDateTo"),
}
# Per stream: the date filters it takes, in ordering priority, and its default order.
STREAM_DATES = {
    "leads": ("modified", "registered"),
    "registrations": ("modified", "registered"),
    "transactions": ("at",),
    "positions": ("closed",),
}
STREAM_DEFAULT_ORDER = {
    "leads": "registered",
    "registrations": "registered",
    "transactions": "at",
    "positions": "closed",
}
# Optional id filters per family and stream: parameter name -> criteria field.
ID_FILTERS = {
    ("cellxpert", "leads"): {"leadId": "lead_id", "affId": "affiliate_id"},
    ("cellxpert", "registrations"): {"userId": "user_id", "affId": "affiliate_id"},
    ("cellxpert", "transactions"): {"userId": "user_id"},
    ("cellxpert", "positions"): {"userId": "user_id"},
}
SERVER_NUMBERS = {tag: number for number, (_, tag) in enumerate(SERVERS)}


class FilterError(ValueError):
    """A missing or malformed query parameter; the message names it."""


@dataclass(frozen=True)
class DateWindow:
    """A timestamp column restricted to [start, stop) in Unix seconds."""

    column: str
    start: int
    stop: int


@dataclass(frozen=True)
class Criteria:
    """What one report query selects; the first window, if any, sets the order."""

    stream: str
    windows: tuple[DateWindow, ...] = ()
    server: int | None = None
    lead_id: int | None = None
    user_id: int | None = None
    affiliate_id: int | None = None
    include_fake: bool = False

    @property
    def order(self) -> str:
        return self.windows[0].column if self.windows else STREAM_DEFAULT_ORDER[self.stream]


def parse_criteria(
    stream: str, family: str, params: Mapping[str, str], *, complete: bool = True
) -> Criteria:
    """The criteria of a query; with `complete=False`, required filters may be left out."""
    windows = tuple(
        window
        for column in STREAM_DATES[stream]
        if (window := _date_window(column, params)) is not None
    )
    if complete and not windows:
        columns = sorted(STREAM_DATES[stream], key=list(DATE_PAIRS).index)
        pairs = " or ".join(" and ".join(DATE_PAIRS[column]) for column in columns)
        raise FilterError(f"missing required filter: {pairs}")
    server = None
    if stream == "positions":
        tag = params.get("serverTag")
        if tag is None or tag == "":
            if complete:
                raise FilterError("missing required filter: serverTag")
        elif tag not in SERVER_NUMBERS:
            raise FilterError(f"unknown serverTag: {tag!r} (see the servers endpoint)")
        else:
            server = SERVER_NUMBERS[tag]
    ids = {
        field: _integer(name, params[name])
        for name, field in ID_FILTERS.get((family, stream), {}).items()
        if name in params
    }
    include_fake = False
    if family == "ib" and stream == "transactions" and "includeFake" in params:
        include_fake = _boolean("includeFake", params["includeFake"])
    return Criteria(stream, windows, server, include_fake=include_fake, **ids)


def parse_paging(params: Mapping[str, str]) -> tuple[int, int]:
    """`page` and `pageSize`, defaulting to 1 and 1000."""
    page = _integer("page", params["page"]) if "page" in params else 1
    page_size = (
        _integer("pageSize", params["pageSize"]) if "pageSize" in params else DEFAULT_PAGE_SIZE
    )
    if page < 1:
        raise FilterError(f"page must be 1 or more, got {page}")
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        raise FilterError(f"pageSize must be between 1 and {MAX_PAGE_SIZE}, got {page_size}")
    return page, page_size


def _date_window(column: str, params: Mapping[str, str]) -> DateWindow | None:
    first_name, last_name = DATE_PAIRS[column]
    first, last = params.get(first_name), params.get(last_name)
    if first is None and last is None:
        return None
    if first is None:
        raise FilterError(f"{first_name} is required with {last_name}")
    if last is None:
        raise FilterError(f"{last_name} is required with {first_name}")
    first_day, last_day = _day(first_name, first), _day(last_name, last)
    if first_day > last_day:
        raise FilterError(f"{first_name} ({first}) is after {last_name} ({last})")
    return DateWindow(column, day_start(first_day), day_start(last_day + timedelta(days=1)))


def _day(name: str, value: str) -> date:
    try:
        return parse_day(value)
    except ValueError:
        raise FilterError(f"{name} must be a date YYYY-MM-DD, got {value!r}") from None


def _integer(name: str, value: str) -> int:
    if not _INTEGER.fullmatch(value.strip()):
        raise FilterError(f"{name} must be an integer, got {value!r}")
    return int(value)


def _boolean(name: str, value: str) -> bool:
    lowered = value.strip().lower()
    if lowered not in ("true", "false"):
        raise FilterError(f"{name} must be true or false, got {value!r}")
    return lowered == "true"
