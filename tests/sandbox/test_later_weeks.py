"""`weeks_later`: a week on, the sandbox holds the week before plus new and edited records."""

from __future__ import annotations

import subprocess
import sys
from datetime import date, datetime, timezone

import pytest
import requests
from api_sandbox import Sandbox

from tests.sandbox.cli_process import serving

TIMEOUT = 10
SEED, SCALE = 7, 300
CRM_KEYS = {
    "leads": "leadId",
    "registrations": "userId",
    "transactions": "transactionId",
    "positions": "positionId",
}
EDITED_FIELD = {"leads": "status", "registrations": "phone"}
ANSWER_EDIT_FIELDS = {"status", "assignee", "categories", "update_time"}
WEEKS = {
    1: ("2026-11-01", "2026-11-07"),
    2: ("2026-11-08", "2026-11-14"),
}
FIRST, LAST = "2025-11-01", "2026-11-14"
EVERY_ANSWER = {
    "start": "2025-11-01",
    "end": "2026-12-31",
    "return_update_time": "true",
    "tags": "true",
}


@pytest.fixture(scope="module")
def worlds():
    """The same sandbox at weeks 0, 1 and 2 (not started: the data is read in-process)."""
    return {week: Sandbox(seed=SEED, scale=SCALE, weeks_later=week) for week in (0, 1, 2)}


def by_key(records: list[dict], key: str) -> dict:
    return {record[key]: record for record in records}


def day_of(value: object) -> str:
    if isinstance(value, int):
        return datetime.fromtimestamp(value, timezone.utc).date().isoformat()
    return str(value)[:10]


def in_week(value: object, week: int) -> bool:
    first, last = WEEKS[week]
    return first <= day_of(value) <= last


@pytest.mark.parametrize("week", [1, 2])
@pytest.mark.parametrize("family", ["trackbox", "ib", "cellxpert"])
def test_crm_week_holds_the_week_before_with_new_and_edited_records(worlds, week, family):
    before, after = worlds[week - 1].impact_crm, worlds[week].impact_crm
    for stream, key in CRM_KEYS.items():
        old = by_key(before.records(stream, family), key)
        new = by_key(after.records(stream, family), key)
        assert set(old) < set(new), f"{stream}: week {week} lost records or added none"
        edited = [k for k in old if old[k] != new[k]]
        for k in edited:
            changed = {field for field in old[k] if old[k][field] != new[k][field]}
            assert stream in EDITED_FIELD, f"{stream} {k} changed: {changed}"
            assert changed == {"lastModifiedDate", EDITED_FIELD[stream]}
            assert in_week(new[k]["lastModifiedDate"], week)
        if stream in EDITED_FIELD:
            assert edited, f"no {stream} edited in week {week}"
        for k in set(new) - set(old):
            record = new[k]
            dated = {
                "leads": ("registrationDate", "lastModifiedDate"),
                "registrations": ("registrationDate", "lastModifiedDate"),
                "transactions": ("transactionDate",),
                "positions": ("closeDate",),
            }[stream]
            assert all(in_week(record[field], week) for field in dated), record
            if stream == "registrations":
                assert record["ftdDate"] is None or in_week(record["ftdDate"], week)


def test_new_customers_have_new_emails_and_the_known_ones_keep_theirs(worlds):
    old = by_key(worlds[0].impact_crm.records("registrations"), "userId")
    new = by_key(worlds[1].impact_crm.records("registrations"), "userId")
    assert all(new[user]["email"] == old[user]["email"] for user in old)
    added = {new[user]["email"] for user in set(new) - set(old)}
    assert added
    assert not added & {record["email"] for record in old.values()}
    leads = by_key(worlds[1].impact_crm.records("leads"), "leadId")
    assert all(leads[new[user]["leadId"]]["status"] == "converted" for user in set(new) - set(old))


