"""Nothing lost: every record not delivered is in the rejects file with its reason."""

from __future__ import annotations

from tests.tracksale_target.helpers import (
    STREAM,
    campaign_code,
    customer,
    customers,
    messages,
    received_emails,
    target_config,
)
from tests.tracksale_target.target_runner import ledger_rows


def test_records_that_fail_validation_are_rejected_with_their_reason(sandbox, tmp_path, run):
    good = customers(3)
    no_email = {"name": "No e-mail", "phone": "+55 11 912345678"}
    wrong_email = {**customer(90), "email": ["a@b.c"]}
    wrong_tags = {**customer(91), "tags": "country=BR"}
    unknown_campaign = {**customer(92), "campaign_code": 999_999}
    bad_time = {**customer(93), "schedule_time": "next tuesday"}
    records = [*good, no_email, wrong_email, wrong_tags, unknown_campaign, bad_time]
    result = run(target_config(sandbox, tmp_path), messages(records)).check()
    assert received_emails(sandbox) == {c["email"]: 1 for c in good}
    reasons = {r["record"].get("name"): r["reason"] for r in result.rejects}
    assert "Invalid or empty main channel" in reasons["No e-mail"]
    assert "`email` must be text" in reasons["Customer c90"]
    assert "`tags` must be a list of {name, value}" in reasons["Customer c91"]
    assert "campaign 999999 is not a campaign" in reasons["Customer c92"]
    assert "`schedule_time` must be Unix seconds" in reasons["Customer c93"]
    assert all(r["status"] == "rejected" for r in result.rejects)
    assert all(r["stream"] == STREAM and r["action"] == "dispatch" for r in result.rejects)
    assert result.rejects[0]["record"] == no_email  # the record as it came
    counts = result.counts(STREAM)
    assert (counts["sent"], counts["rejected"]) == (3, 5)


def test_customers_tracksale_reports_invalid_are_rejected_and_not_in_the_ledger(
    sandbox, tmp_path, run
):
    records = [*customers(2), {**customer(50), "email": "not-an-address"}]
    result = run(target_config(sandbox, tmp_path), messages(records)).check()
    [reject] = result.rejects
    assert reject["status"] == "invalid"
    assert reject["reason"] == "Invalid or empty main channel"
    assert reject["record"]["email"] == "not-an-address"
    assert reject["campaign_code"] == campaign_code(sandbox)
    assert result.counts(STREAM)["invalid"] == 1
    assert len(ledger_rows(result.config)) == 2  # a corrected record can still be sent later


def test_the_same_customer_twice_in_a_run_is_surveyed_once(sandbox, tmp_path, run):
    records = customers(3)
    shouting = {**records[0], "email": records[0]["email"].upper(), "name": "Again"}
    result = run(target_config(sandbox, tmp_path), messages([*records, shouting])).check()
    assert sum(received_emails(sandbox).values()) == 3
    assert result.counts(STREAM)["already_sent"] == 1


def test_identification_can_name_customers_in_the_ledger(sandbox, tmp_path, run):
    actions = {
        STREAM: {
            "action": "dispatch",
            "campaign_code": campaign_code(sandbox),
            "ledger_key": "identification",
        }
    }
    records = [*customers(2), {**customer(7), "identification": None}]
    result = run(target_config(sandbox, tmp_path, actions), messages(records)).check()
    assert {row["identity"] for row in ledger_rows(result.config)} == {"id:c-0", "id:c-1"}
    [reject] = result.rejects
    assert "no `identification`" in reject["reason"]


def test_a_customer_repeated_while_its_first_batch_is_in_flight_is_surveyed_once(
    sandbox, tmp_path, run
):
    # Batches of 10 with 2 requests each: the repeat arrives in the next batch, which is
    # checked while the first one's requests may still be in flight.
    records = customers(10)
    again = [{**record, "name": "Again"} for record in records]
    config = target_config(sandbox, tmp_path, batch_size=5, max_concurrency=2)
    result = run(config, messages([*records, *again])).check()
    assert received_emails(sandbox) == {c["email"]: 1 for c in records}
    assert result.counts(STREAM)["already_sent"] == 10
