"""Reading a report from a server that ignores `page`: one large page a window, or smaller windows.

The Impact CRM documents page this way: "If the total number of results exceeds 1000 (or
predefined page size) users need to call the required endpoint with the same parameters but
with an increased page size." So once an endpoint is seen to ignore `page`, each window is
asked for as one page of `max_page_size` records. A window holding more than that (by its
`total`, or a full page without one) is split into smaller windows, down to a single day; a
single day that still does not fit fails the run, naming the endpoint, the day, the total and
the setting. Nothing is handed on from an answer that does not hold the whole window.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from connector_kit.errors import ConnectorError
from connector_kit.records import extract_records, to_int, total_of
from connector_kit.windows import DateWindow

logger = logging.getLogger("tap-impact-crm")

WindowQuery = Callable[[DateWindow], Mapping[str, Any]]
"""The query parameters of one date window (dates and filters, without paging)."""


@dataclass(frozen=True)
class LargePage:
    """One answer asked for as a single page: its records and what the envelope says."""

    records: list[dict[str, Any]]
    total: int | None
    announced_size: int | None

    def holds_everything(self, asked_size: int) -> bool:
        """True when the answer holds the whole query, not a page of it."""
        if self.total is not None:
            return len(self.records) >= self.total
        size = min(self.announced_size or asked_size, asked_size)
        return len(self.records) < size


def split_window(window: DateWindow, parts: int) -> list[DateWindow]:
    """`window` cut into at most `parts` consecutive windows of near-equal days (at least one)."""
    days = (window.end - window.start).days + 1
    parts = max(1, min(parts, days))
    pieces, start = [], window.start
    for index in range(parts):
        length = days // parts + (1 if index < days % parts else 0)
        end = start + dt.timedelta(days=length - 1)
        pieces.append(DateWindow(start, end))
        start = end + dt.timedelta(days=1)
    return pieces


class LargePageReader:
    """Reads an endpoint's windows as single pages of up to `max_page_size` records."""

    def __init__(self, get: Callable[..., Any], *, max_page_size: int) -> None:
        self.get = get
        self.max_page_size = max_page_size

    def batches(
        self, endpoint: str, window: DateWindow, query: WindowQuery
    ) -> Iterator[list[dict[str, Any]]]:
        """The records of `window`, one batch per (sub-)window, in date order."""
        params = query(window)
        page = self.read(endpoint, params)
        if page.holds_everything(self.max_page_size):
            if page.records:
                yield page.records
            return
        single_day = window.start == window.end
        where = f"{window.start if single_day else window}{_filters_text(params)}"
        if single_day:
            raise ConnectorError(self._day_too_large(endpoint, where, page))
        wanted = math.ceil(page.total / self.max_page_size) if page.total else 2
        pieces = split_window(window, max(2, wanted))
        logger.info(
            "Impact CRM %s: %s holds %s records, more than one page of `max_page_size` (%d); "
            "reading it as %d smaller windows",
            endpoint,
            where,
            page.total if page.total is not None else f"at least {len(page.records)}",
            self.max_page_size,
            len(pieces),
        )
        for piece in pieces:
            yield from self.batches(endpoint, piece, query)

    def read(self, endpoint: str, params: Mapping[str, Any]) -> LargePage:
        """Ask for `params` as one page of `max_page_size` records."""
        body = self.get(endpoint, {**params, "page": 1, "pageSize": self.max_page_size})
        records = extract_records(body, where=f"Impact CRM {endpoint} response")
        announced = to_int(body.get("pageSize")) if isinstance(body, dict) else None
        return LargePage(records, total_of(body), announced)

    def _day_too_large(self, endpoint: str, day: str, page: LargePage) -> str:
        if page.total is not None:
            holds = f"{page.total} records (the answer held {len(page.records)})"
        else:
            holds = f"at least {len(page.records)} records (a full page, and no total)"
        return (
            f"Impact CRM {endpoint} ignores `page`, and the single day {day} holds "
            f"{holds}: more than one page of `max_page_size` ({self.max_page_size}) can hold, "
            "and no smaller date filter exists. Raise `max_page_size` to at least the total if "
            "the CRM accepts so large a pageSize, or ask the CRM's operator to honour `page`."
        )


def _filters_text(params: Mapping[str, Any]) -> str:
    """The query's filters besides its dates, e.g. ` (serverTag=MT4-Live-1)`; or nothing."""
    filters = [f"{k}={v}" for k, v in params.items() if not k.endswith(("From", "To"))]
    return f" ({', '.join(filters)})" if filters else ""
