"""Concurrent paging of one query, `max_concurrency` pages in flight.

Once the first page tells the total, the other pages are fetched `max_concurrency` at a time
and handed on as they arrive.

Without a `total`, pages are fetched one after another until a short or empty page.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from typing import Any, TypeVar

from connector_kit.records import extract_records, to_int, total_of

PageFetch = Callable[[int], Any]
T = TypeVar("T")
R = TypeVar("R")


class Pager:
    """Fetches every page of one query, with at most `max_concurrency` pages in flight."""

    def __init__(self, *, max_concurrency: int, where: str = "response") -> None:
        self.max_concurrency = max(1, max_concurrency)
        self.where = where
        self._executor: ThreadPoolExecutor | None = None

    @property
    def executor(self) -> ThreadPoolExecutor:
        if self._executor is None:
            self._executor = ThreadPoolExecutor(
                self.max_concurrency, thread_name_prefix="page-fetch"
            )
        return self._executor

    def close(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=False, cancel_futures=True)
            self._executor = None

    def map(self, fetch: Callable[[T], R], items: Iterable[T]) -> Iterator[R]:
        """`fetch` each item, `max_concurrency` at a time; results in the items' order."""
        items = list(items)
        if self.max_concurrency == 1 or len(items) <= 1:
            yield from map(fetch, items)
            return
        yield from self.executor.map(fetch, items)

    def pages(self, fetch: PageFetch, *, page_size: int) -> Iterator[list[dict]]:
        """Yield the records of each page; `fetch(n)` returns page `n`'s decoded body."""
        first = fetch(1)
        records = extract_records(first, where=self.where)
        yield records
        total = total_of(first)
        if total is None:
            yield from self._pages_in_sequence(fetch, records, page_size, start=2)
            return
        size = self._effective_page_size(first, records, total, page_size)
        if size <= 0 or total <= len(records):
            return
        last_page = math.ceil(total / size)
        last_records: list[dict] = records
        for number, page in self._pages_concurrently(fetch, range(2, last_page + 1)):
            if number == last_page:
                last_records = page
            yield page
        if len(last_records) >= size:
            # The total grew while we paged: keep going until a short page.
            yield from self._pages_in_sequence(fetch, last_records, size, start=last_page + 1)

    def _effective_page_size(self, body: Any, records: list, total: int, asked: int) -> int:
        announced = to_int(body.get("pageSize")) if isinstance(body, dict) else None
        size = announced or asked
        if len(records) < size and len(records) < total:
            size = len(records)  # the server caps page sizes below what we asked for
        return size

    def _pages_in_sequence(
        self, fetch: PageFetch, previous: list[dict], page_size: int, *, start: int
    ) -> Iterator[list[dict]]:
        number = start
        while previous and len(previous) >= page_size:
            page = extract_records(fetch(number), where=self.where)
            if not page or (page[0] == previous[0] and page[-1] == previous[-1]):
                return  # an empty page, or a server that ignores `page`
            yield page
            previous = page
            number += 1

    def _pages_concurrently(
        self, fetch: PageFetch, numbers: range
    ) -> Iterator[tuple[int, list[dict]]]:
        if self.max_concurrency == 1 or len(numbers) == 1:
            for number in numbers:
                yield number, extract_records(fetch(number), where=self.where)
            return
        queue = iter(numbers)
        in_flight: dict[Future, int] = {}
        try:
            for number in queue:
                in_flight[self.executor.submit(fetch, number)] = number
                if len(in_flight) >= self.max_concurrency:
                    break
            while in_flight:
                done, _ = wait(in_flight, return_when=FIRST_COMPLETED)
                for future in done:
                    number = in_flight.pop(future)
                    body = future.result()
                    next_number = next(queue, None)
                    if next_number is not None:
                        in_flight[self.executor.submit(fetch, next_number)] = next_number
                    yield number, extract_records(body, where=self.where)
        finally:
            for future in in_flight:
                future.cancel()
