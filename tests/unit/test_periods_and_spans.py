import datetime as dt
import itertools

import pytest
from connector_kit.errors import ConnectorError
from connector_kit.windows import DateWindow
from tap_tracksale.periods import period_start, periods
from tap_tracksale.spans import TimeSpan

D = dt.date


@pytest.mark.parametrize(
    ("granularity", "first", "expected"),
    [
        ("day", D(2026, 3, 5), [(D(2026, 3, 5), D(2026, 3, 5)), (D(2026, 3, 6), D(2026, 3, 6))]),
        ("week", D(2026, 3, 5), [(D(2026, 3, 2), D(2026, 3, 8))]),
        (
            "month",
            D(2026, 2, 14),
            [(D(2026, 2, 1), D(2026, 2, 28)), (D(2026, 3, 1), D(2026, 3, 31))],
        ),
    ],
)
def test_periods_are_whole_and_aligned(granularity, first, expected):
    last = expected[-1][0]
    assert [(w.start, w.end) for w in periods(first, last, granularity)] == expected


def test_weeks_start_on_monday_and_months_cross_the_year():
    assert period_start(D(2026, 3, 8), "week") == D(2026, 3, 2)
    months = list(periods(D(2025, 11, 20), D(2026, 1, 3), "month"))
    assert [m.start for m in months] == [D(2025, 11, 1), D(2025, 12, 1), D(2026, 1, 1)]
    assert months[1].end == D(2025, 12, 31)


def test_unknown_granularity_names_the_setting():
    with pytest.raises(ConnectorError, match="report_granularity"):
        list(periods(D(2026, 1, 1), D(2026, 1, 2), "quarter"))


def test_spans_split_on_days_then_seconds_and_cover_exactly():
    span = TimeSpan.of_window(DateWindow(D(2026, 3, 1), D(2026, 3, 4)))
    assert span.query() == {"start": "2026-03-01", "end": "2026-03-04"}
    left, right = span.parts(2)
    assert left.query() == {"start": "2026-03-01", "end": "2026-03-02"}
    assert right.query() == {"start": "2026-03-03", "end": "2026-03-04"}
    one_day = TimeSpan.of_window(DateWindow(D(2026, 3, 1), D(2026, 3, 1)))
    morning, evening = one_day.parts(2)
    assert morning.query() == {"start": "2026-03-01T00:00:00", "end": "2026-03-01T11:59:59"}
    assert evening.query() == {"start": "2026-03-01T12:00:00", "end": "2026-03-01T23:59:59"}
    spans = [one_day]
    for _ in range(6):
        spans = [half for span in spans for half in span.parts(2)]
    assert_contiguous(spans, one_day)
    tiny = TimeSpan(dt.datetime(2026, 3, 1, 5), dt.datetime(2026, 3, 1, 5, 0, 2))
    pieces = [tiny]
    while any(p.can_split() for p in pieces):
        pieces = [h for p in pieces for h in (p.parts(2) if p.can_split() else (p,))]
    assert [p.start.second for p in pieces] == [0, 1, 2]
    second = TimeSpan(dt.datetime(2026, 3, 1, 5), dt.datetime(2026, 3, 1, 5))
    assert not second.can_split()


def assert_contiguous(spans: list[TimeSpan], whole: TimeSpan) -> None:
    assert spans[0].start == whole.start
    assert spans[-1].end == whole.end
    for before, after in itertools.pairwise(spans):
        assert after.start == before.end + dt.timedelta(seconds=1)


@pytest.mark.parametrize("count", [1, 2, 3, 7, 8, 40])
def test_parts_are_even_whole_days_while_they_can_be(count):
    month = TimeSpan.of_window(DateWindow(D(2026, 3, 1), D(2026, 3, 31)))
    parts = month.parts(count)
    assert len(parts) == min(count, 31)
    assert_contiguous(parts, month)
    assert all(part.whole_days for part in parts)
    days = [part.seconds // 86_400 for part in parts]
    assert max(days) - min(days) <= 1


def test_parts_of_a_day_or_less_fall_on_seconds():
    day = TimeSpan.of_window(DateWindow(D(2026, 3, 1), D(2026, 3, 1)))
    parts = day.parts(8)
    assert_contiguous(parts, day)
    assert [part.seconds for part in parts] == [10_800] * 8
    three = TimeSpan(dt.datetime(2026, 3, 1, 5), dt.datetime(2026, 3, 1, 5, 0, 2))
    assert [part.seconds for part in three.parts(8)] == [1, 1, 1]


def test_a_head_is_whole_days_of_a_whole_day_span_and_the_rest_follows():
    month = TimeSpan.of_window(DateWindow(D(2026, 3, 1), D(2026, 3, 31)))
    head, rest = month.head(3 * 86_400 + 5)
    assert head.query() == {"start": "2026-03-01", "end": "2026-03-03"}
    assert rest is not None
    assert rest.query() == {"start": "2026-03-04", "end": "2026-03-31"}
    short, rest = month.head(60)  # less than a day still takes a day
    assert short.query() == {"start": "2026-03-01", "end": "2026-03-01"}
    assert month.head(month.seconds) == (month, None)
    assert month.head(10**9) == (month, None)
    hour = TimeSpan(dt.datetime(2026, 3, 1, 5), dt.datetime(2026, 3, 1, 5, 59, 59))
    head, rest = hour.head(600)
    assert (head.seconds, rest.seconds) == (600, 3000)
    assert rest.start == head.end + dt.timedelta(seconds=1)
