"""Tracksale's security lock and the target: kept under by the budget; a 405 sends nothing twice.

The sandbox's lock is scaled down (a dozen requests a second, or a handful in five minutes),
so that runs needing several windows' worth of requests take seconds.
"""

from __future__ import annotations

import pytest

from tests.tracksale_target.helpers import (
    STREAM,
    campaign_code,
    customers,
    messages,
    posts,
    received_emails,
    target_config,
)
from tests.tracksale_target.target_runner import ledger_rows, record, schema


def tracksale_statuses(sandbox) -> list[int | None]:
    return [r["status"] for r in sandbox.requests if str(r["path"]).startswith("/tracksale/")]


@pytest.mark.parametrize(
    "sandbox", [{"tracksale_lock_requests": 12, "tracksale_lock_window": 1.0}], indirect=True
)
def test_a_run_needing_several_windows_stays_under_the_lock(sandbox, tmp_path, run):
    config = target_config(
        sandbox,
        tmp_path,
        batch_size=10,
        max_concurrency=4,
        max_requests_per_window=8,
        rate_window_seconds=1.0,
    )
    people = customers(300)
    result = run(config, messages(people, state_every=50)).check()

    statuses = tracksale_statuses(sandbox)
    assert len(statuses) == 31  # GET /campaign, then 30 dispatches of 10
    assert set(statuses) == {200}
    assert sandbox.tracksale.security_lock.status()["events"] == []
    assert received_emails(sandbox) == {c["email"]: 1 for c in people}
    api = result.summary["api"]
    assert api["budget_requests"] == 31
    assert api["budget_waits"] >= 1
    assert api["budget_waited_seconds"] > 1.0
    assert "Request budget: waited" in result.stderr
    assert result.states[-1] == {"done": 300}


@pytest.mark.parametrize(
    "sandbox", [{"tracksale_lock_requests": 6, "tracksale_lock_window": 300}], indirect=True
)
def test_a_405_stops_the_run_and_a_rerun_surveys_everyone_exactly_once(sandbox, tmp_path, run):
    config = target_config(sandbox, tmp_path, batch_size=10, max_concurrency=2)
    people = customers(120)
    stopped = run(config, messages(people, state_every=10))

    assert stopped.returncode != 0
    assert "security lock blocked the API token's account" in stopped.stderr
    assert "CAPTCHA" in stopped.stderr
    assert "sends each of them once" in stopped.stderr
    assert stopped.summary["status"] == "failed"
    assert "security lock" in stopped.summary["error"]
    lock = sandbox.tracksale.security_lock
    refused = lock.refused
    assert 1 <= refused <= 2  # at most the requests in flight when the lock came
    # GET /campaign and 5 dispatches went through; what they surveyed is settled, and the
    # STATE emitted covers no record beyond them.
    surveyed = received_emails(sandbox)
    assert len(surveyed) == 50
    assert set(surveyed.values()) == {1}
    done = [state["done"] for state in stopped.states]
    assert done
    assert max(done) <= 50
    settled = {row["identity"] for row in ledger_rows(config)}
    assert settled == {f"email:{email}" for email in surveyed}
    assert ledger_rows(config, "claims") == []  # the refused request is known unsent

    sandbox.solve_tracksale_captcha()
    lock.max_requests = 1000
    again = run(config, messages(people, state_every=10)).check()
    assert received_emails(sandbox) == {c["email"]: 1 for c in people}
    assert again.rejects == []
    assert again.counts(STREAM)["sent"] == 70
    assert again.counts(STREAM)["already_sent"] == 50
    assert lock.refused == refused
    assert again.states[-1] == {"done": 120}


