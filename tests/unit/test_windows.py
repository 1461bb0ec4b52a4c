import datetime as dt
import itertools

import pytest
from connector_kit.errors import ConnectorError
from connector_kit.windows import DateWindow, date_windows, parse_date

D = dt.date


def test_windows_cover_the_range_exactly_and_never_exceed_the_size():
    windows = list(date_windows(D(2025, 1, 1), D(2025, 3, 15), 30))
    assert windows[0] == DateWindow(D(2025, 1, 1), D(2025, 1, 30))
    assert windows[-1].end == D(2025, 3, 15)
    for before, after in itertools.pairwise(windows):
        assert after.start == before.end + dt.timedelta(days=1)
    assert all((w.end - w.start).days + 1 <= 30 for w in windows)
    assert sum((w.end - w.start).days + 1 for w in windows) == 74


def test_single_day_range_and_empty_range():
    assert list(date_windows(D(2025, 1, 1), D(2025, 1, 1), 30)) == [
        DateWindow(D(2025, 1, 1), D(2025, 1, 1))
    ]
    assert list(date_windows(D(2025, 1, 2), D(2025, 1, 1), 30)) == []


def test_window_days_must_be_positive():
    with pytest.raises(ConnectorError, match="window_days"):
        list(date_windows(D(2025, 1, 1), D(2025, 1, 5), 0))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025-03-05", D(2025, 3, 5)),
        ("2025-03-05T23:30:00Z", D(2025, 3, 5)),
        ("2025-03-05T23:30:00-02:00", D(2025, 3, 6)),
        ("2025-03-05 10:00:00", D(2025, 3, 5)),
    ],
)
def test_parse_date_takes_the_utc_date(text, expected):
    assert parse_date(text) == expected


def test_parse_date_names_the_setting():
    with pytest.raises(ConnectorError, match="`start_date` must be a date"):
        parse_date("March 5th", setting="start_date")
