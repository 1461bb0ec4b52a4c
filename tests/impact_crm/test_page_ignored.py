"""A CRM that ignores `page` (answers page 1 to every page), read the way the seeds say."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.impact_crm.expectations import by_key, expected
from tests.impact_crm.helpers import crm_config

REPORTS = ("leads", "registrations", "transactions", "positions")


def queries(sandbox, endpoint: str) -> list[dict[str, str]]:
    return [dict(r["query"]) for r in sandbox.requests if r["path"].endswith(f"/{endpoint}")]


def days_asked(query: dict[str, str]) -> int:
    first = next(v for k, v in query.items() if k.endswith("From"))
    last = next(v for k, v in query.items() if k.endswith("To"))
    return (dt.date.fromisoformat(last) - dt.date.fromisoformat(first)).days + 1


@pytest.mark.parametrize(
    "sandbox",
    [{"quirks": {"page-ignored"}}, {"quirks": {"page-ignored", "no-total"}}],
    indirect=True,
    ids=["with-total", "no-total"],
)
def test_every_record_exactly_once_and_later_windows_ask_one_large_page(sandbox, run_crm):
    run = run_crm(crm_config(sandbox, page_size=20, window_days=60)).check()
    for stream in (*REPORTS, "servers"):
        assert by_key(stream, run.records[stream]) == expected(sandbox, stream), stream
    assert "ignores `page`" in run.stderr
    leads = queries(sandbox, "leads")
    paged = [q for q in leads if q["pageSize"] == "20"]
    assert {q["lastModifiedDateFrom"] for q in paged} == {"2025-11-01"}  # the first window only
    assert {"1", "2"} <= {q["page"] for q in paged}
    large = [q for q in leads if q["pageSize"] == "10000"]
    assert len(large) == len({q["lastModifiedDateFrom"] for q in large}) >= 6  # one per window
    assert all(q["page"] == "1" for q in large)


@pytest.mark.parametrize("sandbox", [{"quirks": {"page-ignored"}, "scale": 400}], indirect=True)
def test_a_window_holding_more_than_max_page_size_is_read_as_smaller_windows(sandbox, run_crm):
    config = crm_config(sandbox, page_size=10, max_page_size=40, window_days=90)
    run = run_crm(config).check()
    for stream in REPORTS:
        assert by_key(stream, run.records[stream]) == expected(sandbox, stream), stream
    leads = [q for q in queries(sandbox, "leads") if q["pageSize"] == "40"]
    assert any(days_asked(q) == 90 for q in leads)
    assert any(days_asked(q) < 90 for q in leads)
    assert "smaller windows" in run.stderr


@pytest.mark.parametrize("sandbox", [{"quirks": {"page-ignored"}, "scale": 2000}], indirect=True)
def test_a_single_day_holding_more_than_max_page_size_fails_and_says_what_to_set(sandbox, run_crm):
    run = run_crm(crm_config(sandbox, page_size=1, max_page_size=3, window_days=30))
    assert run.returncode != 0
    assert "ignores `page`, and the single day 2025-11-" in run.stderr
    assert "more than one page of `max_page_size` (3) can hold" in run.stderr
    message = next(line for line in run.stderr.splitlines() if "the single day" in line)
    assert any(f"Impact CRM {endpoint} ignores" in message for endpoint in REPORTS)
    assert " records (the answer held 3)" in message


def test_a_max_page_size_below_one_is_refused(sandbox, run_crm):
    run = run_crm(crm_config(sandbox, max_page_size=0))
    assert run.returncode != 0
    assert "`max_page_size` must be at least 1, got 0." in run.stderr