def test_later_transactions_of_known_customers_are_found_by_user_id(worlds):
    old = worlds[0].impact_crm.records("transactions", "cellxpert")
    new = worlds[2].impact_crm.records("transactions", "cellxpert")
    known = {record["userId"] for record in old}
    later = [r for r in new if r["userId"] in known and day_of(r["transactionDate"]) > "2026-10-31"]
    assert later, "known customers made no transaction in the later weeks"
    user = later[0]["userId"]
    by_user = worlds[2].impact_crm.records("transactions", "cellxpert", userId=user)
    assert {r["transactionId"] for r in by_user} == {
        r["transactionId"] for r in new if r["userId"] == user
    }


@pytest.mark.parametrize("week", [1, 2])
def test_tracksale_week_adds_lots_and_answers_and_edits_recent_answers(worlds, week):
    before, after = worlds[week - 1].tracksale, worlds[week].tracksale
    old = by_key(before.answers(**EVERY_ANSWER), "id")
    new = by_key(after.answers(**EVERY_ANSWER), "id")
    assert set(old) < set(new)
    assert all(in_week(new[a]["time"], week) for a in set(new) - set(old))
    assert min(set(new) - set(old)) > max(old), "answers are numbered in time order"
    edited = [a for a in old if old[a] != new[a]]
    assert edited, "no answer was edited"
    first_day = date.fromisoformat(WEEKS[week][0])
    for a in edited:
        assert {f for f in old[a] if old[a][f] != new[a][f]} <= ANSWER_EDIT_FIELDS
        assert in_week(new[a]["update_time"], week)
        given = date.fromisoformat(day_of(new[a]["time"]))
        assert (first_day - given).days <= 7, "an edit outside the tap's 7-day lookback"
    old_lots = by_key(before.dispatches(start="2025-11-01", end="2026-12-31"), "dispatch_code")
    new_lots = by_key(after.dispatches(start="2025-11-01", end="2026-12-31"), "dispatch_code")
    assert set(old_lots) < set(new_lots)
    assert all(old_lots[code] == new_lots[code] for code in old_lots)
    assert all(
        in_week(new_lots[code]["create_time"], week) for code in set(new_lots) - set(old_lots)
    )


def test_trackfinity_week_adds_days_and_keeps_the_old_ones(worlds):
    old = worlds[0].trackfinity.profit_loss_records()
    new = worlds[1].trackfinity.profit_loss_records()
    assert new[: len(old)] == old
    assert {row["date"] for row in new[len(old) :]} == {f"2026-11-0{day}" for day in range(1, 8)}
    old_transactions = worlds[0].trackfinity.transactions()
    new_transactions = worlds[1].trackfinity.transactions()
    assert new_transactions[: len(old_transactions)] == old_transactions
    assert len(new_transactions) > len(old_transactions)


def test_weeks_are_the_same_on_every_build_and_differ_by_seed(worlds):
    again = Sandbox(seed=SEED, scale=SCALE, weeks_later=2)
    for stream in CRM_KEYS:
        assert again.impact_crm.records(stream) == worlds[2].impact_crm.records(stream)
    assert again.tracksale.answers(**EVERY_ANSWER) == worlds[2].tracksale.answers(**EVERY_ANSWER)
    other = Sandbox(seed=SEED + 1, scale=SCALE, weeks_later=2).impact_crm.records("leads")
    assert other[-1] != worlds[2].impact_crm.records("leads")[-1]


def test_week_zero_is_the_data_period(worlds):
    plain = Sandbox(seed=SEED, scale=SCALE)
    for stream in CRM_KEYS:
        assert plain.impact_crm.records(stream) == worlds[0].impact_crm.records(stream)
    assert plain.tracksale.counts() == worlds[0].tracksale.counts()
    assert max(r["date"] for r in worlds[0].trackfinity.profit_loss_records()) == "2026-10-31"


def fetch_crm(session: requests.Session, url: str, family: str, stream: str, dates: dict) -> int:
    """How many records the API serves for a query, read page by page."""
    seen, page = 0, 1
    while True:
        params = {**dates, "page": page, "pageSize": 200}
        body = session.get(f"{url}/api/v1/{family}/{stream}", params=params, timeout=TIMEOUT)
        body.raise_for_status()
        data = body.json()
        seen += len(data["data"])
        if page * 200 >= data["total"]:
            return seen
        page += 1


