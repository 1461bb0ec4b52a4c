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

from typing import Any

import msgspec

Justification = dict[str, Any]


def named(text: str) -> dict[str, Any]:
    """`{"name", "name_i18n"}` for a name that may be an i18n JSON text."""
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
            return {"name": next(iter(names.values())), "name_i18n": names}
    return {"name": text, "name_i18n": None}


def read_justifications(value: Any) -> list[Justification] | None:
    """The justifications in the tap's shape; None when `value` is not a form it knows."""
    if value is None:
        return []
    if not isinstance(value, list):
        return None
    shaped: list[Justification] = []
    for entry in value:
        if isinstance(entry, str):
            shaped.append({**named(entry), "children": []})
            continue
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
            return None
        children = entry.get("children")
        if children is None:
            children = []
        if not isinstance(children, list) or not all(isinstance(c, str) for c in children):
            return None
        shaped.append({**named(entry["name"]), "children": [named(c) for c in children]})
    return shaped
