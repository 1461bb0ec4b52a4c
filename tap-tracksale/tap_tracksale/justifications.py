"""Answer justifications, emitted in one shape whatever form the answer report used.

`/report/answer` gives justifications by default in the `level` form: each reason group is
`{"name": ..., "children": [...]}`, and each name is either an i18n JSON text such as
`{"pt-br":"Atendimento"}` or plain text (public client code shows both). The tap emits each
justification as `{"name", "name_i18n", "children"}`: `name` the text (the i18n map's first
entry, as public clients read it), `name_i18n` the whole map (null for a plain name), and
`children` a list of `{"name", "name_i18n"}`. A bare text (the `array` form) is a
justification without children.
"""

from __future__ import annotations

import functools
from typing import Any

import msgspec

Justification = dict[str, Any]


@functools.lru_cache(maxsize=4096)
def _read_name(text: str) -> tuple[str, tuple[tuple[str, str], ...] | None]:
    """The text of a name and its (language, text) pairs; names repeat, so this is cached."""
    stripped = text.strip()
    if stripped.startswith("{"):
        try:
            names = msgspec.json.decode(stripped)
        except msgspec.DecodeError:
            names = None
        if (
            isinstance(names, dict)
            and names
            and all(isinstance(value, str) for value in names.values())
        ):
            return next(iter(names.values())), tuple(names.items())
    return text, None


def named(text: str) -> dict[str, Any]:
    """`{"name", "name_i18n"}` for a name that may be an i18n JSON text."""
    name, pairs = _read_name(text)
    return {"name": name, "name_i18n": None if pairs is None else dict(pairs)}


def read_justifications(value: Any) -> list[Justification] | None:
    """The justifications in the tap's shape; None when `value` is not a form it knows."""
    if value is None:
        return []
    if type(value) is not list:
        return None
    shaped: list[Justification] = []
    for entry in value:
        if type(entry) is str:
            shaped.append({**named(entry), "children": []})
            continue
        if type(entry) is not dict:
            return None
        name, children = entry.get("name"), entry.get("children")
        if type(name) is not str or (children is not None and type(children) is not list):
            return None
        kids = []
        for child in children or ():
            if type(child) is not str:
                return None
            kids.append(named(child))
        shaped.append({**named(name), "children": kids})
    return shaped
