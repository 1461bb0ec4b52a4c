"""Survey links read under `customers` (the seed) or `customers_links` (a public client)."""

from __future__ import annotations

import pytest
from connector_kit.errors import ConnectorError
from target_tracksale.client import Reply, can_impact_flag
from target_tracksale.deliveries import Delivery, Status
from target_tracksale.responses import survey_link_outcomes

from tests.tracksale_target.helpers import campaign_code, customers, target_config
from tests.tracksale_target.target_runner import record, schema

STREAM = "invites"


def invites(people: list[dict]) -> list[dict]:
    return [schema(STREAM), *(record(STREAM, p) for p in people)]


@pytest.mark.parametrize("sandbox", [{"quirks": {"tracksale-customers-links"}}], indirect=True)
def test_links_listed_under_customers_links_are_written_out(sandbox, tmp_path, run):
    code = campaign_code(sandbox)
    actions = {STREAM: {"action": "survey_links", "campaign_code": code}}
    people = customers(3, prefix="cl")
    result = run(target_config(sandbox, tmp_path, actions), invites(people)).check()
    assert [row["email"] for row in result.survey_links] == [p["email"] for p in people]
    assert all(
        row["survey_link"].startswith("https://tracksale.co/s/") for row in result.survey_links
    )
    assert result.counts(STREAM)["sent"] == 3
    assert result.rejects == []


def delivery(email: str) -> Delivery:
    return Delivery({"email": email}, 101, f"email:{email}", {"name": "N", "email": email})


def test_an_answer_with_neither_list_is_an_error_naming_its_keys():
    reply = Reply({"links": [{"email": "a@x.test", "survey_link": "https://t/s/1"}], "n": 1}, 1)
    with pytest.raises(ConnectorError) as error:
        survey_link_outcomes([delivery("a@x.test")], reply, 101)
    message = str(error.value)
    assert "/campaign/101/survey-links" in message
    assert "['links', 'n']" in message
    assert "customers or customers_links" in message


@pytest.mark.parametrize("key", ["customers", "customers_links"])
def test_either_list_gives_each_customer_its_link(key):
    listed = [
        {"name": "N", "email": "b@x.test", "survey_link": "https://tracksale.co/s/B"},
        {"name": "N", "email": "a@x.test", "survey_link": "https://tracksale.co/s/A"},
    ]
    deliveries = [delivery("a@x.test"), delivery("b@x.test"), delivery("c@x.test")]
    outcomes = survey_link_outcomes(deliveries, Reply({key: listed}, 1), 101)
    assert [o.status for o in outcomes] == [Status.SENT, Status.SENT, Status.INVALID]
    assert [o.detail.get("survey_link") for o in outcomes[:2]] == [
        "https://tracksale.co/s/A",
        "https://tracksale.co/s/B",
    ]


@pytest.mark.parametrize(
    ("value", "flag"),
    [(True, True), (False, False), ("1", True), ("0", False), ("true", True), ("false", False)],
)
def test_the_can_impact_flag_is_read_from_texts_too(value, flag):
    assert can_impact_flag({"can_impact": value}, "/campaign/1/can-impact") is flag


@pytest.mark.parametrize("body", [{}, {"can_impact": "maybe"}, [True]])
def test_a_can_impact_answer_without_a_flag_is_an_error(body):
    with pytest.raises(ConnectorError, match="/campaign/1/can-impact"):
        can_impact_flag(body, "/campaign/1/can-impact")
