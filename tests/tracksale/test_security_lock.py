"""Tracksale's security lock and the tap: a budget that keeps under it, a 405 that stops the run.

The sandbox's lock is scaled down (a few dozen requests in a second or so), so that a run
needing several windows' worth of requests takes seconds.
"""

from __future__ import annotations

import pytest
from api_sandbox import Sandbox
from connector_kit.api_client import ApiClient
from connector_kit.errors import ApiLockedError
from connector_kit.request_budget import RequestBudget

from tests.tracksale.helpers import tracksale_config

START, END = "2026-07-01", "2026-10-31"
SMALL_RUN = {
    "start_date": START,
    "end_date": END,
    "report_granularity": "month",
    "window_days": 30,
}
"""Four months: 5 answer and 5 dispatch windows, 4 monthly reports per campaign and report."""


def small_config(sandbox: Sandbox, **overrides: object) -> dict:
    return tracksale_config(sandbox, **{**SMALL_RUN, **overrides})


def answer_ids(sandbox: Sandbox) -> set[int]:
    return {int(a["id"]) for a in sandbox.tracksale.answers(start=START, end=END)}


def dispatch_codes(sandbox: Sandbox) -> set[str]:
    return {str(d["dispatch_code"]) for d in sandbox.tracksale.dispatches(start=START, end=END)}


def tracksale_requests(sandbox: Sandbox) -> list[dict]:
    return [r for r in sandbox.requests if str(r["path"]).startswith("/tracksale/")]


@pytest.mark.parametrize(
    "sandbox", [{"tracksale_lock_requests": 24, "tracksale_lock_window": 1.5}], indirect=True
)
def test_a_run_needing_several_windows_stays_under_the_lock(sandbox, run_tracksale):
    config = small_config(sandbox, max_requests_per_window=16, rate_window_seconds=1.5)
    run = run_tracksale(config).check()

    served = tracksale_requests(sandbox)
    assert len(served) > 3 * 24, "the run should need several lock windows' worth"
    lock = sandbox.tracksale.security_lock.status()
    assert lock["refused"] == 0
    assert lock["events"] == []
    assert {r["status"] for r in served} == {200}
    assert {a["id"] for a in run.records["answers"]} == answer_ids(sandbox)
    assert {d["dispatch_code"] for d in run.records["dispatches"]} == dispatch_codes(sandbox)
    assert len(run.records["nps"]) == 4 * len(sandbox.tracksale.campaigns())
    assert "Tracksale request budget: " in run.stderr
    assert "waited" in run.stderr


@pytest.mark.parametrize(
    "sandbox", [{"tracksale_lock_requests": 3, "tracksale_lock_window": 300}], indirect=True
)
def test_a_405_stops_the_run_and_the_next_run_resumes_from_its_state(sandbox, run_tracksale):
    config = small_config(sandbox)  # the default budget, far above this lock
    stopped = run_tracksale(config)

    assert stopped.returncode != 0
    assert "security lock blocked the API token's account" in stopped.stderr
    assert "CAPTCHA" in stopped.stderr
    assert "resumes from its last STATE" in stopped.stderr
    assert "; retrying in" not in stopped.stderr  # a 405 is never retried
    lock = sandbox.tracksale.security_lock
    refused = lock.refused
    assert 1 <= refused <= config.get("max_concurrency", 8)
    served = tracksale_requests(sandbox)
    first_405 = next(n for n, r in enumerate(served) if r["status"] == 405)
    assert all(r["status"] == 405 for r in served[first_405:]), "a request went on after a 405"

    # Answers go first: three of their five windows were read, the fourth met the lock.
    bookmarks = stopped.final_state["bookmarks"]
    assert bookmarks["answers"]["replication_key_value"].startswith("2026-09-28")
    assert "dispatches" not in bookmarks or not bookmarks["dispatches"].get("replication_key_value")
    first_answers = {a["id"] for a in stopped.records.get("answers", [])}
    assert first_answers < answer_ids(sandbox)

    # A person solves the CAPTCHA; the lock is then the vendor's again (1000 in 5 minutes).
    sandbox.solve_tracksale_captcha()
    lock.max_requests = 1000
    sandbox.clear_requests()
    resumed = run_tracksale(config, state=stopped.final_state).check()

    assert lock.refused == refused
    assert {r["status"] for r in tracksale_requests(sandbox)} == {200}
    both = first_answers | {a["id"] for a in resumed.records["answers"]}
    assert both == answer_ids(sandbox)
    assert {d["dispatch_code"] for d in resumed.records["dispatches"]} == dispatch_codes(sandbox)
    assert len(resumed.records["nps"]) == 4 * len(sandbox.tracksale.campaigns())
    # Resumed from the bookmark: the three answer windows read before are not read again.
    starts = [r["query"]["start"] for r in tracksale_requests(sandbox) if "answer" in r["path"]]
    assert min(starts) >= "2026-09-21"  # the bookmark's day less the 7-day lookback


def test_a_405_is_never_retried_and_no_thread_sends_after_it(sandbox):
    """The ApiClient hook: the lock status trips the budget; later attempts never go out."""
    lock = sandbox.tracksale.security_lock
    lock.max_requests = 2
    budget = RequestBudget(100, 60)
    client = ApiClient(request_budget=budget, lock_status=405)
    headers = {"Authorization": "bearer sandbox-tracksale-token"}
    url = f"{sandbox.tracksale_url}/campaign"
    client.get_json(url, headers=headers)
    client.get_json(url, headers=headers)
    with pytest.raises(ApiLockedError) as locked:
        client.get_json(url, headers=headers)
    assert locked.value.status == 405
    assert budget.tripped
    with pytest.raises(ApiLockedError):
        client.get_json(url, headers=headers)
    assert client.request_count == 3
    assert client.retry_count == 0
    assert lock.refused == 1
    assert [r["status"] for r in tracksale_requests(sandbox)] == [200, 200, 405]


@pytest.mark.parametrize(
    ("setting", "value"), [("rate_window_seconds", 0), ("max_requests_per_window", 0)]
)
def test_a_budget_that_allows_nothing_is_refused_naming_the_setting(
    sandbox, run_tracksale, setting, value
):
    run = run_tracksale(small_config(sandbox, **{setting: value}))
    assert run.returncode != 0
    assert f"config['{setting}']" in run.stderr
    assert tracksale_requests(sandbox) == []
