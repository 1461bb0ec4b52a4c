"""Checks a record for its action and builds what Tracksale will receive, or says why not.

Records carry Tracksale's own field names (mapped with stream maps upstream): `name`, `email`,
`phone`, `identification`, `tags` (a list of `{name, value}` or an object of name to value),
and per action `score`, `justification`, `create_time`, `comment`, `answer_id`. A record's own
`campaign_code` or `schedule_time` wins over its stream's. Numbers given for text fields
(phones, identifications) are taken as text; anything else of the wrong type, a missing main
channel, or a score outside 0 to 10 raises `RecordRejectedError` with a reason for the rejects file.

The ledger identity of a customer is the campaign's main channel value: the e-mail lower-cased
and trimmed, or the phone's digits; or the identification when the stream's `ledger_key` is
`identification`.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
from collections.abc import Callable
from typing import Any

import msgspec
from connector_kit.records import to_int

from target_tracksale.campaigns import ANY, EMAIL, PHONE, Campaign
from target_tracksale.deliveries import Delivery
from target_tracksale.stream_actions import IDENTIFICATION, StreamAction

CUSTOMER_FIELDS = ("name", "email", "phone", "identification")
IDENTIFIERS = ("email", "phone", "identification")

CampaignLookup = Callable[[int], Campaign | None]


class RecordRejectedError(Exception):
    """A record the target will not send, and why."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def text(record: dict[str, Any], name: str) -> str | None:
    """A text field, trimmed; numbers become text; empty is None; other types are rejected."""
    value = record.get(name)
    if value.__class__ is str:
        return value.strip() or None
    return None if value is None else _number_text(name, value)


def _number_text(name: str, value: Any) -> str:
    if isinstance(value, int) and not isinstance(value, bool) and name != "email":
        return str(value)
    if isinstance(value, float) and value.is_integer() and name != "email":
        return str(int(value))
    if isinstance(value, str):
        return value.strip()
    raise RecordRejectedError(f"wrong type: `{name}` must be text, got {type(value).__name__}")


def phone_digits(phone: str | None) -> str:
    return "".join(ch for ch in phone or "" if ch.isdigit())


def tags_of(record: dict[str, Any]) -> list[dict[str, str]] | None:
    """`tags` as Tracksale's list of `{name, value}`; tags whose value is null are left out."""
    value = record.get("tags")
    if value is None:
        return None
    if isinstance(value, str) and value.strip()[:1] in {"[", "{"}:
        with contextlib.suppress(msgspec.DecodeError):
            value = msgspec.json.decode(value)
    if isinstance(value, dict):
        pairs: Any = value.items()
    elif isinstance(value, list) and all(isinstance(tag, dict) for tag in value):
        pairs = [(tag.get("name"), tag.get("value")) for tag in value]
    else:
        raise RecordRejectedError(
            "wrong type: `tags` must be a list of {name, value} or an object of name to value"
        )
    tags = []
    for name, tag_value in pairs:
        if name.__class__ is not str or not name:
            raise RecordRejectedError("wrong type: every tag needs a non-empty text `name`")
        if tag_value.__class__ is str:
            tags.append({"name": name, "value": tag_value})
        elif tag_value is not None:
            tags.append({"name": name, "value": _tag_text(name, tag_value)})
    return tags


def _tag_text(name: str, value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float, str)):
        return str(value)
    raise RecordRejectedError(f"wrong type: tag {name!r} must have a text or number value")


def unix_seconds(record: dict[str, Any], name: str) -> int | None:
    """A time as Unix seconds: a number, a numeric text, an ISO 8601 time or a datetime."""
    value = record.get(name)
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        moment = value
    elif isinstance(value, str) and to_int(value) is None:
        try:
            moment = dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            raise RecordRejectedError(
                f"wrong type: `{name}` must be Unix seconds or an ISO 8601 time, got {value!r}"
            ) from None
    else:
        seconds = None if isinstance(value, bool) else to_int(value)
        if seconds is None and isinstance(value, float):
            seconds = int(value)
        if seconds is None or seconds < 0:
            raise RecordRejectedError(f"wrong type: `{name}` must be Unix seconds, got {value!r}")
        return seconds
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.timezone.utc)
    return int(moment.timestamp())


