"""Raw API values generated from a stream's schema, and the check that none was lost.

`raw_records(schema)` draws records as an API might serve them: every declared kind in the
forms the vendors use (numbers and flags as text, Unix seconds, times without a zone or with
an offset), values of no declared kind, nested objects and arrays at every depth, and fields
nobody declared. `lost_values(schema, raw, emitted)` walks a raw record beside the record
the tap emitted and names each value that is neither there, in an equal form, nor kept under
`_extra_fields` at its path.

Equality here is the meaning, judged without the connector's code: numbers by value, flags
by their words, times by the instant they name (a time without a zone is UTC).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from hypothesis import strategies as st

EXTRA_FIELDS = "_extra_fields"
TRUE_WORDS = {"true", "1", "yes"}
FALSE_WORDS = {"false", "0", "no"}
GROUPED = re.compile(r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?")
LAST_SECOND = 253_402_300_799  # 9999-12-31T23:59:59Z

_text = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12)
_moments = st.datetimes(
    min_value=dt.datetime(1, 1, 2), max_value=dt.datetime(9999, 12, 30), timezones=st.timezones()
)
_finite = st.floats(allow_nan=False, allow_infinity=False)

SCALARS: dict[str, st.SearchStrategy[Any]] = {
    "integer": st.one_of(
        st.integers(),
        st.integers().map(str),
        st.integers(-(2**52), 2**52).map(float),
        st.integers(-999, 999).map(lambda n: f" {n} "),
    ),
    "number": st.one_of(
        _finite,
        st.integers(),
        _finite.map(repr),
        st.integers(1_000, 10**9).map(lambda n: f"{n:,}.25"),
    ),
    "boolean": st.one_of(
        st.booleans(),
        st.sampled_from([0, 1]),
        st.sampled_from(sorted(TRUE_WORDS | FALSE_WORDS)).map(lambda w: w.upper()),
        st.sampled_from(sorted(TRUE_WORDS | FALSE_WORDS)),
    ),
    "date-time": st.one_of(
        _moments.map(lambda m: m.isoformat()),
        _moments.map(lambda m: m.replace(tzinfo=None).isoformat(sep=" ", timespec="seconds")),
        _moments.map(lambda m: m.date().isoformat()),
        st.integers(0, LAST_SECOND),
        st.integers(0, LAST_SECOND).map(str),
    ),
    "date": st.dates().map(lambda d: d.isoformat()),
    "string": st.one_of(_text, st.integers(), _finite),
}
"""Each kind in the forms an API may give it, all of which the kind can take."""

MISFITS: dict[str, st.SearchStrategy[Any]] = {
    "integer": st.sampled_from(["abc", "1.5", "", "nan", True, [1], {"n": 1}]),
    "number": st.sampled_from(["abc", "nan", "inf", "1,5", "", False, [2.5]]),
    "boolean": st.sampled_from(["maybe", 2, 0.5, "", [True]]),
    "date-time": st.sampled_from(["not a time", "2026-02-30T00:00:00", "", True, [0]]),
    "date": st.sampled_from(["not a date", "2026-02-30"]),
    "string": st.sampled_from([True, False, ["a"], {"a": "b"}]),
}
"""Values no declared kind takes: they must go out null and be kept under `_extra_fields`."""


def kinds_of(schema: Mapping[str, Any]) -> tuple[str, ...]:
    """The scalar kinds a schema declares, in its order."""
    types = schema.get("type", [])
    types = [types] if isinstance(types, str) else types
    kinds = []
    for name in types:
        if name in {"integer", "number", "boolean"}:
            kinds.append(name)
        elif name == "string":
            fmt = schema.get("format")
            kinds.append(fmt if fmt in {"date-time", "date"} else "string")
        elif name == "as-given":
            kinds.append(name)
    return tuple(kinds)


def _types(schema: Mapping[str, Any]) -> list[str]:
    types = schema.get("type", [])
    return [types] if isinstance(types, str) else list(types)


def raw_values(
    schema: Mapping[str, Any], *, depth: int = 0, required: bool = False
) -> st.SearchStrategy[Any]:
    """Values of one property as an API may serve them (a required one always has a value)."""
    kinds = kinds_of(schema)
    types = _types(schema)
    options = [SCALARS[kind] for kind in kinds]
    if "object" in types and depth < 4:
        options.append(_objects(schema, depth))
    if "array" in types and depth < 4 and isinstance(schema.get("items"), Mapping):
        options.append(st.lists(raw_values(schema["items"], depth=depth + 1), max_size=3))
    if required:
        return st.one_of(options)
    misfits = [MISFITS[kind] for kind in kinds[:1]]
    if not kinds:  # an object or array given as something else
        misfits.append(st.sampled_from(["text", 7]))
    return st.one_of(st.none(), *options, *misfits)


def _objects(schema: Mapping[str, Any], depth: int) -> st.SearchStrategy[dict[str, Any]]:
    properties = schema.get("properties") or {}
    extra = schema.get("additionalProperties", True)
    if not properties:
        values = raw_values(extra, depth=depth + 1) if isinstance(extra, Mapping) else _text
        return st.dictionaries(_text, values, max_size=3)
    declared = st.fixed_dictionaries(
        {},
        optional={name: raw_values(prop, depth=depth + 1) for name, prop in properties.items()},
    )
    if extra is False:
        return declared
    undeclared = st.dictionaries(
        st.text(min_size=1, max_size=8).filter(lambda k: k not in properties),
        st.one_of(st.none(), st.integers(), _text),
        max_size=2,
    )
    return st.tuples(declared, undeclared).map(lambda pair: {**pair[1], **pair[0]})


def raw_records(
    schema: Mapping[str, Any], *, not_served: frozenset[str] = frozenset()
) -> st.SearchStrategy[dict[str, Any]]:
    """Records as an API may serve them: the declared fields (those in `not_served` aside,
    which the tap makes itself), and some it never declared."""
    properties = {
        name: prop
        for name, prop in schema["properties"].items()
        if name != EXTRA_FIELDS and name not in not_served
    }
    required = set(schema.get("required", []))
    declared = st.fixed_dictionaries(
        {name: raw_values(properties[name], required=True) for name in required & set(properties)},
        optional={
            name: raw_values(prop) for name, prop in properties.items() if name not in required
        },
    )
    undeclared = st.dictionaries(
        st.text(min_size=1, max_size=10).filter(lambda k: k not in schema["properties"]),
        st.one_of(st.none(), st.integers(), _text, st.lists(st.integers(), max_size=2)),
        max_size=2,
    )
    return st.tuples(declared, undeclared).map(lambda pair: {**pair[1], **pair[0]})


def lost_values(
    schema: Mapping[str, Any], raw: Mapping[str, Any], emitted: Mapping[str, Any]
) -> list[str]:
    """Each value of `raw` that `emitted` holds neither in an equal form nor under
    `_extra_fields` at its path (`review[0].answer`); empty when nothing was lost."""
    extras = emitted.get(EXTRA_FIELDS) or {}
    properties = schema["properties"]
    problems: list[str] = []
    for name, value in raw.items():
        if name in properties:
            _walk(properties[name], value, emitted.get(name), name, extras, problems)
        elif extras.get(name) != value:
            problems.append(f"{name}: undeclared field {value!r} not kept")
    return problems


def _walk(
    schema: Mapping[str, Any],
    raw: Any,
    out: Any,
    path: str,
    extras: Mapping[str, Any],
    problems: list[str],
) -> None:
    if raw is None or out is None:
        _walk_null(raw, out, path, extras, problems)
    elif isinstance(raw, dict) and "object" in _types(schema) and isinstance(out, dict):
        for key, value in raw.items():
            _walk(_property(schema, key), value, out.get(key), f"{path}.{key}", extras, problems)
    elif isinstance(raw, list) and "array" in _types(schema) and isinstance(out, list):
        if len(out) != len(raw):
            problems.append(f"{path}: {len(raw)} items became {len(out)}")
            return
        for index, (item, result) in enumerate(zip(raw, out, strict=True)):
            _walk(schema.get("items", {}), item, result, f"{path}[{index}]", extras, problems)
    elif not any(_same(kind, raw, out) for kind in kinds_of(schema)):
        problems.append(f"{path}: {raw!r} became {out!r}")


def _walk_null(
    raw: Any, out: Any, path: str, extras: Mapping[str, Any], problems: list[str]
) -> None:
    """A null given stays null; a value emitted null is kept under `_extra_fields`."""
    if raw is None and out is not None:
        problems.append(f"{path}: null came out as {out!r}")
    elif raw is not None and (path not in extras or extras[path] != raw):
        problems.append(f"{path}: {raw!r} went out null and is not kept")


def _property(schema: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    """The schema of an object's field; for an undeclared one, a schema only its value fits."""
    properties = schema.get("properties") or {}
    if key in properties:
        return properties[key]
    extra = schema.get("additionalProperties")
    return extra if isinstance(extra, Mapping) else {"type": ["as-given"]}


