"""The answer reader: every answer once and in order, parts that fit, parts read at once."""

import datetime as dt
import logging
import random
import threading
from concurrent.futures import ThreadPoolExecutor

import msgspec
import pytest
from connector_kit.paging import peek_page
from connector_kit.windows import DateWindow
from tap_tracksale.answer_reading import AnswerReader
from tap_tracksale.spans import TimeSpan

D = dt.date
EPOCH = dt.datetime(1970, 1, 1)


class AnswerReport:
    """`/report/answer` over fixed answers: those in a span, earliest first, up to `limit`."""

    def __init__(self, times: list[int], *, together_after_first: int = 0) -> None:
        self.answers = [{"id": n, "time": t} for n, t in enumerate(sorted(times))]
        self.asked: list[tuple[TimeSpan, int]] = []
        self._lock = threading.Lock()
        self._together = (
            threading.Barrier(together_after_first, timeout=10) if together_after_first else None
        )

    def __call__(self, span: TimeSpan, limit: int):
        with self._lock:
            self.asked.append((span, limit))
            number = len(self.asked)
        if self._together is not None and 2 <= number <= 1 + self._together.parties:
            # The requests after the first are answered only once all of them are in flight
            # (a reader that asks for fewer at once fails here with BrokenBarrierError).
            self._together.wait()
        start, end = _unix(span.start), _unix(span.end)
        rows = [a for a in self.answers if start <= a["time"] <= end]
        return peek_page(msgspec.json.encode(rows if limit < 0 else rows[:limit]))


def _unix(moment: dt.datetime) -> int:
    return int((moment - EPOCH).total_seconds())


def reader(report: AnswerReport, *, max_concurrency: int = 4, most: int = 50) -> AnswerReader:
    pool = ThreadPoolExecutor(max_concurrency)
    return AnswerReader(
        report,
        executor=pool,
        max_concurrency=max_concurrency,
        most=most,
        logger=logging.getLogger("test"),
    )


def month(year: int, number: int) -> TimeSpan:
    last = (D(year, number + 1, 1) if number < 12 else D(year + 1, 1, 1)) - dt.timedelta(days=1)
    return TimeSpan.of_window(DateWindow(D(year, number, 1), last))


def times_in(span: TimeSpan, count: int, seed: int = 1) -> list[int]:
    rng = random.Random(seed)
    return [rng.randint(_unix(span.start), _unix(span.end)) for _ in range(count)]


@pytest.mark.parametrize(
    ("count", "max_concurrency"), [(0, 4), (30, 4), (700, 4), (700, 1), (3000, 8)]
)
def test_every_answer_once_in_order_and_no_part_over_most(count, max_concurrency):
    march = month(2026, 3)
    report = AnswerReport(times_in(march, count))
    got = list(reader(report, max_concurrency=max_concurrency).answers_in(march))
    assert got == report.answers
    assert report.asked
    assert all(limit == 51 for _, limit in report.asked)  # one more than `most`, to see overflow


def test_parts_are_read_at_once_and_later_spans_start_at_the_size_that_fits():
    march, april = month(2026, 3), month(2026, 4)
    answers = times_in(march, 1000) + times_in(april, 1000, seed=2)
    report = AnswerReport(answers, together_after_first=8)
    read = reader(report, max_concurrency=8)
    assert len(list(read.answers_in(march))) == 1000  # the month, then its 8 parts at once
    learned = read.part_seconds
    assert learned is not None
    assert learned < march.seconds
    report.asked.clear()
    assert len(list(read.answers_in(april))) == 1000
    # April starts in parts of the learned length, so few of its reports are too full.
    assert all(span.seconds <= max(learned, 86_400) for span, _ in report.asked)
    overfull = [span for span, _ in report.asked if _count(report, span) > 50]
    assert len(overfull) <= len(report.asked) // 4


def test_a_second_too_full_for_one_report_is_read_whole():
    moment = dt.datetime(2026, 3, 3, 12, 0, 0)
    day = TimeSpan.of_window(DateWindow(D(2026, 3, 3), D(2026, 3, 3)))
    report = AnswerReport([_unix(moment)] * 80 + times_in(day, 20))
    got = list(reader(report, max_concurrency=2).answers_in(day))
    assert got == report.answers
    whole = [span for span, limit in report.asked if limit == -1]
    assert [(span.start, span.end) for span in whole] == [(moment, moment)]


def test_a_failed_report_stops_the_read():
    def failing(span, limit):
        raise RuntimeError("Tracksale is down")

    read = AnswerReader(
        failing,
        executor=ThreadPoolExecutor(2),
        max_concurrency=2,
        most=10,
        logger=logging.getLogger("test"),
    )
    with pytest.raises(RuntimeError, match="down"):
        list(read.answers_in(month(2026, 3)))


def _count(report: AnswerReport, span: TimeSpan) -> int:
    start, end = _unix(span.start), _unix(span.end)
    return sum(1 for a in report.answers if start <= a["time"] <= end)


def test_a_sparse_stretch_after_a_dense_one_is_read_in_few_requests():
    dense, sparse = month(2026, 3), TimeSpan.of_window(DateWindow(D(2026, 4, 1), D(2026, 12, 31)))
    report = AnswerReport(times_in(dense, 2000) + times_in(sparse, 40, seed=3))
    read = reader(report, max_concurrency=4)
    assert len(list(read.answers_in(dense))) == 2000
    short = read.part_seconds
    report.asked.clear()
    assert len(list(read.answers_in(sparse))) == 40
    assert read.part_seconds > short
    days = sparse.seconds // 86_400
    assert len(report.asked) < days // 8  # the length doubles while parts come back sparse