def date_text(record: dict[str, Any], name: str, default: str | None) -> str | None:
    """A `YYYY-MM-DD` date from the record (a date, a datetime or ISO text), else `default`."""
    value = record.get(name)
    if value in (None, ""):
        return default
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()[:10]
    try:
        return dt.date.fromisoformat(str(value).strip()[:10]).isoformat()
    except ValueError:
        raise RecordRejectedError(f"wrong type: `{name}` must be a date like 2025-01-31") from None


def campaign_of(
    record: dict[str, Any], action: StreamAction, campaigns: CampaignLookup
) -> Campaign:
    """The record's campaign (its own `campaign_code`, else the stream's), which must exist."""
    raw = record.get("campaign_code")
    code = action.campaign_code if raw in (None, "") else _whole_number(raw, "campaign_code")
    if code is None:
        raise RecordRejectedError(
            f"no campaign_code: set `{action.setting}.campaign_code` or a `campaign_code` field"
        )
    campaign = campaigns(code)
    if campaign is None:
        raise RecordRejectedError(f"campaign {code} is not a campaign of this Tracksale account")
    return campaign


def optional_campaign_code(record: dict[str, Any], action: StreamAction) -> int | None:
    raw = record.get("campaign_code")
    return action.campaign_code if raw in (None, "") else _whole_number(raw, "campaign_code")


def _whole_number(value: Any, name: str) -> int:
    number = None if isinstance(value, bool) else to_int(value)
    if number is None:
        raise RecordRejectedError(f"wrong type: `{name}` must be a whole number, got {value!r}")
    return number


def customer_of(record: dict[str, Any]) -> dict[str, Any]:
    """The customer fields Tracksale takes, as present in the record."""
    customer: dict[str, Any] = {}
    for field in CUSTOMER_FIELDS:
        value = record.get(field)
        if value.__class__ is str:
            value = value.strip()
        elif value is not None:
            value = _number_text(field, value)
        if value:
            customer[field] = value
    tags = tags_of(record)
    if tags:
        customer["tags"] = tags
    return customer


def customer_identity(customer: dict[str, Any], campaign: Campaign, ledger_key: str) -> str:
    """The ledger's name for a customer of `campaign`; rejects one without the main channel."""
    channel = campaign.channel_field
    if channel == EMAIL and "email" not in customer:
        raise RecordRejectedError(
            f"Invalid or empty main channel: campaign {campaign.code} sends by e-mail and the "
            "record has no `email`"
        )
    if channel == PHONE and not phone_digits(customer.get("phone")):
        raise RecordRejectedError(
            f"Invalid or empty main channel: campaign {campaign.code} sends by "
            f"{campaign.main_channel or 'phone'} and the record has no `phone` with digits"
        )
    if channel == ANY and not any(field in customer for field in IDENTIFIERS):
        raise RecordRejectedError(
            "no `email`, `phone` or `identification` to reach the customer by"
        )
    if ledger_key == IDENTIFICATION:
        if "identification" not in customer:
            raise RecordRejectedError(
                "no `identification`, which names customers in the ledger (ledger_key: "
                "identification)"
            )
        return f"id:{customer['identification']}"
    if channel == PHONE or (channel == ANY and "email" not in customer and "phone" in customer):
        return f"phone:{phone_digits(customer['phone'])}"
    if "email" in customer:
        return f"email:{customer['email'].lower()}"
    return f"id:{customer['identification']}"


def fingerprint(*parts: Any) -> str:
    """A short stable hash of some values (a comment, a tag list) for ledger identities."""
    encoded = msgspec.json.encode(parts)
    return hashlib.blake2b(encoded, digest_size=8).hexdigest()


def prepare_dispatch(
    record: dict[str, Any], action: StreamAction, campaigns: CampaignLookup
) -> Delivery:
    """A customer to survey: main channel present; own schedule_time or the stream's.

    A record's `finish_time` goes to the top level of its request, beside `schedule_time`.
    """
    campaign = campaign_of(record, action, campaigns)
    customer = customer_of(record)
    identity = customer_identity(customer, campaign, action.ledger_key)
    return Delivery(
        record,
        campaign.code,
        identity,
        customer,
        unix_seconds(record, "schedule_time"),
        unix_seconds(record, "finish_time"),
    )


