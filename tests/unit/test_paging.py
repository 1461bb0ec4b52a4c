"""The pager: every record once and in order, however pages arrive, and no needless requests."""

from __future__ import annotations

import random
import threading
import time

import msgspec
import pytest
from connector_kit.errors import ConnectorError
from connector_kit.paging import PageIgnoredError, Pager, peek_page


class PagedSource:
    """Records served `size` per page, answering after a random short delay (out of order)."""

    def __init__(
        self, count: int, *, size: int, total: bool = True, grow_to: int | None = None
    ) -> None:
        self.records = [{"id": n} for n in range(count)]
        self.size = size
        self.with_total = total
        self.grow_to = grow_to
        self.asked: list[int] = []
        self.lock = threading.Lock()
        self.in_flight = 0
        self.peak_in_flight = 0
        self.random = random.Random(7)

    def fetch(self, page: int) -> dict:
        with self.lock:
            self.asked.append(page)
            self.in_flight += 1
            self.peak_in_flight = max(self.peak_in_flight, self.in_flight)
            delay = self.random.uniform(0, 0.01)
        time.sleep(delay)
        with self.lock:
            self.in_flight -= 1
            if self.grow_to is not None and len(self.asked) > 2:
                self.records += [{"id": n} for n in range(len(self.records), self.grow_to)]
            start = (page - 1) * self.size
            body: dict = {"data": self.records[start : start + self.size], "page": page}
            if self.with_total:
                body["total"] = len(self.records)
            return body


def read_all(pager: Pager, source: PagedSource, **kwargs) -> list[int]:
    pages = pager.pages(source.fetch, page_size=source.size, **kwargs)
    return [record["id"] for page in pages for record in page]


@pytest.mark.parametrize("count", [0, 1, 99, 100, 101, 1000, 2345])
@pytest.mark.parametrize("with_total", [True, False])
def test_every_record_once_and_in_order(count, with_total):
    source = PagedSource(count, size=100, total=with_total)
    pager = Pager(max_concurrency=8)
    try:
        assert read_all(pager, source, expect_pages=8) == list(range(count))
    finally:
        pager.close()
    assert source.peak_in_flight <= 8


def test_a_backfill_asks_for_its_first_pages_at_once():
    source = PagedSource(4950, size=100)
    pager = Pager(max_concurrency=8)
    try:
        pages = pager.pages(source.fetch, page_size=100, key="leads", expect_pages=8)
        next(pages)
        assert sorted(source.asked[:8]) == list(range(1, 9))
        assert [r["id"] for page in pages for r in page] == list(range(100, 4950))
    finally:
        pager.close()
    assert source.peak_in_flight == 8
    assert sorted(source.asked) == list(range(1, 51))  # the 50th page is short: no page 51


def test_a_small_query_after_a_small_one_asks_for_page_one_alone():
    pager = Pager(max_concurrency=8)
    try:
        first = PagedSource(30, size=100)
        assert read_all(pager, first, key="leads", expect_pages=8) == list(range(30))
        assert sorted(first.asked) == list(range(1, 9))  # the guess for a first query
        second = PagedSource(30, size=100)
        assert read_all(pager, second, key="leads", expect_pages=8) == list(range(30))
        assert second.asked == [1]  # learned: one page
    finally:
        pager.close()


def test_a_full_last_page_asks_for_the_next_and_follows_a_grown_total():
    source = PagedSource(1000, size=100, grow_to=1050)
    pager = Pager(max_concurrency=4)
    try:
        assert read_all(pager, source) == list(range(1050))
    finally:
        pager.close()


def test_without_a_total_paging_stops_at_the_first_short_page():
    source = PagedSource(950, size=100, total=False)
    pager = Pager(max_concurrency=4)
    try:
        assert read_all(pager, source) == list(range(950))
    finally:
        pager.close()
    assert max(source.asked) <= 10 + 4


@pytest.mark.parametrize("with_total", [True, False])
def test_a_short_first_page_is_the_only_page_asked_for(with_total):
    source = PagedSource(30, size=100, total=with_total)
    pager = Pager(max_concurrency=8)
    try:
        assert read_all(pager, source) == list(range(30))
    finally:
        pager.close()
    assert source.asked == [1]


