"""Reading every answer of a time span from `/report/answer`, which is not paged.

A request asks for one more answer than `most`, so an answer that would not fit shows. The span
is read in parts, `max_concurrency` of them asked for at once, each of the part length learned
so far (the whole span at first). A part that holds too many is cut into `max_concurrency`
parts (two at least), read at once, and the part length becomes that of the shortest of them;
a part that holds a quarter of `most` or less doubles it, so that a sparse stretch after a
dense one is read in few requests. A one-second part that still holds too many is read whole
(`limit=-1`). The answers come out in the span's order, part after part.

The fetching threads only check each answer report's JSON and count its answers; answers are
decoded by the reading thread, so no more than `max_concurrency` parts or so wait as raw JSON,
and an answer report that holds too many is never decoded.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future
from typing import Any

import msgspec
from connector_kit.paging import PeekedPage
from connector_kit.records import extract_records

from tap_tracksale.spans import TimeSpan

AnswerFetch = Callable[[TimeSpan, int], PeekedPage]
"""Fetches the answer report of a span with a `limit`, checked and counted, not decoded."""


class AnswerReader:
    """Reads spans of answers in parts that fit, remembering across spans how long fits."""

    def __init__(
        self,
        fetch: AnswerFetch,
        *,
        executor: Executor,
        max_concurrency: int,
        most: int,
        logger: logging.Logger,
    ) -> None:
        self.fetch = fetch
        self.executor = executor
        self.max_concurrency = max(1, max_concurrency)
        self.most = most
        self.logger = logger
        self.part_seconds: int | None = None
        """The part length: halved and more by parts that held too many, doubled by sparse ones."""

    def answers_in(self, span: TimeSpan) -> Iterator[dict[str, Any]]:
        """Every answer in `span`, in the span's order."""
        pending: deque[tuple[TimeSpan, Future[PeekedPage]]] = deque()
        rest: TimeSpan | None = span
        try:
            while pending or rest is not None:
                while rest is not None and len(pending) < self.max_concurrency:
                    part, rest = rest.head(self.part_seconds or rest.seconds)
                    pending.append((part, self._ask(part)))
                part, asked = pending.popleft()
                answers = self._fitting(asked.result())
                if answers is not None:
                    self._learn_from_fitting(part, len(answers))
                    yield from answers
                elif part.can_split():
                    pending.extendleft(reversed(self._cut(part)))
                else:
                    yield from self._decode(self.fetch(part, -1))
        finally:
            for _, asked in pending:
                asked.cancel()

    def _ask(self, part: TimeSpan) -> Future[PeekedPage]:
        return self.executor.submit(self.fetch, part, self.most + 1)

    def _fitting(self, page: PeekedPage) -> list[dict[str, Any]] | None:
        """The report's answers, or None when it holds more than `most`."""
        if page.count is not None and page.count > self.most:
            return None
        answers = self._decode(page)
        return answers if len(answers) <= self.most else None

    def _learn_from_fitting(self, part: TimeSpan, count: int) -> None:
        """A part of the full length holding a quarter of `most` or less doubles the length."""
        length = self.part_seconds
        if length is not None and part.seconds >= length and count * 4 <= self.most:
            self.part_seconds = length * 2

    def _cut(self, part: TimeSpan) -> list[tuple[TimeSpan, Future[PeekedPage]]]:
        parts = part.parts(max(2, self.max_concurrency))
        self.logger.info(
            "answers: %s holds over %d answers; reading it in %d parts", part, self.most, len(parts)
        )
        shortest = min(piece.seconds for piece in parts)
        self.part_seconds = min(self.part_seconds or shortest, shortest)
        return [(piece, self._ask(piece)) for piece in parts]

    @staticmethod
    def _decode(page: PeekedPage) -> list[dict[str, Any]]:
        return extract_records(msgspec.json.decode(page.raw), where="answer report")
