"""The JSON bodies of the write endpoints: decoding them, and what makes one malformed.

A body is malformed (400) when it is not the JSON object an endpoint takes, a list has more
than 500 entries, or a field has the wrong type. Contact fields may be null or missing;
phones and identifications may also come as numbers. Whether a well-formed customer is
usable (its main channel, a score in range) is each endpoint's rule, not a body error.
"""

from __future__ import annotations

from collections.abc import Mapping

import msgspec

from api_sandbox.tracksale.contacts import CONTACT_KINDS, Customer, contact_key

MAX_ENTRIES = 500
CUSTOMER_FIELDS = ("name", "email", "phone", "identification")
_NUMBER_TEXT_FIELDS = frozenset({"phone", "identification"})


class BodyError(ValueError):
    """A malformed body; the message says what is wrong."""


def decode_object(body: bytes) -> dict[str, object]:
    try:
        payload = msgspec.json.decode(body) if body.strip() else None
    except msgspec.DecodeError:
        raise BodyError("the body must be JSON") from None
    if not isinstance(payload, dict):
        raise BodyError("the body must be a JSON object")
    return payload


def entries(payload: Mapping[str, object], key: str) -> list[dict[str, object]]:
    """The list of objects under `key`, at most 500 of them."""
    value = payload.get(key)
    if not isinstance(value, list):
        raise BodyError(f"{key} must be a list")
    if len(value) > MAX_ENTRIES:
        raise BodyError(f"at most {MAX_ENTRIES} {key} per request")
    for position, item in enumerate(value):
        if not isinstance(item, dict):
            raise BodyError(f"{key}[{position}] must be an object")
    return value


def customer_of(item: Mapping[str, object], where: str) -> Customer:
    """The contact fields of a customer (or answer) object."""
    get = item.get
    name, email, phone, identification = (
        get("name"),
        get("email"),
        get("phone"),
        get("identification"),
    )
    if (
        (name is None or type(name) is str)
        and (email is None or type(email) is str)
        and (phone is None or type(phone) is str)
        and (identification is None or type(identification) is str)
    ):
        return Customer(name, email, phone, identification)  # the usual case, made fast
    return Customer(*(text_field(item, field, where) for field in CUSTOMER_FIELDS))


def text_field(item: Mapping[str, object], field: str, where: str) -> str | None:
    value = item.get(field)
    if value is None or isinstance(value, str):
        return value
    if field in _NUMBER_TEXT_FIELDS and isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    raise BodyError(f"{where}.{field} must be a string")


def tags_of(item: Mapping[str, object], where: str) -> list[dict[str, object]]:
    """A `tags` list of {name, value}; empty when missing."""
    tags = item.get("tags")
    if tags is None:
        return []
    if not isinstance(tags, list):
        raise BodyError(f"{where}.tags must be a list")
    for position, tag in enumerate(tags):
        if not isinstance(tag, dict) or not isinstance(tag.get("name"), str):
            raise BodyError(f'{where}.tags[{position}] must be {{"name": "...", "value": "..."}}')
        if isinstance(tag.get("value"), (dict, list)):
            raise BodyError(f"{where}.tags[{position}].value must be a string")
    return tags


def integer_field(item: Mapping[str, object], field: str, where: str = "body") -> int | None:
    value = item.get(field)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise BodyError(f"{where}.{field} must be an integer")
    return value


def campaign_code_of(item: Mapping[str, object], field: str = "campaign_code") -> int | None:
    """A campaign code sent as a number or as a string of digits; None when missing."""
    value = item.get(field)
    if value is None or value == "":
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    raise BodyError(f"{field} must be a campaign code")


def contact_of(item: Mapping[str, object], where: str) -> str:
    """The key of the first contact given: email, phone or identification."""
    for kind in CONTACT_KINDS:
        key = contact_key(kind, text_field(item, kind, where))
        if key is not None:
            return key
    raise BodyError(f"{where} needs an email, phone or identification")


def as_sent(item: Mapping[str, object]) -> dict[str, object]:
    """A customer's contact fields exactly as sent, for the lists of customers not inserted."""
    return {field: item[field] for field in CUSTOMER_FIELDS if field in item}
