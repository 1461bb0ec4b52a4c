"""The Tracksale sandbox over real HTTP: auth, reads and their parameters, reports, writes."""

from __future__ import annotations

import json
import re
import threading
import time
from collections import Counter
from datetime import datetime, timedelta, timezone

import pytest
import requests
from api_sandbox import Sandbox
from api_sandbox.tracksale import API_TOKEN, TracksaleEmulator

from tests.sandbox.cli_process import serving

DATA_START, DATA_END = "2025-11-01", "2026-10-31"
WHOLE = {"start": DATA_START, "end": DATA_END}
EVERYTHING = {
    "tags": "true",
    "review": 1,
    "nps_secondary": 1,
    "open_question": 1,
    "csat": 1,
    "return_update_time": "true",
}
ANSWER_KEYS = [
    "time",
    "type",
    "name",
    "email",
    "identification",
    "phone",
    "alternative_email",
    "alternative_phone",
    "nps_answer",
    "last_nps_answer",
    "nps_comment",
    "campaign_name",
    "campaign_code",
    "lot_code",
    "id",
    "deadline",
    "elapsed_time",
    "dispatch_time",
    "reminder_time",
    "status",
    "priority",
    "assignee",
    "picture",
    "categories",
    "justifications",
]
TIMEOUT = 10
DAY = 86_400


class TracksaleClient:
    """A minimal Tracksale client: one keep-alive session with the bearer token."""

    def __init__(self, sandbox: Sandbox, token: str = API_TOKEN) -> None:
        self.api = sandbox.tracksale_url
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"bearer {token}"

    def get(self, path: str, **params: object) -> requests.Response:
        return self.session.get(f"{self.api}/{path}", params=params, timeout=TIMEOUT)

    def post(self, path: str, body: object = None, **params: object) -> requests.Response:
        return self.session.post(f"{self.api}/{path}", json=body, params=params, timeout=TIMEOUT)

    def ok(self, method: str, path: str, *args: object, **params: object) -> object:
        response = getattr(self, method)(path, *args, **params)
        assert response.status_code == 200, response.text
        return response.json()


@pytest.fixture(scope="module")
def sandbox():
    with Sandbox(seed=1, scale=300) as running:
        yield running


@pytest.fixture(scope="module")
def client(sandbox):
    return TracksaleClient(sandbox)


@pytest.fixture
def fresh():
    """A sandbox of its own, for tests that write or change data."""
    with Sandbox(seed=2, scale=120) as running:
        yield running, TracksaleClient(running)


