"""The people of the generated survey history, each derived from a number and the seed.

A person's contacts can be turned back into its number: the e-mail handle ends with it, and
the phone and identification digits are an invertible affine map of it. So a customer a
client sends can be recognised as a generated person without indexing every person's contacts;
the recovered number is always checked by deriving that person again.
"""

from __future__ import annotations

from typing import NamedTuple

from api_sandbox.tracksale.vocabulary import (
    AREA_CODES,
    EMAIL_DOMAINS,
    FIRST_NAMES,
    LAST_NAMES,
    WORK_EMAIL_DOMAIN,
)

MASK64 = (1 << 64) - 1
PHONE_SPACE = 10**8
PHONE_FACTOR = 73_856_093
IDENTIFICATION_SPACE = 10**11
IDENTIFICATION_FACTOR = 19_349_663
IDENTIFIED_PERCENT = 65
ALTERNATIVE_EMAIL_PERCENT = 12
ALTERNATIVE_PHONE_PERCENT = 10
_PHONE_INVERSE = pow(PHONE_FACTOR, -1, PHONE_SPACE)
_IDENTIFICATION_INVERSE = pow(IDENTIFICATION_FACTOR, -1, IDENTIFICATION_SPACE)
_DOMAINS = frozenset(EMAIL_DOMAINS)


def mix64(value: int) -> int:
    """A well-mixed 64-bit hash of an integer (the SplitMix64 finaliser)."""
    value = (value + 0x9E3779B97F4A7C15) & MASK64
    value = ((value ^ (value >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
    value = ((value ^ (value >> 27)) * 0x94D049BB133111EB) & MASK64
    return value ^ (value >> 31)


class Person(NamedTuple):
    """A generated customer's contact fields, as answers and dispatch reports show them."""

    name: str
    email: str
    phone: str
    identification: str | None
    alternative_email: str | None
    alternative_phone: str | None


class People:
    """Derives people from their numbers, and numbers from their contacts."""

    def __init__(self, seed: int) -> None:
        self._salt = mix64(seed * 0x5851F42D4C957F2D + 0x7472_6163_6B73)
        self._phone_offset = self._salt % PHONE_SPACE
        self._identification_offset = (self._salt >> 24) % IDENTIFICATION_SPACE

    def person(self, number: int) -> Person:
        bits = mix64(self._salt ^ number)
        bits, first = divmod(bits, len(FIRST_NAMES))
        bits, last = divmod(bits, len(LAST_NAMES))
        bits, domain = divmod(bits, len(EMAIL_DOMAINS))
        bits, area = divmod(bits, len(AREA_CODES))
        bits, identified = divmod(bits, 100)
        bits, alternative_email = divmod(bits, 100)
        alternative_phone = bits % 100
        first_name, last_name = FIRST_NAMES[first], LAST_NAMES[last]
        handle = f"{first_name}.{last_name}.{number}".lower()
        area_code = AREA_CODES[area]
        line = (number * PHONE_FACTOR + self._phone_offset) % PHONE_SPACE
        return Person(
            name=f"{first_name} {last_name}",
            email=f"{handle}@{EMAIL_DOMAINS[domain]}",
            phone=f"+55{area_code}9{line:08d}",
            identification=(
                f"{self._identification_digits(number):011d}"
                if identified < IDENTIFIED_PERCENT
                else None
            ),
            alternative_email=(
                f"{handle}@{WORK_EMAIL_DOMAIN}"
                if alternative_email < ALTERNATIVE_EMAIL_PERCENT
                else None
            ),
            alternative_phone=(
                f"+55{area_code}3{line % 10**7:07d}"
                if alternative_phone < ALTERNATIVE_PHONE_PERCENT
                else None
            ),
        )

    def _identification_digits(self, number: int) -> int:
        offset = self._identification_offset
        return (number * IDENTIFICATION_FACTOR + offset) % IDENTIFICATION_SPACE

    def number_of(self, key: str) -> int | None:
        """The number of the person a contact key (see `contacts.py`) belongs to, if any."""
        kind, value = key[:2], key[2:]
        if kind == "e:":
            number = self._number_by_email(value)
        elif kind == "p:":
            number = self._number_by_phone(value)
        else:
            number = self._number_by_identification(value)
        if number is None or not self._has_key(number, key):
            return None
        return number

    def _has_key(self, number: int, key: str) -> bool:
        person = self.person(number)
        if key[0] == "e":
            return key == "e:" + person.email
        if key[0] == "p":
            return key == "p:" + person.phone[1:]
        return key == f"i:{person.identification}"

    @staticmethod
    def _number_by_email(email: str) -> int | None:
        local, _, domain = email.rpartition("@")
        digits = local.rpartition(".")[2]
        if domain not in _DOMAINS or not digits.isdigit() or len(digits) > 12:
            return None
        return int(digits)

    def _number_by_phone(self, digits: str) -> int | None:
        if len(digits) != 13 or not digits.isdigit():
            return None
        return (int(digits[-8:]) - self._phone_offset) * _PHONE_INVERSE % PHONE_SPACE

    def _number_by_identification(self, digits: str) -> int | None:
        if len(digits) != 11 or not digits.isdigit():
            return None
        offset = self._identification_offset
        return (int(digits) - offset) * _IDENTIFICATION_INVERSE % IDENTIFICATION_SPACE
