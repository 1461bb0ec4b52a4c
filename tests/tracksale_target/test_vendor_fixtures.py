"""The vendor's and public clients' write answers, replayed through the target's parsing.

The files are in tests/fixtures/vendor/tracksale/, each beside a `.source` note.
"""

from __future__ import annotations

import json
from pathlib import Path

from target_tracksale.campaigns import parse_campaigns
from target_tracksale.client import Reply
from target_tracksale.deliveries import Delivery, Status
from target_tracksale.responses import dispatch_outcomes, survey_link_outcomes

FIXTURES = Path(__file__).parents[1] / "fixtures" / "vendor" / "tracksale"


def reply(name: str) -> Reply:
    return Reply(json.loads((FIXTURES / name).read_text(encoding="utf-8")), 1)


def delivery(name: str, email: str | None) -> Delivery:
    customer = {"name": name, **({"email": email} if email else {})}
    return Delivery(customer, 101, f"email:{email}", customer)


def test_survey_links_under_customers_as_the_vendor_page_shows():
    (outcome,) = survey_link_outcomes(
        [delivery("Customer Name", "customer@example.test")],
        reply("survey_links_customers.json"),
        101,
    )
    assert outcome.status is Status.SENT
    assert outcome.detail == {"survey_link": "https://tracksale.co/s/Survey_hash"}


def test_survey_links_under_customers_links_as_a_public_client_reads_them():
    sent, missing = survey_link_outcomes(
        [delivery("Customer Name", "customer@example.test"), delivery("B", "b@example.test")],
        reply("survey_links_customers_links.json"),
        101,
    )
    assert sent.status is Status.SENT
    assert sent.detail["survey_link"] == "https://tracksale.co/s/Survey_hash"
    assert missing.status is Status.INVALID


def test_a_dispatch_answer_with_the_customers_not_inserted():
    deliveries = [
        delivery("customer name", "email@email.com"),
        delivery("other customer", None),
        delivery("third", "third@example.test"),
    ]
    duplicated, invalid, sent = dispatch_outcomes(
        deliveries, reply("dispatch_answer_not_inserted.json")
    )
    assert duplicated.status is Status.DUPLICATED
    assert invalid.status is Status.INVALID
    assert invalid.reason == "Invalid or empty main channel"
    assert sent.status is Status.SENT
    assert sent.lot_code == "Dispatch_code"


def test_one_campaign_in_an_array_or_as_an_object():
    for name, code in (("campaign_one_array.json", 7), ("campaign_one_object.json", 101)):
        body = json.loads((FIXTURES / name).read_text(encoding="utf-8"))
        assert list(parse_campaigns(body)) == [code]
    assert parse_campaigns(reply("campaign_one_object.json").body)[101].channel_field == "email"