def iso(moment: int) -> str:
    return datetime.fromtimestamp(moment, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")


def last_30_days() -> dict[str, str]:
    today = datetime.now(timezone.utc).date()
    return {"start": (today - timedelta(days=30)).isoformat(), "end": today.isoformat()}


def score_counts(answers: list[dict]) -> tuple[int, int, int]:
    scores = [a["nps_answer"] for a in answers]
    return (
        sum(s >= 9 for s in scores),
        sum(7 <= s <= 8 for s in scores),
        sum(s <= 6 for s in scores),
    )


def campaign_by_channel(client: TracksaleClient, channel: str) -> dict:
    return next(c for c in client.ok("get", "campaign") if c["main_channel"] == channel)


def email_customer(n: int, **extra: object) -> dict:
    return {"name": f"Customer {n}", "email": f"customer{n}@example.test", **extra}


# Auth and routing


@pytest.mark.parametrize(
    "authorization", [None, "bearer wrong-token", f"Basic {API_TOKEN}", API_TOKEN, "bearer"]
)
def test_missing_or_bad_token_is_401(sandbox, authorization):
    headers = {} if authorization is None else {"Authorization": authorization}
    for path in ("campaign", "report/answer"):
        response = requests.get(f"{sandbox.tracksale_url}/{path}", headers=headers, timeout=TIMEOUT)
        assert response.status_code == 401
        assert response.json() == {"message": "invalid token"}
    response = requests.post(
        f"{sandbox.tracksale_url}/answer", json={}, headers=headers, timeout=TIMEOUT
    )
    assert response.status_code == 401


@pytest.mark.parametrize("scheme", ["bearer", "Bearer", "BEARER"])
def test_bearer_scheme_is_case_insensitive(sandbox, scheme):
    headers = {"Authorization": f"{scheme} {API_TOKEN}"}
    response = requests.get(f"{sandbox.tracksale_url}/campaign", headers=headers, timeout=TIMEOUT)
    assert response.status_code == 200


def test_unknown_path_is_404_and_wrong_method_is_405(client, sandbox):
    assert sandbox.tracksale_url == sandbox.base_url + "/tracksale/v2"
    for path in ("nothing", "report/everything", "campaign/101/dispatch/x/y"):
        response = client.get(path)
        assert response.status_code == 404
        assert "message" in response.json()
    assert client.post("campaign").status_code == 405
    assert client.get("campaign/101/dispatch").status_code == 405
    assert client.session.delete(f"{client.api}/answer", timeout=TIMEOUT).status_code == 405


# Campaigns, widgets, draft lots


def test_campaigns_and_their_questions(client):
    campaigns = client.ok("get", "campaign", **WHOLE)
    codes = [c["code"] for c in campaigns]
    assert 4 <= len(codes) <= 6
    assert codes == list(range(101, 101 + len(codes)))
    channels = Counter(c["main_channel"] for c in campaigns)
    assert channels["sms"] == 1
    assert channels["email"] > len(codes) / 2
    assert set(channels) <= {"email", "sms", "whatsapp"}
    for campaign in campaigns:
        assert list(campaign)[:3] == ["name", "code", "description"]
        assert "dispatch_limits" not in campaign
        assert isinstance(campaign["create_time"], int)
        assert campaign["create_time"] < 1_761_955_200  # before the data period
        assert campaign["questions"][0]["type"] == "nps"
        for question in campaign["questions"]:
            assert set(question) == {"type", "title", "question", "secondary"}
        for key in ("detractors", "passives", "promoters", "dispatches", "comments", "answers"):
            assert isinstance(campaign[key], int)


def test_dispatch_limits_are_null_except_for_one_campaign(client, sandbox):
    campaigns = client.ok("get", "campaign", dispatch_limits=1)
    limited = [c for c in campaigns if c["dispatch_limits"]["daily"]["limit"] is not None]
    assert len(limited) == 1
    limits = limited[0]["dispatch_limits"]
    assert [limits[p]["limit"] for p in ("daily", "weekly", "monthly")] == [500, 2500, 8000]
    assert all(0 <= limits[p]["remaining"] <= limits[p]["limit"] for p in limits)
    for campaign in campaigns:
        if campaign is not limited[0]:
            assert campaign["dispatch_limits"] == {
                period: {"limit": None, "remaining": None}
                for period in ("daily", "weekly", "monthly")
            }
    assert sandbox.tracksale.campaigns() == campaigns


def test_campaign_counters_add_up(client, sandbox):
    answers = sandbox.tracksale.answers(**WHOLE)
    lots = sandbox.tracksale.dispatches(**WHOLE)
    for campaign in client.ok("get", "campaign", **WHOLE):
        own = [a for a in answers if a["campaign_code"] == campaign["code"]]
        promoters, passives, detractors = score_counts(own)
        assert campaign["answers"] == len(own) > 0
        assert (campaign["promoters"], campaign["passives"], campaign["detractors"]) == (
            promoters,
            passives,
            detractors,
        )
        assert campaign["comments"] == sum(a["nps_comment"] is not None for a in own)
        dispatched = sum(
            len(lot["customers"]) for lot in lots if lot["campaign"]["code"] == campaign["code"]
        )
        assert campaign["dispatches"] == dispatched > campaign["answers"]


def test_campaign_counters_default_to_the_last_30_days(client):
    assert client.ok("get", "campaign") == client.ok("get", "campaign", **last_30_days())


def test_one_campaign_by_code(client):
    campaigns = client.ok("get", "campaign", dispatch_limits=1, **WHOLE)
    assert client.ok("get", "campaign/102", dispatch_limits=1, **WHOLE) == [campaigns[1]]
    for code in ("999", "abc"):
        response = client.get(f"campaign/{code}")
        assert response.status_code == 404
        assert "campaign" in response.json()["message"]


def test_widgets(client, sandbox):
    keys = sandbox.tracksale.widget_keys()
    assert 2 <= len(keys) <= 3
    assert all(key.startswith("wdg-") for key in keys)
    widgets = [client.ok("get", f"widget/{key}") for key in keys]
    assert [w["id"] for w in widgets] == list(range(1, len(keys) + 1))
    for widget in widgets:
        assert list(widget) == ["id", "name", "views", "limits"]
        assert list(widget["views"]) == ["daily", "weekly", "monthly"]
        assert list(widget["limits"]) == [
            "daily",
            "weekly",
            "monthly",
            "has_limit",
            "limit_reached",
        ]
    assert any(w["limits"]["has_limit"] for w in widgets)
    assert client.get("widget/wdg-nowhere").status_code == 404


def test_a_campaign_starts_with_a_draft_lot(client):
    drafts = {
        c["code"]: client.ok("get", f"campaign/{c['code']}/draft-lot")["lot"]
        for c in client.ok("get", "campaign")
    }
    with_lots = {code: lots for code, lots in drafts.items() if lots}
    assert len(with_lots) == 1
    (lot,) = next(iter(with_lots.values()))
    assert set(lot) == {"code", "create_time", "total_dispatches"}
    assert re.fullmatch(r"[A-Z0-9]{10}", lot["code"])
    assert lot["total_dispatches"] >= 3
    assert client.get("campaign/999/draft-lot").status_code == 404


# Answers


def test_answer_limit_default_all_and_first_n(client, sandbox):
    everything = client.ok("get", "report/answer", limit=-1, **WHOLE)
    assert 250 <= len(everything) <= 300
    assert client.ok("get", "report/answer", **WHOLE) == everything[:10]
    assert client.ok("get", "report/answer", limit=7, **WHOLE) == everything[:7]
    assert client.ok("get", "report/answer", limit=0, **WHOLE) == []
    assert sandbox.tracksale.answers(**WHOLE) == everything
    order = [(a["time"], a["id"]) for a in everything]
    assert order == sorted(order)
    assert len({a["id"] for a in everything}) == len(everything)


def test_answer_fields(client, sandbox):
    answers = client.ok("get", "report/answer", limit=-1, **WHOLE, **EVERYTHING)
    codes = {c["code"]: c for c in sandbox.tracksale.campaigns()}
    lots = {lot["dispatch_code"] for lot in sandbox.tracksale.dispatches(**WHOLE)}
    start, end = 1_761_955_200, 1_793_491_199
    for answer in answers:
        assert list(answer)[: len(ANSWER_KEYS) - 2] == ANSWER_KEYS[:-2]
        assert start <= answer["time"] <= end
        assert answer["type"] in ("Email", "SMS", "WhatsApp", "Link")
        assert 0 <= answer["nps_answer"] <= 10
        assert answer["last_nps_answer"] is None or 0 <= answer["last_nps_answer"] <= 10
        campaign = codes[answer["campaign_code"]]
        assert answer["campaign_name"] == campaign["name"]
        assert answer["lot_code"] in lots
        assert answer["status"] in ("Pending", "In progress", "Resolved")
        assert answer["priority"] in ("None", "Low", "Medium", "High")
        assert answer["picture"] is None
        assert answer["update_time"] >= answer["time"]
        assert isinstance(answer["elapsed_time"], int)
        for key in ("deadline", "dispatch_time", "reminder_time"):
            assert answer[key] is None or isinstance(answer[key], int)
        if answer["dispatch_time"] is not None:
            assert answer["dispatch_time"] <= answer["time"]
        assert all(set(c) == {"id", "name"} for c in answer["categories"])
        assert all(set(t) == {"name", "value"} for t in answer["tags"])
        for kind in ("review", "csat", "nps_secondary", "open_question"):
            asked = [q for q in campaign["questions"] if q["type"] == kind]
            assert [item["question"] for item in answer[kind]] == [q["question"] for q in asked]
        for item in answer["review"] + answer["csat"] + answer["nps_secondary"]:
            assert list(item) == ["question", "score", "comment"]
        for item in answer["open_question"]:
            assert list(item) == ["question", "answer"]
    assert {a["type"] for a in answers} >= {"Email", "SMS", "Link"}
    assert any(a["identification"] is None for a in answers)
    assert any(a["nps_comment"] is None for a in answers)
    assert any(a["nps_comment"] for a in answers)
    assert any(a["last_nps_answer"] is not None for a in answers)


@pytest.mark.parametrize(
    ("parameter", "key", "on", "off"),
    [
        ("tags", "tags", ["true", "1"], ["false", "0", None]),
        ("review", "review", ["1"], ["0", None]),
        ("nps_secondary", "nps_secondary", ["1"], ["0", None]),
        ("open_question", "open_question", ["1"], ["0", None]),
        ("csat", "csat", ["1"], ["0", None]),
        ("return_update_time", "update_time", ["true", "1"], ["false", None]),
    ],
)
def test_optional_answer_keys(client, parameter, key, on, off):
    full = client.ok("get", "report/answer", limit=20, **WHOLE, **EVERYTHING)
    for value in on:
        served = client.ok("get", "report/answer", limit=20, **WHOLE, **{parameter: value})
        assert [a[key] for a in served] == [a[key] for a in full]
        assert list(served[0])[-1] == key or key != "update_time"
    for value in off:
        params = {} if value is None else {parameter: value}
        served = client.ok("get", "report/answer", limit=20, **WHOLE, **params)
        assert all(key not in a for a in served)
        assert all(set(a) == set(ANSWER_KEYS) for a in served)


def test_justifications_by_level_or_as_an_array(client):
    level = client.ok("get", "report/answer", limit=-1, **WHOLE)
    assert level == client.ok("get", "report/answer", limit=-1, justifReturn="level", **WHOLE)
    flat = client.ok("get", "report/answer", limit=-1, justifReturn="array", **WHOLE)
    assert any(a["justifications"] for a in level)
    for grouped, listed in zip(level, flat, strict=True):
        assert all(set(group) == {"name", "children"} for group in grouped["justifications"])
        names = [name for group in grouped["justifications"] for name in group["children"]]
        assert listed["justifications"] == names
        assert {k: v for k, v in grouped.items() if k != "justifications"} == {
            k: v for k, v in listed.items() if k != "justifications"
        }


def test_answer_dates_whole_days_or_exact_seconds(client):
    everything = client.ok("get", "report/answer", limit=-1, **WHOLE)
    sample = everything[len(everything) // 2]
    day = iso(sample["time"])[:10]
    on_day = client.ok("get", "report/answer", limit=-1, start=day, end=day)
    assert on_day == [a for a in everything if iso(a["time"])[:10] == day]
    assert sample in on_day
    moment = iso(sample["time"])
    exact = client.ok("get", "report/answer", limit=-1, start=moment, end=moment)
    assert sample in exact
    assert all(a["time"] == sample["time"] for a in exact)
    after = client.ok("get", "report/answer", limit=-1, start=iso(sample["time"] + 1), end=day)
    assert sample not in after


def test_answers_default_to_the_last_30_days(client):
    assert client.ok("get", "report/answer", limit=-1) == client.ok(
        "get", "report/answer", limit=-1, **last_30_days()
    )


def test_codes_filter_answers(client):
    everything = client.ok("get", "report/answer", limit=-1, **WHOLE)
    one = client.ok("get", "report/answer", limit=-1, codes="102", **WHOLE)
    assert one == [a for a in everything if a["campaign_code"] == 102]
    two = client.ok("get", "report/answer", limit=-1, codes="101,103", **WHOLE)
    assert two == [a for a in everything if a["campaign_code"] in (101, 103)]
    assert client.ok("get", "report/answer", limit=-1, codes="999", **WHOLE) == []


@pytest.mark.parametrize(
    ("path", "params", "named"),
    [
        ("report/answer", {"start": "2026-13-01"}, "start"),
        ("report/answer", {"start": "2026/01/01"}, "start"),
        ("report/answer", {"end": "2026-01-01T25:00:00"}, "end"),
        ("report/answer", {"start": "2026-02-01", "end": "2026-01-01"}, "start"),
        ("report/answer", {"codes": "101,abc"}, "codes"),
        ("report/answer", {"limit": "ten"}, "limit"),
        ("report/answer", {"limit": "-2"}, "limit"),
        ("report/answer", {"justifReturn": "tree"}, "justifReturn"),
        ("report/nps", {"end": "yesterday"}, "end"),
        ("report/dispatch", {"start": "1.1.2026"}, "start"),
        ("report/category", {"codes": "x"}, "codes"),
        ("campaign", {"start": "2026-1-1"}, "start"),
    ],
)
def test_malformed_parameters_are_400_naming_them(client, path, params, named):
    response = client.get(path, **params)
    assert response.status_code == 400
    assert named in response.json()["message"]


# Reports


def nps_of(answers: list[dict], dispatches: int) -> dict:
    promoters, passives, detractors = score_counts(answers)
    total = len(answers)

    def share(n: int) -> float:
        return round(n * 100 / total, 2) if total else 0.0

    return {
        "dispatches": dispatches,
        "promoters": promoters,
        "detractors": detractors,
        "passives": passives,
        "detractors_percentage": share(detractors),
        "passives_percentage": share(passives),
        "promoters_percentage": share(promoters),
        "nps": round(share(promoters) - share(detractors), 2) if total else 0,
    }


def dispatched_customers(sandbox: Sandbox, start: int, end: int, codes: set[int]) -> int:
    lots = sandbox.tracksale.dispatches(**WHOLE)
    return sum(
        1
        for lot in lots
        if lot["campaign"]["code"] in codes
        for customer in lot["customers"]
        if start <= customer["dispatch_time"] <= end
    )


def test_nps_report_arithmetic_and_compare(client, sandbox):
    window = {"start": "2026-03-01", "end": "2026-04-30"}
    start, end = 1_772_323_200, 1_777_593_599  # 2026-03-01 00:00:00 .. 2026-04-30 23:59:59
    for codes in ({101}, {102, 103}, {101, 102, 103, 104}):
        code_text = ",".join(map(str, sorted(codes)))
        answers = [a for a in sandbox.tracksale.answers(**window) if a["campaign_code"] in codes]
        report = client.ok("get", "report/nps", codes=code_text, **window)
        assert list(report) == list(nps_of(answers, 0))
        assert report == nps_of(answers, dispatched_customers(sandbox, start, end, codes))
        assert report["promoters"] + report["passives"] + report["detractors"] == len(answers) > 0
    compared = client.ok("get", "report/nps", compare="true", **window)
    previous = client.ok(
        "get", "report/nps", start=iso(start - (end - start + 1)), end=iso(start - 1)
    )
    assert compared["compare"] == previous
    assert {k: v for k, v in compared.items() if k != "compare"} == client.ok(
        "get", "report/nps", **window
    )
    assert "compare" not in client.ok("get", "report/nps", **window)


def test_nps_without_answers_is_zero(client):
    report = client.ok("get", "report/nps", start="2020-01-01", end="2020-01-31")
    assert report == {
        "dispatches": 0,
        "promoters": 0,
        "detractors": 0,
        "passives": 0,
        "detractors_percentage": 0.0,
        "passives_percentage": 0.0,
        "promoters_percentage": 0.0,
        "nps": 0.0,
    }


def test_category_and_status_reports(client, sandbox):
    window = {"start": "2026-01-01", "end": "2026-06-30", "codes": "101,102"}
    answers = sandbox.tracksale.answers(**window)
    categories = client.ok("get", "report/category", **window)
    assert categories
    for category in categories:
        assert list(category) == ["id", "name", "color", "total", "nps"]
        tagged = [a for a in answers if category["id"] in {c["id"] for c in a["categories"]}]
        assert category["total"] == len(tagged) > 0
        assert category["nps"] == nps_of(tagged, 0)["nps"]
    used = {c["id"] for a in answers for c in a["categories"]}
    assert {c["id"] for c in categories} == used
    statuses = client.ok("get", "report/status", **window)
    assert [list(s) for s in statuses] == [["id", "name", "total", "color"]] * len(statuses)
    assert {s["name"]: s["total"] for s in statuses} == Counter(a["status"] for a in answers)


def test_dispatch_report(client, sandbox):
    window = {"start": "2026-02-01", "end": "2026-02-28"}
    lots = client.ok("get", "report/dispatch", **window)
    assert lots == sandbox.tracksale.dispatches(**window)
    assert lots
    answers = sandbox.tracksale.answers(**WHOLE)
    answered = Counter(a["lot_code"] for a in answers)
    for lot in lots:
        assert list(lot) == ["campaign", "dispatch_code", "status", "create_time", "customers"]
        assert set(lot["campaign"]) == {"name", "code"}
        assert lot["status"] == "sent"
        assert 1_769_904_000 <= lot["create_time"] <= 1_772_323_199
        for customer in lot["customers"]:
            assert list(customer) == [
                "name",
                "identification",
                "email",
                "phone",
                "dispatch_time",
                "status",
                "has_answered",
            ]
            assert customer["dispatch_time"] >= lot["create_time"]
            assert customer["status"] == "sent"
        has_answered = sum(c["has_answered"] for c in lot["customers"])
        assert has_answered == answered[lot["dispatch_code"]]
    one = client.ok("get", "report/dispatch", codes="101", **window)
    assert one == [lot for lot in lots if lot["campaign"]["code"] == 101]


# Answers that change


def test_edit_answer_moves_it_on_now(fresh):
    sandbox, client = fresh
    answer = sandbox.tracksale.answers(**WHOLE, **EVERYTHING)[5]
    before = time.time()
    edited = sandbox.tracksale.edit_answer(answer["id"])
    assert edited["status"] != answer["status"]
    assert edited["assignee"] != answer["assignee"]
    assert edited["assignee"] is not None
    assert edited["categories"] != answer["categories"]
    assert before - 1 <= edited["update_time"] <= time.time() + 1
    assert edited["time"] == answer["time"]
    served = client.ok("get", "report/answer", limit=-1, **WHOLE, **EVERYTHING)
    assert next(a for a in served if a["id"] == answer["id"]) == edited
    with pytest.raises(LookupError):
        sandbox.tracksale.edit_answer(1)


def test_added_answers_are_given_now(fresh):
    sandbox, client = fresh
    before = int(time.time())
    ids = sandbox.tracksale.add_answers(6)
    assert len(ids) == len(set(ids)) == 6
    recent = client.ok("get", "report/answer", limit=-1, **EVERYTHING)
    added = [a for a in recent if a["id"] in ids]
    assert len(added) == 6
    assert all(before <= a["time"] <= time.time() + 1 for a in added)
    assert len({a["campaign_code"] for a in added}) > 1
    lots = {lot["dispatch_code"]: lot for lot in sandbox.tracksale.dispatches()}
    for answer in added:
        assert any(
            c["has_answered"] and c["email"] == answer["email"]
            for c in lots[answer["lot_code"]]["customers"]
        )
    with pytest.raises(ValueError, match="n must be"):
        sandbox.tracksale.add_answers(0)


def test_controls_over_http(fresh):
    sandbox, _ = fresh
    control = f"{sandbox.base_url}/_sandbox/tracksale"
    answer_id = sandbox.tracksale.answers(**WHOLE)[0]["id"]
    edited = requests.post(f"{control}/edit-answer", json={"id": answer_id}, timeout=TIMEOUT)
    assert edited.status_code == 200
    assert edited.json()["answer"]["id"] == answer_id
    added = requests.post(f"{control}/add-answers", json={"n": 2}, timeout=TIMEOUT)
    assert added.status_code == 200
    assert len(added.json()["ids"]) == 2
    counts = requests.post(f"{control}/counts", timeout=TIMEOUT).json()
    assert counts == sandbox.tracksale.counts()
    assert counts["answers"] == len(sandbox.tracksale.answers(start="2000-01-01", end="2100-01-01"))
    assert set(counts) >= {"campaigns", "answers", "dispatches", "draft_lots", "widgets"}
    assert requests.post(f"{control}/writes", timeout=TIMEOUT).json() == []
    assert (
        requests.post(f"{control}/received", json={"campaign_code": 101}, timeout=TIMEOUT).json()
        == []
    )
    for action, body, status in [
        ("edit-answer", {"id": "x"}, 400),
        ("edit-answer", {"id": 5}, 404),
        ("add-answers", {"n": 0}, 400),
        ("received", {"campaign_code": "101"}, 400),
        ("nothing", {}, 404),
    ]:
        response = requests.post(f"{control}/{action}", json=body, timeout=TIMEOUT)
        assert response.status_code == status, action


# Writes: dispatches and lots


def test_scheduled_dispatch_makes_a_lot_of_its_own(fresh):
    sandbox, client = fresh
    now = int(time.time())
    first = client.ok(
        "post",
        "campaign/101/dispatch",
        {"customers": [email_customer(1)], "schedule_time": 0},
    )
    assert first == {
        "msg": "Dispatch executed!",
        "dispatch_code": first["dispatch_code"],
        "status": {"duplicated": 0, "invalid": 0, "inserted": 1},
        "campaign": {"name": sandbox.tracksale.campaigns()[0]["name"], "cod": 101},
    }
    later = client.ok(
        "post",
        "campaign/101/dispatch",
        {"customers": [email_customer(2)], "schedule_time": now + 7 * DAY},
    )
    assert later["dispatch_code"] != first["dispatch_code"]
    lots = {
        lot["dispatch_code"]: lot
        for lot in sandbox.tracksale.dispatches(start="2026-01-01", end="2100-01-01")
    }
    assert lots[first["dispatch_code"]]["status"] == "sent"
    assert lots[later["dispatch_code"]]["status"] == "scheduled"
    (customer,) = lots[first["dispatch_code"]]["customers"]
    assert customer == {
        "name": "Customer 1",
        "identification": None,
        "email": "customer1@example.test",
        "phone": None,
        "dispatch_time": customer["dispatch_time"],
        "status": "sent",
        "has_answered": False,
    }
    assert now <= customer["dispatch_time"] <= time.time()  # 0: sent when asked
    assert lots[later["dispatch_code"]]["customers"][0]["dispatch_time"] == now + 7 * DAY


def test_open_lot_collects_customers_until_sent(fresh):
    sandbox, client = fresh
    first = client.ok(
        "post", "campaign/101/dispatch", {"customers": [email_customer(1), email_customer(2)]}
    )
    assert first["msg"] == "Customers have been successfully added!"
    again = client.ok("post", "campaign/101/dispatch", {"customers": [email_customer(3)]})
    code = first["dispatch_code"]
    assert again["dispatch_code"] == code
    drafts = client.ok("get", "campaign/101/draft-lot")["lot"]
    assert [(lot["code"], lot["total_dispatches"]) for lot in drafts] == [(code, 3)]
    assert code not in {lot["dispatch_code"] for lot in sandbox.tracksale.dispatches()}
    sent = client.ok("post", f"campaign/101/dispatch/{code}", {"time": 0})
    assert sent == {"msg": "Dispatch executed!", "customers": 3}
    assert client.ok("get", "campaign/101/draft-lot") == {"lot": []}
    lot = next(lot for lot in sandbox.tracksale.dispatches() if lot["dispatch_code"] == code)
    assert lot["status"] == "sent"
    assert len(lot["customers"]) == 3
    assert client.post(f"campaign/101/dispatch/{code}", {"time": 0}).status_code == 404
    assert client.post("campaign/102/dispatch/NOSUCHLOT0", {"time": 0}).status_code == 404
    assert client.post(f"campaign/101/dispatch/{code}", {"when": 0}).status_code == 400
    fresh_lot = client.ok("post", "campaign/101/dispatch", {"customers": [email_customer(4)]})
    assert fresh_lot["dispatch_code"] != code
    repeat = client.ok("post", "campaign/101/dispatch", {"customers": [email_customer(1)]})
    assert repeat["status"] == {"duplicated": 1, "invalid": 0, "inserted": 0}


def test_a_scheduled_send_of_an_open_lot(fresh):
    sandbox, client = fresh
    code = client.ok("post", "campaign/101/dispatch", {"customers": [email_customer(1)]})[
        "dispatch_code"
    ]
    when = int(time.time()) + 3 * DAY
    assert client.ok("post", f"campaign/101/dispatch/{code}", {"time": when})["customers"] == 1
    lot = next(lot for lot in sandbox.tracksale.dispatches() if lot["dispatch_code"] == code)
    assert lot["status"] == "scheduled"
    assert lot["customers"][0]["dispatch_time"] == when


def test_discarded_lot_frees_its_customers(fresh):
    sandbox, client = fresh
    code = client.ok("post", "campaign/101/dispatch", {"customers": [email_customer(1)]})[
        "dispatch_code"
    ]
    assert client.ok("post", f"campaign/101/discard-lot/{code}") == {"success": True}
    assert client.ok("get", "campaign/101/draft-lot") == {"lot": []}
    assert client.post(f"campaign/101/discard-lot/{code}").status_code == 404
    assert client.post("campaign/999/discard-lot/X").status_code == 404
    again = client.ok("post", "campaign/101/dispatch", {"customers": [email_customer(1)]})
    assert again["status"]["inserted"] == 1
    assert again["dispatch_code"] != code
    assert code not in {lot["dispatch_code"] for lot in sandbox.tracksale.dispatches(**WHOLE)}


def test_the_generated_draft_lot_is_the_open_lot(fresh):
    sandbox, client = fresh
    for campaign in sandbox.tracksale.campaigns():
        drafts = client.ok("get", f"campaign/{campaign['code']}/draft-lot")["lot"]
        if drafts:
            break
    (draft,) = drafts
    added = client.ok(
        "post", f"campaign/{campaign['code']}/dispatch", {"customers": [email_customer(9)]}
    )
    assert added["dispatch_code"] == draft["code"]
    (after,) = client.ok("get", f"campaign/{campaign['code']}/draft-lot")["lot"]
    assert after["total_dispatches"] == draft["total_dispatches"] + 1


def test_invalid_and_duplicated_customers(fresh):
    sandbox, client = fresh
    surveyed = next(a for a in sandbox.tracksale.answers(**WHOLE) if a["campaign_code"] == 101)
    client.ok("post", "campaign/101/dispatch", {"customers": [email_customer(50)]})  # open lot
    customers = [
        email_customer(
            1, phone="+5511999990001", identification="X1", tags=[{"name": "a", "value": "b"}]
        ),
        {"name": "Same one", "email": "CUSTOMER1@Example.test "},
        {"name": "No email", "phone": "+5511999990002"},
        {"name": "Bad email", "email": "not-an-email"},
        {"name": "Null email", "email": None, "identification": "X3"},
        email_customer(50),
        {"name": surveyed["name"], "email": surveyed["email"].upper()},
        email_customer(2),
    ]
    answer = client.ok("post", "campaign/101/dispatch", {"customers": customers}, getNotInserted=1)
    assert answer["status"] == {"duplicated": 3, "invalid": 3, "inserted": 2}
    assert answer["duplicated_customers"] == [
        {"name": "Same one", "email": "CUSTOMER1@Example.test "},
        {"name": "Customer 50", "email": "customer50@example.test"},
        {"name": surveyed["name"], "email": surveyed["email"].upper()},
    ]
    reason = "Invalid or empty main channel"
    assert answer["invalid_customers"] == [
        {"name": "No email", "phone": "+5511999990002", "reason": reason},
        {"name": "Bad email", "email": "not-an-email", "reason": reason},
        {"name": "Null email", "email": None, "identification": "X3", "reason": reason},
    ]
    plain = client.ok("post", "campaign/101/dispatch", {"customers": customers[:2]})
    assert "duplicated_customers" not in plain
    assert "invalid_customers" not in plain
    sms = campaign_by_channel(client, "sms")["code"]
    by_phone = client.ok(
        "post",
        f"campaign/{sms}/dispatch",
        {
            "customers": [
                {"name": "A", "phone": "+55 (11) 99999-0001"},
                {"name": "B", "phone": "5511999990001"},
                {"name": "C", "email": "c@example.test"},
                {"name": "D", "phone": 5511999990009},
            ]
        },
        getNotInserted=1,
    )
    assert by_phone["status"] == {"duplicated": 1, "invalid": 1, "inserted": 2}


def test_more_than_500_is_400(fresh):
    _, client = fresh
    customers = [email_customer(n) for n in range(501)]
    for path in ("campaign/101/dispatch", "campaign/101/survey-links"):
        response = client.post(path, {"customers": customers})
        assert response.status_code == 400
        assert response.json() == {"message": "at most 500 customers per request"}
    answers = [{"name": "A", "email": "a@example.test", "score": 9}] * 501
    response = client.post("answer", {"campaign_code": 101, "answers": answers})
    assert response.status_code == 400
    assert response.json() == {"message": "at most 500 answers per request"}
    assert (
        client.ok("post", "campaign/101/dispatch", {"customers": customers[:500]})["status"][
            "inserted"
        ]
        == 500
    )


@pytest.mark.parametrize(
    "body",
    [
        "not json",
        [1, 2],
        {"customers": "x"},
        {"customers": [1]},
        {"customers": [{"name": "A", "email": 5}]},
        {"customers": [{"name": "A", "email": "a@example.test", "tags": "x"}]},
        {"customers": [{"name": "A", "email": "a@example.test", "tags": [{"value": "v"}]}]},
        {"customers": [], "schedule_time": "tomorrow"},
    ],
)
def test_malformed_dispatch_bodies_are_400(fresh, body):
    sandbox, client = fresh
    data = body if isinstance(body, str) else json.dumps(body)
    response = client.session.post(
        f"{client.api}/campaign/101/dispatch", data=data, timeout=TIMEOUT
    )
    assert response.status_code == 400
    assert response.json()["message"]
    assert sandbox.tracksale.writes() == []
    assert sandbox.tracksale.received() == []


def test_unknown_campaigns_are_404_for_writes(fresh):
    _, client = fresh
    for path, body in [
        ("campaign/999/dispatch", {"customers": []}),
        ("campaign/999/survey-links", {"customers": []}),
        ("campaign/999/can-impact", {"email": "a@example.test"}),
        ("answer", {"campaign_code": 999, "answers": []}),
    ]:
        response = client.post(path, body)
        assert response.status_code == 404, path


# Writes: answers, links, notes, tags, the 90-day rule


def test_insert_answers(fresh):
    _, client = fresh
    given = int(time.time()) - 5 * DAY
    answers = [
        {
            "name": "Ann",
            "email": "ann@example.test",
            "score": 9,
            "justification": "Great",
            "create_time": given,
            "tags": [{"name": "Plan", "value": "Pro"}],
        },
        {
            "name": "Bob",
            "email": "bob@example.test",
            "phone": "+5511988887777",
            "identification": "B-1",
            "score": 0,
        },
        {"name": "Too high", "email": "c@example.test", "score": 11},
        {"name": "Text score", "email": "d@example.test", "score": "9"},
        {"name": "Float score", "email": "d@example.test", "score": 7.5},
        {"email": "e@example.test", "score": 5},
        {"name": "No email", "phone": "+5511911112222", "score": 5},
    ]
    plain = client.ok("post", "answer", {"campaign_code": "101", "answers": answers[:1]})
    assert plain == {"msg": "1 Answer inserted", "status": {"invalid": 0, "inserted": 1}}
    answer = client.ok(
        "post", "answer", {"campaign_code": 101, "answers": answers[1:]}, return_answer_id=1
    )
    assert answer["msg"] == "1 Answer inserted"
    assert answer["status"] == {"invalid": 5, "inserted": 1}
    (bob,) = answer["answers"]
    assert bob == {
        "answer_id": bob["answer_id"],
        "name": "Bob",
        "email": "bob@example.test",
        "phone": "+5511988887777",
        "identification": "B-1",
    }
    served = {
        a["name"]: a for a in client.ok("get", "report/answer", limit=-1, codes=101, **EVERYTHING)
    }
    assert served["Ann"]["time"] == given
    assert served["Ann"]["nps_comment"] == "Great"
    assert served["Ann"]["tags"] == [{"name": "Plan", "value": "Pro"}]
    assert served["Bob"]["id"] == bob["answer_id"]
    assert served["Bob"]["nps_answer"] == 0
    assert abs(served["Bob"]["time"] - time.time()) < 5
    assert served["Bob"]["campaign_code"] == 101
    assert served["Bob"]["update_time"] == served["Bob"]["time"]
    assert client.post("answer", {"answers": []}).status_code == 400
    assert (
        client.post(
            "answer",
            {
                "campaign_code": 101,
                "answers": [{"name": "A", "email": "a@x.test", "score": 5, "create_time": "now"}],
            },
        ).status_code
        == 400
    )


def test_survey_links_are_stable_per_campaign_and_customer(fresh):
    _, client = fresh
    customers = [
        email_customer(1, tags=[{"name": "a", "value": "b"}]),
        {"name": "P", "phone": "+5511977776666"},
    ]
    first = client.ok("post", "campaign/101/survey-links", {"customers": customers})["customers"]
    again = client.ok("post", "campaign/101/survey-links", {"customers": customers})["customers"]
    other = client.ok("post", "campaign/102/survey-links", {"customers": customers})["customers"]
    assert first == again
    for sent, linked in zip(customers, first, strict=True):
        assert linked == {**sent, "survey_link": linked["survey_link"]}
        assert re.fullmatch(r"https://tracksale\.co/s/[0-9a-zA-Z]+", linked["survey_link"])
    assert first[0]["survey_link"] != first[1]["survey_link"]
    assert first[0]["survey_link"] != other[0]["survey_link"]


def test_notes_by_answer_id_and_by_filter(fresh):
    sandbox, client = fresh
    answers = sandbox.tracksale.answers(**WHOLE)
    target = answers[10]
    assert client.ok("post", "note", {"comment": "Called back", "answer_id": target["id"]}) == {
        "msg": "Success",
        "answer_id": target["id"],
    }
    day = iso(target["time"])[:10]
    found = client.ok(
        "post",
        "note",
        {
            "comment": "By email",
            "filter": {"email": target["email"], "start_date": day, "end_date": day},
        },
    )
    assert found["answer_id"] == target["id"]
    by_code = {
        "email": target["email"],
        "start_date": DATA_START,
        "end_date": DATA_END,
        "campaign_code": target["campaign_code"],
    }
    latest = [
        a
        for a in answers
        if a["email"] == target["email"] and a["campaign_code"] == target["campaign_code"]
    ][-1]
    assert (
        client.ok("post", "note", {"comment": "x", "filter": by_code})["answer_id"] == latest["id"]
    )
    misses = [
        {"comment": "x", "answer_id": 1},
        {
            "comment": "x",
            "filter": {
                "email": "nobody@example.test",
                "start_date": DATA_START,
                "end_date": DATA_END,
            },
        },
        {
            "comment": "x",
            "filter": {
                "email": target["email"],
                "start_date": "2020-01-01",
                "end_date": "2020-01-02",
            },
        },
    ]
    for body in misses:
        assert client.post("note", body).status_code == 404
    for body in [
        {"answer_id": target["id"]},
        {"comment": "x"},
        {"comment": "x", "filter": {"email": target["email"]}},
        {"comment": "x", "filter": {"start_date": DATA_START, "end_date": DATA_END}},
    ]:
        assert client.post("note", body).status_code == 400


def test_fill_empty_tags_fills_only_empty_ones(fresh):
    sandbox, client = fresh
    answers = sandbox.tracksale.answers(**WHOLE, tags="true")
    target = next(a for a in answers if any(t["value"] == "" for t in a["tags"]))
    empty = next(t["name"] for t in target["tags"] if t["value"] == "")
    full = next(t for t in target["tags"] if t["value"])
    tags = [
        {"name": empty, "value": "Filled"},
        {"name": full["name"], "value": "Changed"},
        {"name": "Brand new", "value": "New"},
    ]
    before = time.time()
    assert client.ok("post", "fill-empty-tags", {"answer_id": target["id"], "tags": tags}) == {
        "answer_id": target["id"],
        "msg": "Request received successfully!",
    }
    after = next(
        a
        for a in sandbox.tracksale.answers(**WHOLE, tags="true", return_update_time="true")
        if a["id"] == target["id"]
    )
    by_name = {t["name"]: t["value"] for t in after["tags"]}
    assert by_name[empty] == "Filled"
    assert by_name[full["name"]] == full["value"]
    assert by_name["Brand new"] == "New"
    assert after["update_time"] >= before - 1
    customer = {
        "campaign_code": target["campaign_code"],
        "customer": {"email": target["email"]},
        "tags": tags,
    }
    latest = [
        a
        for a in answers
        if a["email"] == target["email"] and a["campaign_code"] == target["campaign_code"]
    ][-1]
    assert client.ok("post", "fill-empty-tags", customer)["answer_id"] == latest["id"]
    assert client.post("fill-empty-tags", {"answer_id": 1, "tags": tags}).status_code == 404
    assert (
        client.post(
            "fill-empty-tags", {"customer": {"email": "nobody@example.test"}, "tags": tags}
        ).status_code
        == 404
    )
    assert client.post("fill-empty-tags", {"answer_id": target["id"]}).status_code == 400


def test_can_impact_follows_the_90_day_rule(fresh):
    sandbox, client = fresh
    now = int(time.time())
    dataset = sandbox.tracksale.dataset
    for n, when in ((1, now - 10 * DAY), (2, now - 100 * DAY), (3, now + 10 * DAY)):
        customer = email_customer(n, phone=f"+551190000000{n}", identification=f"ID{n}")
        if when < now:  # the API refuses a past schedule_time: the history is made directly
            dataset.dispatch(dataset.campaign(101), [customer], when, now)
            continue
        client.ok("post", "campaign/101/dispatch", {"customers": [customer], "schedule_time": when})
    client.ok("post", "campaign/101/dispatch", {"customers": [email_customer(4)]})  # open, not sent

    def can_impact(code: int, **contact: str) -> bool:
        return client.ok("post", f"campaign/{code}/can-impact", contact)["can_impact"]

    assert can_impact(101, email="CUSTOMER1@example.test") is False
    assert can_impact(101, phone="+55 11 9000-00001") is False
    assert can_impact(101, identification="ID1") is False
    assert can_impact(102, email="customer1@example.test") is True
    assert can_impact(101, email="customer2@example.test") is True
    assert can_impact(101, email="customer3@example.test") is False  # scheduled: impacted
    assert can_impact(101, email="customer4@example.test") is True
    assert can_impact(101, email="nobody@example.test") is True
    assert client.post("campaign/101/can-impact", {}).status_code == 400


def test_generated_history_counts_for_the_90_day_rule_and_duplicates():
    today = datetime.now(timezone.utc).date()
    recent = Sandbox(seed=4, scale=100, data_start=today - timedelta(days=60), data_end=today)
    with recent:
        client = TracksaleClient(recent)
        lots = recent.tracksale.dispatches(start="2000-01-01", end="2100-01-01")
        sent = [lot for lot in lots if lot["customers"][0]["dispatch_time"] <= time.time()]
        lot = sent[-1]
        code, customer = lot["campaign"]["code"], lot["customers"][0]
        channel = {c["code"]: c["main_channel"] for c in recent.tracksale.campaigns()}[code]
        by_phone = channel != "email"
        contact = {"phone": customer["phone"]} if by_phone else {"email": customer["email"]}
        check = client.ok("post", f"campaign/{code}/can-impact", contact)
        assert check == {"can_impact": False}
        by_identification = {"identification": customer["identification"]}
        if customer["identification"] is not None:
            assert client.ok("post", f"campaign/{code}/can-impact", by_identification) == check
        again = client.ok(
            "post", f"campaign/{code}/dispatch", {"customers": [{"name": "x", **contact}]}
        )
        assert again["status"] == {"duplicated": 1, "invalid": 0, "inserted": 0}


def test_writes_and_received_record_accepted_writes_only(fresh):
    sandbox, client = fresh
    client.ok(
        "post",
        "campaign/101/dispatch",
        {"customers": [email_customer(1), {"name": "x"}]},
        getNotInserted=1,
    )
    client.post("campaign/999/dispatch", {"customers": [email_customer(2)]})
    client.post("campaign/101/dispatch", {"customers": "bad"})
    client.ok("post", "campaign/101/survey-links", {"customers": [email_customer(3)]})
    sms = campaign_by_channel(client, "sms")["code"]
    client.ok(
        "post",
        f"campaign/{sms}/dispatch",
        {"customers": [{"name": "P", "phone": "+5511900000009"}], "schedule_time": 0},
    )
    writes = sandbox.tracksale.writes()
    assert [(w["method"], w["path"]) for w in writes] == [
        ("POST", "/tracksale/v2/campaign/101/dispatch"),
        ("POST", "/tracksale/v2/campaign/101/survey-links"),
        ("POST", f"/tracksale/v2/campaign/{sms}/dispatch"),
    ]
    assert writes[0]["query"] == {"getNotInserted": "1"}
    assert writes[0]["body"] == {"customers": [email_customer(1), {"name": "x"}]}
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", w["time"]) for w in writes)
    assert API_TOKEN not in json.dumps(writes)
    received = sandbox.tracksale.received()
    assert [r["customer"] for r in received] == [
        email_customer(1),
        {"name": "P", "phone": "+5511900000009"},
    ]
    assert [r["customer"] for r in sandbox.tracksale.received(sms)] == [
        {"name": "P", "phone": "+5511900000009"}
    ]
    assert received[0]["campaign_code"] == 101
    assert re.fullmatch(r"[A-Z0-9]{10}", received[0]["dispatch_code"])
    over_http = requests.post(
        f"{sandbox.base_url}/_sandbox/tracksale/writes", timeout=TIMEOUT
    ).json()
    assert over_http == writes
    assert requests.post(
        f"{sandbox.base_url}/_sandbox/tracksale/received",
        json={"campaign_code": sms},
        timeout=TIMEOUT,
    ).json() == sandbox.tracksale.received(sms)


def test_concurrent_dispatches(fresh):
    sandbox, _ = fresh
    errors = []

    def send(worker: int) -> None:
        client = TracksaleClient(sandbox)
        for batch in range(5):
            customers = [email_customer(worker * 10_000 + batch * 100 + n) for n in range(100)]
            body = {"customers": customers, "schedule_time": 0 if batch % 2 else None}
            if body["schedule_time"] is None:
                del body["schedule_time"]
            response = client.post("campaign/101/dispatch", body)
            if response.status_code != 200 or response.json()["status"]["inserted"] != 100:
                errors.append(response.text)

    threads = [threading.Thread(target=send, args=(worker,)) for worker in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(sandbox.tracksale.received(101)) == 4000
    assert len(sandbox.tracksale.writes()) == 40
    (draft,) = TracksaleClient(sandbox).ok("get", "campaign/101/draft-lot")["lot"]
    assert draft["total_dispatches"] == 8 * 3 * 100


def test_a_full_dispatch_is_answered_quickly(fresh):
    _, client = fresh
    body = json.dumps(
        {
            "customers": [
                email_customer(n, tags=[{"name": "a", "value": "b"}]) for n in range(500)
            ],
            "schedule_time": 0,
        }
    )
    started = time.perf_counter()
    response = client.session.post(
        f"{client.api}/campaign/101/dispatch", data=body, timeout=TIMEOUT
    )
    assert response.status_code == 200
    assert time.perf_counter() - started < 0.5


# Faults, determinism, CLI


def test_faults_apply_to_tracksale(fresh):
    sandbox, client = fresh
    sandbox.queue_faults(
        "/tracksale/v2/report/answer",
        [{"status": 429, "retry_after": 3}, {"status": 503}, {"drop": True}],
    )
    first = client.get("report/answer")
    assert first.status_code == 429
    assert first.headers["Retry-After"] == "3"
    assert client.get("report/answer").status_code == 503
    with pytest.raises(requests.ConnectionError):
        client.get("report/answer")
    assert client.get("report/answer").status_code == 200
    statuses = [r["status"] for r in sandbox.requests if r["path"] == "/tracksale/v2/report/answer"]
    assert statuses == [429, 503, None, 200]
    with Sandbox(scale=50, rate_429=1.0, retry_after=2) as limited:
        response = TracksaleClient(limited).get("campaign")
        assert response.status_code == 429
        assert response.headers["Retry-After"] == "2"
        assert (
            requests.post(
                f"{limited.base_url}/_sandbox/tracksale/counts", timeout=TIMEOUT
            ).status_code
            == 200
        )


def test_same_seed_same_data():
    first, second, other = (TracksaleEmulator(seed=s, scale=80) for s in (7, 7, 8))
    assert first.answers(**WHOLE, **EVERYTHING) == second.answers(**WHOLE, **EVERYTHING)
    assert first.dispatches(**WHOLE) == second.dispatches(**WHOLE)
    assert first.answers(**WHOLE) != other.answers(**WHOLE)


def test_cli_announces_tracksale():
    with serving("--scale", "50") as served:
        settings = served.settings("api_token=")
        assert settings["api_token"] == API_TOKEN
        response = requests.get(
            f"{settings['api_url']}/campaign",
            headers={"Authorization": f"bearer {API_TOKEN}"},
            timeout=TIMEOUT,
        )
        assert response.status_code == 200
        counts = served.line_with("tracksale  data")
        assert "answers=" in counts
        assert "campaigns=" in counts
        assert not any("reserved" in line and "tracksale" in line for line in served.lines)