def test_a_server_that_ignores_page_is_named_before_any_record_is_handed_on():
    records = [{"id": n} for n in range(100)]
    for body in ({"data": records}, {"data": records, "total": 250}):
        pager = Pager(max_concurrency=8, where="test response")
        handed_on: list[list[dict]] = []
        try:
            with pytest.raises(PageIgnoredError, match="answered page 2 with the records") as error:
                handed_on.extend(pager.pages(lambda page, b=body: b, page_size=100, expect_pages=8))
        finally:
            pager.close()
        assert handed_on == []
        assert error.value.total == body.get("total")
        assert error.value.page_size == 100
        assert "test response" in str(error.value)


def test_a_server_that_ignores_page_is_read_once_when_its_total_fits_one_page():
    records = [{"id": n} for n in range(100)]
    pager = Pager(max_concurrency=8)
    try:
        body = {"data": records, "total": 100}  # a full last page: page 2 is asked, and repeats
        pages = pager.pages(lambda page: body, page_size=100, expect_pages=8)
        assert [r["id"] for page in pages for r in page] == list(range(100))
    finally:
        pager.close()


def test_a_later_page_repeating_the_one_before_while_the_total_says_more_is_an_error():
    def fetch(page: int) -> dict:
        start = (min(page, 3) - 1) * 10
        return {"data": [{"id": n} for n in range(start, start + 10)], "total": 100}

    pager = Pager(max_concurrency=2, where="test response")
    seen: list[int] = []
    try:
        with pytest.raises(ConnectorError, match="page 4 with the records of page 3"):
            seen.extend(r["id"] for page in pager.pages(fetch, page_size=10) for r in page)
    finally:
        pager.close()
    assert seen == list(range(30))


def test_without_a_total_a_later_page_repeating_the_last_ends_the_query():
    def fetch(page: int) -> dict:  # answers its last page to any page past the end
        start = (min(page, 3) - 1) * 10
        return {"data": [{"id": n} for n in range(start, start + 10)]}

    pager = Pager(max_concurrency=2)
    try:
        assert [r["id"] for page in pager.pages(fetch, page_size=10) for r in page] == list(
            range(30)
        )
    finally:
        pager.close()


def test_an_empty_page_while_its_total_says_records_remain_is_an_error():
    def fetch(page: int) -> dict:
        records = [{"id": n} for n in range((page - 1) * 10, page * 10)] if page < 3 else []
        return {"data": records, "total": 50}

    pager = Pager(max_concurrency=1, where="test response")
    try:
        with pytest.raises(ConnectorError, match=r"page 3 with no records.*says 30 remain"):
            list(pager.pages(fetch, page_size=10))
    finally:
        pager.close()


def test_a_server_capping_the_page_size_is_followed():
    source = PagedSource(2345, size=500)  # asked for 1,000, served 500 a page
    pager = Pager(max_concurrency=8)
    try:
        pages = pager.pages(source.fetch, page_size=1000, expect_pages=8)
        assert [r["id"] for page in pages for r in page] == list(range(2345))
    finally:
        pager.close()


def test_a_failed_page_fails_the_query_and_stops_asking():
    def fetch(page: int) -> dict:
        if page == 3:
            raise RuntimeError("page 3 failed")
        return {"data": [{"id": page}] * 10, "total": 1000}

    pager = Pager(max_concurrency=4)
    try:
        with pytest.raises(RuntimeError, match="page 3 failed"):
            list(pager.pages(fetch, page_size=10, expect_pages=4))
    finally:
        pager.close()


def test_pages_read_ahead_stay_bounded_when_the_reader_is_slow():
    source = PagedSource(10_000, size=10)
    pager = Pager(max_concurrency=4)
    try:
        pages = pager.pages(source.fetch, page_size=10, expect_pages=4)
        next(pages)
        time.sleep(0.3)  # the reader stalls; fetching must not run away
        assert len(source.asked) <= 1 + 2 * 4
        pages.close()
    finally:
        pager.close()


@pytest.mark.parametrize("body", [b"null", b'"ok"', b"42"])
def test_json_that_is_no_page_is_refused_by_name_not_retried_as_broken(body):
    pager = Pager(max_concurrency=2, where="Impact CRM leads response")
    try:
        with pytest.raises(ConnectorError, match="Impact CRM leads response"):
            list(pager.pages(lambda page: peek_page(body), page_size=10))
    finally:
        pager.close()


def test_a_body_that_is_not_json_still_fails_to_peek_so_it_is_retried():
    with pytest.raises(msgspec.DecodeError):
        peek_page(b"<html>busy</html>")