@pytest.mark.parametrize(
    "sandbox", [{"tracksale_lock_requests": 3, "tracksale_lock_window": 300}], indirect=True
)
def test_answers_refused_by_the_lock_are_sent_once_by_the_next_run(sandbox, tmp_path, run):
    """Answers have no duplicate check in Tracksale: a 405'd request must not look unsettled."""
    code = campaign_code(sandbox)
    config = target_config(
        sandbox,
        tmp_path,
        {"nps_answers": {"action": "answers", "campaign_code": code}},
        batch_size=5,
        max_concurrency=1,
    )
    answers = [{**person, "score": 9} for person in customers(20, prefix="ans")]
    stream = [
        schema("nps_answers", ("name", "email", "phone", "identification", "score")),
        *(record("nps_answers", answer) for answer in answers),
    ]
    stopped = run(config, stream)
    assert stopped.returncode != 0
    assert "security lock" in stopped.stderr
    assert len(posts(sandbox, "/answer")) == 2  # GET /campaign, two answer posts, then 405

    sandbox.solve_tracksale_captcha()
    sandbox.tracksale.security_lock.max_requests = 1000
    again = run(config, stream).check()
    assert again.rejects == [], "a request the lock refused was taken for a maybe-delivered one"
    sent = [a["email"] for w in posts(sandbox, "/answer") for a in w["body"]["answers"]]
    assert sorted(sent) == sorted(a["email"] for a in answers)
    assert again.counts("nps_answers")["sent"] == 10
    assert again.counts("nps_answers")["already_sent"] == 10


@pytest.mark.parametrize(
    "sandbox", [{"tracksale_lock_requests": 30, "tracksale_lock_window": 300}], indirect=True
)
def test_a_405_on_a_can_impact_check_still_settles_the_batch_in_flight(sandbox, tmp_path, run):
    """The lock can come on a can-impact check, while the previous batch's dispatches are out."""
    config = target_config(
        sandbox, tmp_path, batch_size=10, max_concurrency=2, check_can_impact=True
    )
    people = customers(60)
    stopped = run(config, messages(people, state_every=20))
    assert stopped.returncode != 0
    assert "security lock" in stopped.stderr
    assert stopped.summary["status"] == "failed"
    assert ledger_rows(config, "claims") == []  # answered ones settled, refused ones unsent
    surveyed = received_emails(sandbox)
    settled = {row["identity"] for row in ledger_rows(config)}
    assert settled == {f"email:{email}" for email in surveyed}
    assert set(surveyed.values()) <= {1}

    sandbox.solve_tracksale_captcha()
    sandbox.tracksale.security_lock.max_requests = 1000
    again = run(config, messages(people, state_every=20)).check()
    assert received_emails(sandbox) == {c["email"]: 1 for c in people}
    assert again.rejects == []
    assert again.counts(STREAM)["already_sent"] == len(surveyed)


@pytest.mark.parametrize(
    "sandbox", [{"tracksale_lock_requests": 1, "tracksale_lock_window": 300}], indirect=True
)
def test_a_405_after_an_unanswered_attempt_keeps_the_request_maybe_delivered(
    sandbox, tmp_path, run
):
    """A 503 then a 405 on its retry: the first attempt may have arrived, so no blind resend."""
    code = campaign_code(sandbox)
    config = target_config(
        sandbox,
        tmp_path,
        {"nps_answers": {"action": "answers", "campaign_code": code}},
        max_concurrency=1,
    )
    answers = [{**person, "score": 8} for person in customers(3, prefix="maybe")]
    stream = [
        schema("nps_answers", ("name", "email", "phone", "identification", "score")),
        *(record("nps_answers", answer) for answer in answers),
    ]
    sandbox.queue_faults(path_contains="/answer", faults=[{"status": 503}])
    stopped = run(config, stream)
    assert stopped.returncode != 0
    assert "security lock" in stopped.stderr
    assert [r["status"] for r in sandbox.requests] == [200, 503, 405]
    listed = ledger_rows(config, "claims")
    assert len(listed) == 3
    assert {row["state"] for row in listed} == {"unsettled"}
    assert len({row["request_id"] for row in listed}) == 1

    sandbox.solve_tracksale_captcha()
    sandbox.tracksale.security_lock.max_requests = 1000
    again = run(config, stream).check()
    assert posts(sandbox, "/answer") == []
    assert {reject["status"] for reject in again.rejects} == {"ambiguous"}
    assert len(again.rejects) == 3
