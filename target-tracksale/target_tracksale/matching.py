"""Finds which records of a request the customers Tracksale lists in its answer are.

Tracksale names the customers it did not insert (or, for answers and survey links, the ones
it did) with some of the fields they were sent with: all of them in this project's sandbox,
maybe only `name` and `email` or only `name` on the real API. Each listed customer is matched
on the strongest field it carries (identification, then e-mail, then phone, then name). When
that field names as many records as listed customers, they are paired; when it names more,
the match is ambiguous and every candidate is reported as such, never guessed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from target_tracksale.deliveries import Delivery

MATCH_FIELDS = ("identification", "email", "phone", "name")


def normalized(field_name: str, value: Any) -> str:
    """A field's value as compared: e-mail and name case-folded, phone as its digits."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    if field_name == "phone":
        return "".join(ch for ch in text if ch.isdigit())
    if field_name in {"email", "name"}:
        return text.casefold()
    return text


def strongest_field(entry: dict[str, Any]) -> tuple[str, str] | None:
    """The strongest identifying field a listed customer carries, and its compared value."""
    for name in MATCH_FIELDS:
        value = entry.get(name)
        if value not in (None, ""):
            compared = normalized(name, value)
            if compared:
                return name, compared
    return None


@dataclass
class Ambiguity:
    """Listed customers that fit more records than there are customers."""

    positions: list[int]
    field_name: str
    listed: list[dict[str, Any]]

    def describe(self, what: str) -> str:
        count, value = len(self.listed), self.listed[0].get(self.field_name)
        return (
            f"Tracksale listed {count} customer(s) with {self.field_name} {value!r} as {what}, "
            f"but {len(self.positions)} records of the request have that {self.field_name}; "
            "it is not known which of them"
        )


@dataclass
class Match:
    """Listed customers paired with the request's records (by position in the request)."""

    paired: dict[int, dict[str, Any]] = field(default_factory=dict)
    ambiguous: list[Ambiguity] = field(default_factory=list)
    unknown: list[dict[str, Any]] = field(default_factory=list)
    """Listed customers that fit no record at all."""

    def settled(self) -> set[int]:
        """Positions that are paired or part of an ambiguity."""
        positions = set(self.paired)
        for ambiguity in self.ambiguous:
            positions.update(ambiguity.positions)
        return positions


def match_listed(
    deliveries: Sequence[Delivery], listed: Sequence[Any], *, skip: set[int] | None = None
) -> Match:
    """Pair each listed customer with a delivery, by the strongest field it carries."""
    result = Match()
    free = set(range(len(deliveries))) - (skip or set())
    groups: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for entry in listed:
        key = strongest_field(entry) if isinstance(entry, dict) else None
        if key is None:
            result.unknown.append(entry if isinstance(entry, dict) else {"value": entry})
        else:
            groups.setdefault(key, []).append(entry)
    indexes: dict[str, dict[str, list[int]]] = {}
    for (name, value), entries in sorted(
        groups.items(), key=lambda item: MATCH_FIELDS.index(item[0][0])
    ):
        if name not in indexes:
            indexes[name] = _index(deliveries, name)
        candidates = [i for i in indexes[name].get(value, []) if i in free]
        if not candidates:
            result.unknown.extend(entries)
        elif len(candidates) <= len(entries):
            for position, entry in zip(candidates, entries, strict=False):
                result.paired[position] = entry
            result.unknown.extend(entries[len(candidates) :])
            free.difference_update(candidates)
        else:
            result.ambiguous.append(Ambiguity(candidates, name, entries))
            free.difference_update(candidates)
    return result


def _index(deliveries: Sequence[Delivery], name: str) -> dict[str, list[int]]:
    index: dict[str, list[int]] = {}
    for position, delivery in enumerate(deliveries):
        value = delivery.payload.get(name)
        if value is None and isinstance(delivery.payload.get("customer"), dict):
            value = delivery.payload["customer"].get(name)
        if value not in (None, ""):
            index.setdefault(normalized(name, value), []).append(position)
    return index
