"""Concurrent paging of one query, up to `max_concurrency` pages in flight.

Pages are requested ahead of the reader: as soon as one answer arrives, the next page is
requested from the answering thread, so the network stays busy while the records of earlier
pages are being written. Pages are handed on in order.

How far ahead to ask before the first answer is learned per query kind (`key`): as many pages
as the previous query of that kind had (at most `max_concurrency`), or `expect_pages` for the
first one. A backfill so asks for its first `max_concurrency` pages at once instead of waiting
one round trip to learn the total; a small incremental query asks for page 1 alone.

The end of a query:
- with a `total`: its last page (and the page after it when the last page is full, in case the
  total grew while paging; a non-empty answer there means paging goes on);
- without one: the first page shorter than the page size;
- always: an empty page, or a page equal to the one before when nothing is known to remain.
Pages asked for past the end are dropped unread.

Paging never stops short in silence. A server may ignore `page` and answer page 1 to every
page (the Impact CRM documents read that way): page 2 equal to page 1, while the total says
more remain or no total is given, raises `PageIgnoredError`. Page 1 is held back until page 2
shows the server honours `page`, so that error comes before any record is handed on and the
caller can ask another way (one larger page, smaller windows) without duplicates. A later page
equal to the one before while the total says more remain, or an empty page while its total says
records remain, is an error too. Without a total, a later page equal to the one before ends the
query (a server that answers its last page to any page past the end).
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable, Hashable, Iterator
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any, TypeVar, Union

import msgspec

from connector_kit.errors import ConnectorError
from connector_kit.fetch_pool import FetchPool
from connector_kit.records import extract_records, to_int, total_of

PageFetch = Callable[[int], Any]
T = TypeVar("T")
R = TypeVar("R")
BUFFERED_ROUNDS = 2
"""Pages answered but not yet read are at most this many times `max_concurrency`."""


class _Envelope(msgspec.Struct):
    total: Any = None
    pageSize: Any = None  # noqa: N815 - the APIs' own name


_PEEK = msgspec.json.Decoder(Union[_Envelope, list[msgspec.Raw]])  # noqa: UP007


@dataclass(frozen=True)
class PeekedPage:
    """A page's JSON, checked and read for its envelope only; its records are decoded later.

    Reading the envelope costs a tenth of decoding the records, so a fetching thread can ask
    for the next page sooner, and the records are decoded by the thread that writes them.
    """

    raw: bytes
    total: int | None
    page_size: int | None
    count: int | None = None
    """How many records a bare JSON array holds (None for an envelope)."""


def peek_page(body: bytes) -> PeekedPage:
    """A JSON page body checked whole and read for `total` and `pageSize` (a `get_json` decoder).

    Fails with `msgspec.DecodeError` when the body is not JSON, so the fetch is retried. JSON
    that is neither an object nor an array (`null`, a string) is passed on unread, for the
    records' reader to refuse by name rather than retry it as if it were not JSON.
    """
    try:
        head = _PEEK.decode(body)
    except msgspec.ValidationError:
        msgspec.json.decode(body)  # not JSON at all: raises DecodeError, and the fetch is retried
        return PeekedPage(body, None, None)
    if isinstance(head, list):
        return PeekedPage(body, None, None, len(head))
    return PeekedPage(body, to_int(head.total), to_int(head.pageSize))


class PageIgnoredError(ConnectorError):
    """The server answered page 2 with page 1's records: it ignores `page`.

    Raised before any record of the query is handed on. `total` is the record count the
    server announced (None when it gives none), `page_size` the size of page 1.
    """

    def __init__(self, where: str, total: int | None, page_size: int) -> None:
        announced = f"{total} records announced" if total is not None else "no total given"
        super().__init__(
            f"The {where} answered page 2 with the records of page 1 ({announced}, "
            f"{page_size} a page): the server ignores `page`, so paging cannot reach the rest."
        )
        self.total = total
        self.page_size = page_size


@dataclass
class Page:
    """One answered page: its body and what its envelope says about the query."""

    number: int
    body: Any
    total: int | None
    announced_size: int | None


class Pager:
    """Fetches every page of one query, with at most `max_concurrency` pages in flight.

    The pages are fetched on `pool`'s threads (a pool of its own when none is given).
    """

    def __init__(
        self,
        *,
        max_concurrency: int | None = None,
        pool: FetchPool | None = None,
        where: str = "response",
    ) -> None:
        self._owns_pool = pool is None
        self.pool = pool or FetchPool(max_concurrency or 1)
        self.max_concurrency = self.pool.max_concurrency
        self.where = where
        self._pages_seen: dict[Hashable, int] = {}

    def close(self) -> None:
        """Stop the threads of the pool this pager made (a pool given to it is its owner's)."""
        if self._owns_pool:
            self.pool.close()

    def pages(
        self,
        fetch: PageFetch,
        *,
        page_size: int,
        key: Hashable = None,
        expect_pages: int = 1,
        where: str | None = None,
    ) -> Iterator[list[dict[str, Any]]]:
        """Yield the records of each page, in order; `fetch(n)` returns page `n`'s body.

        `key` names the kind of query (an endpoint, say) whose page count guides how many
        pages the next query of that kind asks for at once; `expect_pages` is the guess for
        the first query of a kind. `where` names the answers in errors (default: the
        pager's). Raises `PageIgnoredError` when the server ignores `page`.
        """
        ahead = self._pages_seen.get(key, expect_pages)
        run = _PageRun(self, fetch, page_size=page_size, ahead=ahead, where=where or self.where)
        pages = 0
        try:
            for records in run:
                pages += 1
                yield records
        finally:
            run.stop()
        self._pages_seen[key] = min(max(pages, 1), self.max_concurrency)

    def read_page(self, fetch: PageFetch, number: int) -> Page:
        """Fetch page `number` and read its envelope (runs on a fetching thread)."""
        body = fetch(number)
        if isinstance(body, PeekedPage):
            return Page(number, body.raw, body.total, body.page_size)
        announced = to_int(body.get("pageSize")) if isinstance(body, dict) else None
        return Page(number, body, total_of(body), announced)

    def records_of(self, page: Page, where: str | None = None) -> list[dict[str, Any]]:
        """The page's records, decoding its JSON if that was left for later."""
        body = msgspec.json.decode(page.body) if isinstance(page.body, bytes) else page.body
        return extract_records(body, where=where or self.where)


class _PageRun:
    """The pages of one query: which to ask for next, and the answers in page order."""

    def __init__(
        self, pager: Pager, fetch: PageFetch, *, page_size: int, ahead: int, where: str
    ) -> None:
        self.pager = pager
        self.fetch = fetch
        self.where = where
        self.asked_size = page_size
        self.ahead = max(1, min(ahead, pager.max_concurrency))
        self.lock = threading.RLock()
        self.futures: dict[int, Future[Page]] = {}
        self.next_number = 1
        self.in_flight = 0
        self.read = 0
        """Pages handed to the reader so far."""
        self.size: int | None = None
        """The page size the server uses, known from page 1."""
        self.total: int | None = None
        self.extra_page: int | None = None
        """A page past the total's last one, asked for because the last page was full."""
        self.stopped = False

    def __iter__(self) -> Iterator[list[dict[str, Any]]]:
        previous: list[dict[str, Any]] | None = None
        held: list[dict[str, Any]] | None = None
        """Page 1's records, held back until page 2 shows the server honours `page`."""
        number = 1
        self.top_up()
        while True:
            with self.lock:
                future = self.futures.pop(number, None)
            if future is None:
                if held is not None:
                    yield held
                return  # past the end: nothing was asked for
            page = future.result()
            records = self.pager.records_of(page, self.where)
            with self.lock:
                if held is None:
                    self.read = number
                if number == 1:
                    self._learn(page, records)
                ended = self._ends_before(page, records, previous)
                last = not ended and self._is_last(page, records)
            if held is not None:
                yield held
                held = None
                with self.lock:
                    self.read = number
            if ended:
                return
            self.top_up()
            if number == 1 and not last:
                held = records
            else:
                yield records
            if last:
                return
            previous = records
            number += 1

    def stop(self) -> None:
        with self.lock:
            self.stopped = True
            for future in self.futures.values():
                future.cancel()
            self.futures.clear()

    def top_up(self) -> None:
        """Ask for more pages while in-flight, buffer and end limits allow."""
        with self.lock:
            while (
                not self.stopped
                and self.in_flight < self.pager.max_concurrency
                and self.next_number <= self._last_to_ask()
            ):
                number = self.next_number
                self.next_number += 1
                self.in_flight += 1
                self.futures[number] = self.pager.pool.submit(self._load, number)

    def _load(self, number: int) -> Page:
        """Fetch one page on a fetching thread, then ask for the next ones from there."""
        try:
            page = self.pager.read_page(self.fetch, number)
        finally:
            with self.lock:
                self.in_flight -= 1
        with self.lock:
            if page.total is not None and (self.total is None or page.total > self.total):
                self.total = page.total
        self.top_up()
        return page

    def _learn(self, first: Page, records: list[dict[str, Any]]) -> None:
        size = first.announced_size or self.asked_size
        total = first.total
        if total is not None and len(records) < min(size, total):
            size = len(records) or size  # the server caps page sizes below what we asked
        self.size = size

    def _last_to_ask(self) -> int:
        buffered = self.read + BUFFERED_ROUNDS * self.pager.max_concurrency
        if self.size is None:
            return min(self.ahead, buffered)
        if self.total is None:
            return min(self.read + self.ahead, buffered)
        last = max(1, math.ceil(self.total / self.size))
        if self.total % self.size == 0 or self.extra_page is not None:
            last = max(last + 1, self.extra_page or 0)
        return min(last, buffered)

    def _ends_before(
        self, page: Page, records: list[dict[str, Any]], previous: list[dict[str, Any]] | None
    ) -> bool:
        """True when `page` ends the query before its records: empty, or the one before again.

        Raises when that would stop short of records the total says remain.
        """
        number, size = page.number, self.size or self.asked_size
        total = page.total if page.total is not None else self.total
        remain = total is not None and (number - 1) * size < total
        if not records:
            if page.total is not None and (number - 1) * size < page.total:
                msg = (
                    f"The {self.where} answered page {number} with no records, though its total "
                    f"({page.total}) says {page.total - (number - 1) * size} remain from there "
                    f"({size} a page). Paging stopped rather than lose them."
                )
                raise ConnectorError(msg)
            return True
        if previous is None or not _same_page(records, previous):
            return False
        if number == 2 and (remain or total is None):
            raise PageIgnoredError(self.where, total, size)
        if remain:
            msg = (
                f"The {self.where} answered page {number} with the records of page "
                f"{number - 1}, though its total ({total}) says more remain ({size} a page). "
                "Paging stopped rather than lose them."
            )
            raise ConnectorError(msg)
        return True

    def _is_last(self, page: Page, records: list[dict[str, Any]]) -> bool:
        with self.lock:
            size = self.size or self.asked_size
            if len(records) < size:
                return self.total is None or page.number >= math.ceil(self.total / size)
            if self.total is None:
                self.ahead = min(self.ahead * 2, self.pager.max_concurrency)
                return False
            if page.number >= math.ceil(self.total / size):
                # A full last page: the total may have grown, so the page after it decides.
                self.extra_page = max(self.extra_page or 0, page.number + 1)
            return False


def _same_page(records: list[dict[str, Any]], previous: list[dict[str, Any]]) -> bool:
    return records[0] == previous[0] and records[-1] == previous[-1]