def _same(kind: str, raw: Any, out: Any) -> bool:
    if isinstance(raw, (dict, list)):
        return False
    if kind == "integer":
        return type(out) is int and _decimal(raw) == out
    if kind == "number":
        if type(out) is int:
            return _decimal(raw) == out
        return type(out) is float and _decimal(raw) is not None and float(_decimal(raw)) == out
    if kind == "boolean":
        if isinstance(raw, bool):
            return out is raw
        word = str(raw).strip().lower()
        return (out is True and word in TRUE_WORDS) or (out is False and word in FALSE_WORDS)
    if kind == "date-time":
        return isinstance(out, str) and _instant(raw) is not None and _instant(raw) == _instant(out)
    if kind in {"date", "as-given"}:
        return out == raw
    return out == (raw if isinstance(raw, str) else str(raw)) and not isinstance(raw, bool)


def _decimal(raw: Any) -> Decimal | None:
    if isinstance(raw, bool):
        return None
    if isinstance(raw, float):  # its exact value: what the JSON text meant is gone already
        return Decimal(raw) if math.isfinite(raw) else None
    text = str(raw).strip()
    if GROUPED.fullmatch(text):
        text = text.replace(",", "")
    try:
        number = Decimal(text)
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def _instant(raw: Any) -> dt.datetime | None:
    if isinstance(raw, bool):
        return None
    if isinstance(raw, (int, float)) or (isinstance(raw, str) and raw.strip().isdigit()):
        return dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc) + dt.timedelta(seconds=float(raw))
    try:
        moment = dt.datetime.fromisoformat(str(raw).strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.timezone.utc)
