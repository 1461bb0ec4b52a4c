"""Dispatches: now, at a record's own time, into the lot, and the lot sent at the end."""

from __future__ import annotations

import datetime as dt
import math

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
from tests.tracksale_target.target_runner import ledger_rows


def test_customers_are_surveyed_now_with_their_fields_and_tags(sandbox, tmp_path, run):
    code = campaign_code(sandbox)
    result = run(target_config(sandbox, tmp_path), messages(customers(40))).check()
    got = {e["customer"]["email"]: e["customer"] for e in sandbox.tracksale.received(code)}
    assert received_emails(sandbox, code) == {c["email"]: 1 for c in customers(40)}
    first = got[customers(1)[0]["email"]]
    assert first["name"] == "Customer c0"
    assert first["identification"] == "c-0"
    assert {"name": "affId", "value": "0"} in first["tags"]
    [write] = posts(sandbox, "/dispatch")
    assert write["query"] == {"getNotInserted": "1"}
    assert isinstance(write["body"]["schedule_time"], int)  # sent now: a new lot, sent at once
    assert result.counts(STREAM)["sent"] == 40
    assert result.summary["status"] == "succeeded"
    assert result.states == [{"done": 40}]
    assert "Summary customers (dispatch): 40 sent" in result.stderr


@pytest.mark.parametrize("sandbox", [{"latency_ms": 150}], indirect=True)
def test_more_than_500_are_sent_in_requests_of_500_concurrently(sandbox, tmp_path, run):
    count = 2345
    config = target_config(sandbox, tmp_path, max_concurrency=4)
    result = run(config, messages(customers(count))).check()
    bodies = [w["body"] for w in posts(sandbox, "/dispatch")]
    assert sorted(len(b["customers"]) for b in bodies) == [345, 500, 500, 500, 500]
    assert len(bodies) == math.ceil(count / 500)
    assert received_emails(sandbox) == {c["email"]: 1 for c in customers(count)}
    assert result.counts(STREAM)["requests"] == 5
    # The 4 requests of the first batch overlapped: answered within 2 latencies of one
    # another (one after another they would span 3 latencies, 450 ms, at least).
    times = sorted(
        dt.datetime.fromisoformat(r["time"].replace("Z", "+00:00"))
        for r in sandbox.requests
        if r["path"].endswith("/dispatch")
    )
    assert (times[3] - times[0]).total_seconds() < 0.3, times


def test_a_records_own_campaign_and_schedule_time_win(sandbox, tmp_path, run):
    email, other = _two_email_campaigns(sandbox)
    records = customers(4)
    records[1]["campaign_code"] = other
    records[2]["schedule_time"] = 1_900_000_000
    records[3]["schedule_time"] = "2030-03-17T12:00:00Z"
    run(target_config(sandbox, tmp_path), messages(records)).check()
    assert set(received_emails(sandbox, other)) == {records[1]["email"]}
    assert set(received_emails(sandbox, email)) == {
        records[0]["email"],
        *(r["email"] for r in records[2:]),
    }
    bodies = posts(sandbox, "/dispatch")
    assert len(bodies) == 4  # (campaign, time): (email, now), (other, now), 2 scheduled
    times = {w["body"]["customers"][0]["email"]: w["body"]["schedule_time"] for w in bodies}
    assert times[records[2]["email"]] == 1_900_000_000
    assert times[records[3]["email"]] == 1_899_979_200  # the ISO time, as Unix seconds


def _two_email_campaigns(sandbox) -> tuple[int, int]:
    codes = [int(c["code"]) for c in sandbox.tracksale.campaigns() if c["main_channel"] == "email"]
    return codes[0], codes[1]


def test_sms_campaigns_take_phones_and_name_customers_by_their_digits(sandbox, tmp_path, run):
    code = campaign_code(sandbox, "sms")
    actions = {STREAM: {"action": "dispatch", "campaign_code": code}}
    records = customers(3)
    records[2]["phone"] = "+55 (11) 9-0000-0000"  # the same digits as customer 0
    records[2]["email"] = "someone-else@nps-test.example"
    result = run(target_config(sandbox, tmp_path, actions), messages(records)).check()
    assert len(sandbox.tracksale.received(code)) == 2
    assert result.counts(STREAM)["already_sent"] == 1  # same phone, same customer
    identities = {row["identity"] for row in ledger_rows(result.config)}
    assert identities == {"phone:5511900000000", "phone:5511900000001"}


def test_lot_then_send_adds_to_the_open_lot_and_sends_it_at_the_end(sandbox, tmp_path, run):
    code = campaign_code(sandbox)
    actions = {STREAM: {"action": "dispatch", "campaign_code": code, "send": "lot_then_send"}}
    config = target_config(sandbox, tmp_path, actions, batch_size=10, max_concurrency=2)
    result = run(config, messages(customers(45))).check()
    dispatches = posts(sandbox, "/dispatch")
    adds = [w for w in dispatches if w["path"].endswith("/dispatch")]
    sends = [w for w in dispatches if not w["path"].endswith("/dispatch")]
    assert len(adds) == 5
    assert all("schedule_time" not in w["body"] for w in adds)
    lot_codes = {e["dispatch_code"] for e in sandbox.tracksale.received(code)}
    assert len(lot_codes) == 1
    [lot] = lot_codes
    assert [w["path"].rsplit("/", 1)[-1] for w in sends] == [lot]
    assert sends[0]["body"] == {"time": 0}
    assert result.summary["lots"][0]["lot_code"] == lot
    assert result.summary["lots"][0]["sent"] is True
    assert ledger_rows(config, "lots")[0]["status"] == "sent"
    assert f"Lot {lot} of campaign {code} sent" in result.stderr


def test_lot_only_adds_and_a_later_lot_then_send_run_sends_it(sandbox, tmp_path, run):
    code = campaign_code(sandbox)
    lot_only = {STREAM: {"action": "dispatch", "campaign_code": code, "send": "lot"}}
    config = target_config(sandbox, tmp_path, lot_only)
    run(config, messages(customers(5))).check()
    assert not [w for w in posts(sandbox, "/dispatch/") if "/dispatch/" in w["path"]]
    assert ledger_rows(config, "lots")[0]["status"] == "open"
    then_send = {STREAM: {"action": "dispatch", "campaign_code": code, "send": "lot_then_send"}}
    later = run({**config, "stream_actions": then_send}, messages([])).check()
    assert len([w for w in posts(sandbox, "/dispatch/")]) == 1
    assert later.summary["lots"][0]["sent"] is True