def test_control_counts_match_what_the_apis_serve_two_weeks_later():
    with Sandbox(seed=SEED, scale=SCALE, weeks_later=2) as running:
        base = running.base_url
        assert requests.get(f"{base}/_sandbox/period", timeout=TIMEOUT).json() == {
            "data_start": "2025-11-01",
            "data_end": "2026-10-31",
            "weeks_later": 2,
            "last_day": "2026-11-14",
        }
        session = requests.Session()
        credentials = running.impact_crm.credentials
        session.headers.update({"X-Api-Key": credentials.api_key, "X-DOMAIN": credentials.x_domain})
        login = {"email": credentials.email, "password": credentials.password}
        token = session.post(
            f"{running.impact_crm_url}/api/v1/auth/login", json=login, timeout=TIMEOUT
        ).json()["token"]
        session.headers["X-Auth-Token"] = token
        url = running.impact_crm_url
        served = {
            stream: fetch_crm(
                session, url, "ib", stream, {f"{column}From": FIRST, f"{column}To": LAST}
            )
            for stream, column in (
                ("leads", "lastModifiedDate"),
                ("registrations", "lastModifiedDate"),
                ("transactions", "transactionDate"),
            )
        }
        closed = {"positionCloseDateFrom": FIRST, "positionCloseDateTo": LAST}
        served["positions"] = sum(
            fetch_crm(session, url, "ib", "positions", {**closed, "serverTag": tag})
            for tags in running.impact_crm.server_tags().values()
            for tag in tags
        )
        counts = requests.post(
            f"{base}/_sandbox/impact-crm/counts", json={"family": "ib"}, timeout=TIMEOUT
        ).json()
        assert {stream: counts[stream] for stream in served} == served
        assert counts["leads"] > SCALE

        tracksale = requests.post(f"{base}/_sandbox/tracksale/counts", json={}, timeout=TIMEOUT)
        answers = session.get(
            f"{running.tracksale_url}/report/answer",
            params={"start": "2025-11-01", "end": "2026-11-14", "limit": -1},
            headers={"Authorization": "bearer sandbox-tracksale-token"},
            timeout=TIMEOUT,
        ).json()
        assert tracksale.json()["answers"] == len(answers)
        assert (
            max(answer["time"] for answer in answers)
            > datetime(2026, 11, 8, tzinfo=timezone.utc).timestamp()
        )

        trackfinity = requests.post(f"{base}/_sandbox/trackfinity/counts", json={}, timeout=TIMEOUT)
        transactions = session.get(
            f"{running.trackfinity_url}/api/report/transaction",
            params={"period": 8, "start": "2025-11-01", "end": "2026-11-14", "trans_count": 10**6},
            headers={"api-username": "sandbox-admin", "api-key": "sandbox-trackfinity-key"},
            timeout=TIMEOUT,
        ).json()
        assert trackfinity.json()["transactions"] == len(transactions)
        last = max(int(txn_id[:10]) for txn_id in transactions)  # ids begin with the time
        assert last > datetime(2026, 11, 8, tzinfo=timezone.utc).timestamp()


def test_cli_weeks_later_option():
    command = [sys.executable, "-m", "api_sandbox.cli", "serve", "--port", "0", "--scale", "50"]
    refused = subprocess.run(
        [*command, "--weeks-later", "-1"], capture_output=True, text=True, check=False
    )
    assert refused.returncode == 2
    assert "weeks later must be 0 to" in refused.stderr
    with serving("--scale", "50", "--weeks-later", "3") as served:
        announced = "".join(served.lines)
        assert "data 2025-11-01..2026-11-21" in announced
        assert "3 weeks later: data period 2025-11-01..2026-10-31" in announced
        period = requests.get(f"{served.base_url}/_sandbox/period", timeout=TIMEOUT).json()
        assert period["weeks_later"] == 3
        assert period["last_day"] == "2026-11-21"
