"""The Tracksale sandbox's answer shapes, as the seed and public client code show them.

`GET /campaign/{code}` answers an array holding the campaign; survey links come under
`customers` (or `customers_links` under a quirk); a dispatch's past `schedule_time` is
`400 {"error": "Invalid Time"}` and `finish_time` travels at the top level; the answer report's
justifications come in the level form, names as i18n JSON texts or plain text.
"""

from __future__ import annotations

import json
import time

import pytest
import requests
from api_sandbox import Sandbox
from api_sandbox.tracksale import API_TOKEN

TIMEOUT = 10
WHOLE = {"start": "2025-11-01", "end": "2026-10-31"}


def call(sandbox: Sandbox, method: str, path: str, body: object = None, **params: object):
    return requests.request(
        method,
        f"{sandbox.tracksale_url}/{path}",
        params=params,
        json=body,
        headers={"Authorization": f"bearer {API_TOKEN}"},
        timeout=TIMEOUT,
    )


@pytest.fixture(scope="module")
def sandbox():
    with Sandbox(scale=20) as running:
        yield running


@pytest.fixture
def fresh():
    with Sandbox(scale=10) as running:
        yield running


def customer(n: int) -> dict[str, object]:
    return {"name": f"Customer {n}", "email": f"customer{n}@example.test"}


def test_one_campaign_comes_as_an_array_holding_it(sandbox):
    campaigns = call(sandbox, "get", "campaign", **WHOLE).json()
    served = call(sandbox, "get", "campaign/102", **WHOLE).json()
    assert served == [campaigns[1]]


def test_one_campaign_as_an_object_under_its_quirk():
    with Sandbox(scale=10, quirks={"tracksale-campaign-object"}) as running:
        campaigns = call(running, "get", "campaign", **WHOLE).json()
        assert call(running, "get", "campaign/101", **WHOLE).json() == campaigns[0]


def test_survey_links_under_customers_as_the_seed_shows(sandbox):
    answer = call(sandbox, "post", "campaign/101/survey-links", {"customers": [customer(1)]})
    assert answer.status_code == 200
    (linked,) = answer.json()["customers"]
    assert linked["email"] == "customer1@example.test"
    assert linked["survey_link"].startswith("https://tracksale.co/s/")
    assert set(answer.json()) == {"customers"}


def test_survey_links_under_customers_links_under_its_quirk():
    with Sandbox(scale=10, quirks={"tracksale-customers-links"}) as running:
        body = {"customers": [customer(1), customer(2)]}
        answer = call(running, "post", "campaign/101/survey-links", body).json()
        assert set(answer) == {"customers_links"}
        assert [c["email"] for c in answer["customers_links"]] == [
            "customer1@example.test",
            "customer2@example.test",
        ]
        assert all(c["survey_link"] for c in answer["customers_links"])


def test_a_past_schedule_time_is_invalid_time(fresh):
    now = int(time.time())
    body = {"customers": [customer(1)], "schedule_time": now - 5}
    response = call(fresh, "post", "campaign/101/dispatch", body)
    assert response.status_code == 400
    assert response.json() == {"error": "Invalid Time"}
    assert fresh.tracksale.writes() == []
    assert fresh.tracksale.received() == []


def test_finish_time_beside_schedule_time_is_accepted(fresh):
    now = int(time.time())
    body = {"customers": [customer(1)], "schedule_time": now + 60, "finish_time": now + 86_400}
    answer = call(fresh, "post", "campaign/101/dispatch", body)
    assert answer.status_code == 200
    assert answer.json()["status"]["inserted"] == 1
    (write,) = fresh.tracksale.writes()
    assert write["body"]["finish_time"] == now + 86_400


@pytest.mark.parametrize("finish", [-10, 0])
def test_a_finish_time_not_after_the_send_time_is_invalid_time(fresh, finish):
    now = int(time.time())
    body = {"customers": [customer(1)], "schedule_time": now + 60, "finish_time": now + 60 + finish}
    response = call(fresh, "post", "campaign/101/dispatch", body)
    assert (response.status_code, response.json()) == (400, {"error": "Invalid Time"})


def test_justifications_in_the_level_form_with_i18n_and_plain_names(sandbox):
    answers = call(sandbox, "get", "report/answer", limit=-1, **WHOLE).json()
    groups = [group for answer in answers for group in answer["justifications"]]
    assert groups
    names = {group["name"] for group in groups}
    i18n = {name for name in names if name.startswith("{")}
    plain = names - i18n
    assert i18n
    assert plain
    for name in i18n:
        assert set(json.loads(name)) == {"pt-br"}
    for group in groups:
        assert set(group) == {"name", "children"}
        assert group["children"]
        assert all(isinstance(child, str) for child in group["children"])
        assert all(
            child.startswith("{") == group["name"].startswith("{") for child in group["children"]
        )


def test_documented_types_quirk_serves_the_types_the_page_shows():
    with (
        Sandbox(scale=40, quirks="tracksale-documented-types") as quirky,
        Sandbox(scale=40) as plain,
    ):
        for running, text in ((quirky, True), (plain, False)):
            lots = call(running, "GET", "report/dispatch", **WHOLE).json()
            codes = {type(lot["campaign"]["code"]) for lot in lots}
            flags = {c["has_answered"] for lot in lots for c in lot["customers"]}
            answers = call(
                running,
                "GET",
                "report/answer",
                limit=-1,
                review=1,
                nps_secondary=1,
                csat=1,
                **WHOLE,
            ).json()
            items = [i for a in answers for k in ("review", "nps_secondary", "csat") for i in a[k]]
            assert items
            assert lots
            if text:
                assert codes == {str}
                assert flags == {"1", "0"}
                assert {type(a["campaign_code"]) for a in answers} == {str}
                assert all("answer" in i and "score" not in i for i in items)
                assert {type(i["answer"]) for i in items} <= {int, type(None)}
            else:
                assert codes == {int}
                assert flags == {True, False}
                assert all("score" in i and "answer" not in i for i in items)
