"""Customers as the write endpoints receive them, and the keys they are matched on.

Customers are matched on one contact at a time: e-mails case-insensitively, phones on their
digits only, identifications exactly. A key is prefixed with its kind (`e:`, `p:`, `i:`), so
that keys of different kinds never collide in one index.
"""

from __future__ import annotations

import re
from typing import NamedTuple

CONTACT_KINDS = ("email", "phone", "identification")
_NOT_DIGITS = re.compile(r"\D+")


class Customer(NamedTuple):
    """A surveyed customer's contact fields; any may be missing (None)."""

    name: str | None
    email: str | None
    phone: str | None
    identification: str | None


def email_key(value: str | None) -> str | None:
    """The key of an e-mail, or None unless it contains an `@`."""
    if not value or "@" not in value:
        return None
    return "e:" + value.strip().lower()


def phone_key(value: str | None) -> str | None:
    """The key of a phone: its digits (or its text, when it has none); None when empty."""
    text = value.strip() if value else ""
    if not text:
        return None
    return "p:" + (_NOT_DIGITS.sub("", text) or text)


def identification_key(value: str | None) -> str | None:
    text = value.strip() if value else ""
    return "i:" + text if text else None


def contact_key(kind: str, value: str | None) -> str | None:
    """The key of one contact field by its kind: email, phone or identification."""
    if kind == "email":
        return email_key(value)
    if kind == "phone":
        return phone_key(value)
    return identification_key(value)


def main_channel_key(uses_phone: bool, customer: Customer) -> str | None:
    """The key of the contact a campaign surveys through; None when it is missing or invalid."""
    return phone_key(customer.phone) if uses_phone else email_key(customer.email)


def contact_keys(customer: Customer) -> list[str]:
    """Every key a customer can be found by."""
    keys = (
        email_key(customer.email),
        phone_key(customer.phone),
        identification_key(customer.identification),
    )
    return [key for key in keys if key is not None]
