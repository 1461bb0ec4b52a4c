"""The pure parts: record checks, customer identities, and reading Tracksale's answers."""

from __future__ import annotations

import pytest
from connector_kit.errors import ConnectorError
from target_tracksale.campaigns import Campaign
from target_tracksale.client import Reply
from target_tracksale.deliveries import Status
from target_tracksale.responses import answers_outcomes, dispatch_outcomes
from target_tracksale.stream_actions import parse_stream_action
from target_tracksale.validation import RecordRejectedError, prepare_answer, prepare_dispatch

EMAIL = Campaign(101, "Post-purchase", "email")
SMS = Campaign(102, "Support", "sms")
CAMPAIGNS = {101: EMAIL, 102: SMS}.get


def dispatch_action(**options: object):
    action, errors = parse_stream_action(
        "s", {"action": "dispatch", "campaign_code": 101, **options}
    )
    assert not errors, errors
    return action


def test_identities_follow_the_campaigns_main_channel():
    record = {"name": "Ana", "email": " Ana@Example.COM ", "phone": "+55 (11) 91234-5678"}
    assert (
        prepare_dispatch(record, dispatch_action(), CAMPAIGNS).identity == "email:ana@example.com"
    )
    sms = prepare_dispatch({**record, "campaign_code": 102}, dispatch_action(), CAMPAIGNS)
    assert sms.identity == "phone:5511912345678"
    by_id = prepare_dispatch(
        {**record, "identification": 42}, dispatch_action(ledger_key="identification"), CAMPAIGNS
    )
    assert by_id.identity == "id:42"
    assert by_id.payload["identification"] == "42"


@pytest.mark.parametrize(
    ("record", "reason"),
    [
        ({"name": "No channel", "phone": "123"}, "Invalid or empty main channel"),
        ({"email": "a@b.c", "tags": [{"value": "x"}]}, "every tag needs a non-empty text `name`"),
        ({"email": "a@b.c", "tags": {"t": {"nested": 1}}}, "must have a text or number value"),
        ({"email": "a@b.c", "name": ["A"]}, "`name` must be text"),
        ({"email": "a@b.c", "campaign_code": "abc"}, "`campaign_code` must be a whole number"),
    ],
)
def test_records_that_cannot_be_sent_say_why(record, reason):
    with pytest.raises(RecordRejectedError) as rejected:
        prepare_dispatch(record, dispatch_action(), CAMPAIGNS)
    assert reason in rejected.value.reason


def test_tags_as_an_object_or_a_list_become_tracksales_list():
    record = {"email": "a@b.c", "tags": {"country": "BR", "vip": True, "affId": 7, "gone": None}}
    tags = prepare_dispatch(record, dispatch_action(), CAMPAIGNS).payload["tags"]
    assert tags == [
        {"name": "country", "value": "BR"},
        {"name": "vip", "value": "true"},
        {"name": "affId", "value": "7"},
    ]
    listed = {"email": "a@b.c", "tags": '[{"name": "n", "value": 1.5}]'}
    assert prepare_dispatch(listed, dispatch_action(), CAMPAIGNS).payload["tags"] == [
        {"name": "n", "value": "1.5"}
    ]


def test_scores_must_be_whole_numbers_from_0_to_10():
    action, _ = parse_stream_action("a", {"action": "answers", "campaign_code": 101})
    base = {"name": "Ana", "email": "a@b.c"}
    assert prepare_answer({**base, "score": "10"}, action, CAMPAIGNS).payload["score"] == 10
    for score in (11, -1, 7.5, "seven", None, True):
        with pytest.raises(RecordRejectedError):
            prepare_answer({**base, "score": score}, action, CAMPAIGNS)


def deliveries(*records: dict):
    return [prepare_dispatch(r, dispatch_action(), CAMPAIGNS) for r in records]


def test_customers_named_as_in_the_seed_are_matched_back():
    """The seed's own example: duplicates with name and e-mail, invalid ones with name only."""
    sent = deliveries(
        {"name": "Ana", "email": "ana@x.test"},
        {"name": "Bruno", "email": "bruno@x.test"},
        {"name": "Carla", "email": "carla-at-x.test"},
    )
    body = {
        "dispatch_code": "LOT1",
        "status": {"duplicated": 1, "invalid": 1, "inserted": 1},
        "duplicated_customers": [{"name": "Ana", "email": "ANA@x.test"}],
        "invalid_customers": [{"name": "Carla", "reason": "Invalid or empty main channel"}],
    }
    outcomes = dispatch_outcomes(sent, Reply(body, attempts=1))
    assert [o.status for o in outcomes] == [Status.DUPLICATED, Status.SENT, Status.INVALID]
    assert outcomes[1].lot_code == "LOT1"
    assert outcomes[2].reason == "Invalid or empty main channel"


def test_a_name_shared_by_several_records_is_ambiguous_not_guessed():
    sent = deliveries(
        {"name": "Ana", "email": "ana1@x.test"},
        {"name": "Ana", "email": "ana2@x.test"},
        {"name": "Bia", "email": "bia@x.test"},
    )
    body = {
        "status": {"duplicated": 1, "invalid": 0, "inserted": 2},
        "duplicated_customers": [{"name": "Ana"}],
    }
    outcomes = dispatch_outcomes(sent, Reply(body, attempts=1))
    assert [o.status for o in outcomes] == [Status.AMBIGUOUS, Status.AMBIGUOUS, Status.SENT]
    assert "it is not known which of them" in outcomes[0].reason


def test_counts_without_lists_leave_every_record_unsettled():
    sent = deliveries({"email": "a@x.test"}, {"email": "b@x.test"})
    body = {"status": {"duplicated": 1, "invalid": 0, "inserted": 1}}
    outcomes = dispatch_outcomes(sent, Reply(body, attempts=1))
    assert {o.status for o in outcomes} == {Status.AMBIGUOUS}
    all_in = dispatch_outcomes(sent, Reply({"status": {"inserted": 2}}, attempts=1))
    assert {o.status for o in all_in} == {Status.SENT}


def test_a_duplicate_after_a_retry_was_delivered_by_the_earlier_attempt():
    sent = deliveries({"email": "a@x.test"})
    body = {"status": {"duplicated": 1}, "duplicated_customers": [{"email": "a@x.test"}]}
    assert dispatch_outcomes(sent, Reply(body, attempts=2))[0].status is Status.ALREADY_SENT


def test_answers_not_listed_as_inserted_are_invalid():
    action, _ = parse_stream_action("a", {"action": "answers", "campaign_code": 101})
    sent = [
        prepare_answer({"name": n, "email": f"{n}@x.test", "score": 9}, action, CAMPAIGNS)
        for n in ("ana", "bia")
    ]
    body = {
        "status": {"invalid": 1, "inserted": 1},
        "answers": [{"answer_id": 7, "email": "bia@x.test"}],
    }
    first, second = answers_outcomes(sent, Reply(body, attempts=1))
    assert first.status is Status.INVALID
    assert (second.status, second.detail) == (Status.SENT, {"answer_id": 7})


@pytest.mark.parametrize(
    "body", [{"msg": "Dispatch executed!"}, {"status": "ok"}, [], "Dispatch executed!"]
)
def test_a_write_answer_without_status_counts_stops_the_run(body):
    sent = deliveries({"email": "a@x.test"})
    with pytest.raises(ConnectorError, match=r"POST /campaign/101/dispatch with .*no `status`"):
        dispatch_outcomes(sent, Reply(body, attempts=1), 101)
    with pytest.raises(ConnectorError, match=r"POST /answer with .*no `status`"):
        answers_outcomes(sent, Reply(body, attempts=1))
