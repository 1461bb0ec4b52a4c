"""The threads a run fetches with: at most `max_concurrency` of them, started when needed.

One pool per API client, shared by everything that fetches for the run: the pages of a query
(`paging.Pager`), a report asked for many campaigns or days at once (`map`), the parts of an
answer report (tap-tracksale's `AnswerReader`). The API client's own limit (`AdaptiveLimit`)
still decides how many of them have a request in flight.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")


class FetchPool:
    """A thread pool of `max_concurrency` fetching threads, started on first use."""

    def __init__(self, max_concurrency: int) -> None:
        self.max_concurrency = max(1, max_concurrency)
        self._executor: ThreadPoolExecutor | None = None

    @property
    def executor(self) -> ThreadPoolExecutor:
        if self._executor is None:
            self._executor = ThreadPoolExecutor(self.max_concurrency, thread_name_prefix="fetch")
        return self._executor

    def submit(self, fetch: Callable[..., R], *args: Any) -> Future[R]:
        """Run `fetch(*args)` on a fetching thread."""
        return self.executor.submit(fetch, *args)

    def map(self, fetch: Callable[[T], R], items: Iterable[T]) -> Iterator[R]:
        """`fetch` each item, `max_concurrency` at a time; results in the items' order."""
        items = list(items)
        if self.max_concurrency == 1 or len(items) <= 1:
            yield from map(fetch, items)
            return
        yield from self.executor.map(fetch, items)

    def close(self) -> None:
        """Stop the threads; fetches not started are dropped."""
        if self._executor is not None:
            self._executor.shutdown(wait=False, cancel_futures=True)
            self._executor = None