def prepare_survey_link(
    record: dict[str, Any], action: StreamAction, campaigns: CampaignLookup
) -> Delivery:
    """A customer to make a survey link for."""
    campaign = campaign_of(record, action, campaigns)
    customer = customer_of(record)
    identity = customer_identity(customer, campaign, action.ledger_key)
    return Delivery(record, campaign.code, identity, customer)


def prepare_answer(
    record: dict[str, Any], action: StreamAction, campaigns: CampaignLookup
) -> Delivery:
    """An answer to insert: a name, the main channel, and a whole score from 0 to 10."""
    campaign = campaign_of(record, action, campaigns)
    answer = customer_of(record)
    if "name" not in answer:
        raise RecordRejectedError("an answer needs a `name` (Tracksale requires it)")
    raw_score = record.get("score")
    score = None if isinstance(raw_score, bool) else to_int(raw_score)
    if score is None or not 0 <= score <= 10:
        raise RecordRejectedError(f"`score` must be a whole number from 0 to 10, got {raw_score!r}")
    answer["score"] = score
    justification = text(record, "justification")
    if justification is not None:
        answer["justification"] = justification
    create_time = unix_seconds(record, "create_time")
    if create_time is not None:
        answer["create_time"] = create_time
    customer = customer_identity(answer, campaign, action.ledger_key)
    identity = f"{customer}|{create_time or ''}|{score}"
    return Delivery(record, campaign.code, identity, answer)


def _answer_or_customer(record: dict[str, Any], what: str) -> tuple[dict[str, Any], str]:
    """`answer_id`, else the customer's identifying fields; and the identity they give."""
    raw = record.get("answer_id")
    if raw not in (None, ""):
        answer_id = _whole_number(raw, "answer_id")
        return {"answer_id": answer_id}, f"answer:{answer_id}"
    found: dict[str, Any] = {}
    for field in IDENTIFIERS:
        value = text(record, field)
        if value is not None:
            found[field] = value
    if not found:
        raise RecordRejectedError(
            f"{what} needs `answer_id`, or an `email`, `phone` or `identification`"
        )
    return found, "customer:" + "|".join(f"{k}={v}" for k, v in sorted(found.items()))


def prepare_note(
    record: dict[str, Any], action: StreamAction, campaigns: CampaignLookup
) -> Delivery:
    """An internal note on an answer, by `answer_id` or by a customer filter with dates."""
    comment = text(record, "comment")
    if comment is None:
        raise RecordRejectedError("a note needs a non-empty `comment`")
    target, identity = _answer_or_customer(record, "a note")
    campaign_code = optional_campaign_code(record, action)
    if "answer_id" in target:
        payload: dict[str, Any] = {"comment": comment, **target}
    else:
        start = date_text(record, "start_date", action.start_date)
        end = date_text(record, "end_date", action.end_date)
        if start is None or end is None:
            raise RecordRejectedError(
                "a note found by customer needs `start_date` and `end_date` (fields, or options "
                f"of `{action.setting}`)"
            )
        found = {**target, "start_date": start, "end_date": end}
        if campaign_code is not None:
            found["campaign_code"] = campaign_code
        payload = {"comment": comment, "filter": found}
        identity = f"{identity}|{start}|{end}"
    return Delivery(record, campaign_code or 0, f"{identity}|{fingerprint(comment)}", payload)


def prepare_tags_fill(
    record: dict[str, Any], action: StreamAction, campaigns: CampaignLookup
) -> Delivery:
    """Tags for an answer's empty tags, by `answer_id` or by campaign and customer."""
    tags = tags_of(record)
    if not tags:
        raise RecordRejectedError("filling empty tags needs a non-empty `tags`")
    target, identity = _answer_or_customer(record, "filling empty tags")
    campaign_code = optional_campaign_code(record, action)
    if "answer_id" in target:
        payload: dict[str, Any] = {**target, "tags": tags}
    else:
        payload = {"customer": target, "tags": tags}
        if campaign_code is not None:
            payload["campaign_code"] = campaign_code
    return Delivery(record, campaign_code or 0, f"{identity}|{fingerprint(tags)}", payload)
