"""Tolerant record handling: whatever envelope the API uses, whatever it does to types.

APIs return records as a bare array or under `data`, `items`, `results` or `records`; give
numbers as strings; give timestamps without a zone or as Unix seconds; add fields nobody
announced. None of this
may crash a sync or lose data: values are coerced to the declared schema, values that cannot
be coerced and fields the schema does not know are kept under `_extra_fields` and reported.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import math
import re
from collections.abc import Callable, Mapping
from typing import Any, Union

from connector_kit.errors import ConnectorError

ENVELOPE_KEYS = ("data", "items", "results", "records")
logger = logging.getLogger("connector_kit.records")
EXTRA_FIELDS = "_extra_fields"
_INVALID = object()


def extract_records(payload: Any, *, where: str = "response") -> list[dict[str, Any]]:
    """The list of records in a response, whichever envelope holds it.

    Taken as the records, in this order: a bare array; the list under `data`, `items`,
    `results` or `records`; the one list-valued field of an object that has exactly one
    (logged at DEBUG, since the key is not one the contract names). An object whose `total`
    is 0 and that holds no list means no records. Anything else is an error naming `where`
    and the keys seen: an answer the connector does not understand is never read as empty.
    """
    if isinstance(payload, list):
        return payload
    if isinstance(payload, dict):
        for key in ENVELOPE_KEYS:
            value = payload.get(key)
            if isinstance(value, list):
                return value
        lists = [key for key, value in payload.items() if isinstance(value, list)]
        if len(lists) == 1:
            logger.debug("%s: taking the records from its one list, %r", where, lists[0])
            records: list[dict[str, Any]] = payload[lists[0]]
            return records
        if not lists and to_int(payload.get("total")) == 0:
            return []
    keys = sorted(payload) if isinstance(payload, dict) else type(payload).__name__
    msg = (
        f"The {where} holds no list of records the connector knows (looked for a bare array, "
        f"for {', '.join(ENVELOPE_KEYS)}, and for one list-valued field); it has: {keys}. "
        "Nothing was read from it and no bookmark moved past it."
    )
    raise ConnectorError(msg)


def to_int(value: Any) -> int | None:
    """An integer from an int, an integral float or a numeric string; None if it is not one."""
    if type(value) is int:
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        text = value.strip()
        try:
            return int(text)
        except ValueError:
            try:
                number = float(text)
            except ValueError:
                return None
            return int(number) if number.is_integer() else None
    return None


def total_of(payload: Any) -> int | None:
    """The response's `total` record count, if it announces one."""
    if isinstance(payload, dict) and "total" in payload:
        return to_int(payload["total"])
    return None


def normalize_timestamp(value: str) -> str | None:
    """ISO 8601 in UTC with a `Z`; a time without a zone is taken as UTC. None if unparseable."""
    if len(value) == 20 and value[10] == "T" and value[19] == "Z":
        return value
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        moment = dt.datetime.fromisoformat(text)
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=dt.timezone.utc)
        return utc_text(moment.astimezone(dt.timezone.utc))
    except (ValueError, OverflowError):  # not a time, or one UTC cannot hold (year 10000)
        return None


def utc_text(moment: dt.datetime) -> str:
    """`moment` (in UTC) as `YYYY-MM-DDTHH:MM:SS[.ffffff]Z`, the year always of four digits."""
    stamp = moment.replace(tzinfo=None).isoformat(timespec="seconds")
    if moment.microsecond:
        stamp += f".{moment.microsecond:06d}".rstrip("0")
    return stamp + "Z"


def _coerce_integer(value: Any) -> Any:
    result = to_int(value) if not isinstance(value, bool) else None
    return _INVALID if result is None else result


_GROUPED_THOUSANDS = re.compile(r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?")
"""`1,234,567.89`: the only commas a number's text may hold (`1,5` is no number here)."""


def _coerce_number(value: Any) -> Any:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return _INVALID if isinstance(value, float) and not math.isfinite(value) else value
    if isinstance(value, str):
        text = value.strip()
        if "," in text and _GROUPED_THOUSANDS.fullmatch(text):
            text = text.replace(",", "")
        try:
            number = float(text)
        except ValueError:
            return _INVALID
        if not math.isfinite(number):  # "nan", "inf": no JSON number holds them
            return _INVALID
        if "." in text or "e" in text.lower():
            return number
        return int(text)
    return _INVALID


def to_bool(value: Any) -> bool | None:
    """A flag from a bool, 1/0, or a text like "1", "true", "yes", "0", "false", "no".

    None when it is none of these (a caller decides whether that is an error).
    """
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in {"true", "1", "yes"}:
        return True
    if text in {"false", "0", "no"}:
        return False
    return None


def _coerce_boolean(value: Any) -> Any:
    result = to_bool(value)
    return _INVALID if result is None else result


_EPOCH_ORDINAL = dt.date(1970, 1, 1).toordinal()
_SECONDS_PER_DAY = 86_400
_BEFORE_YEAR_10000 = (dt.date(9999, 12, 31).toordinal() + 1 - _EPOCH_ORDINAL) * _SECONDS_PER_DAY


@functools.lru_cache(maxsize=4096)
def _day_text(day: int) -> str:
    """`YYYY-MM-DD` of the day `day` days after 1970-01-01."""
    return dt.date.fromordinal(_EPOCH_ORDINAL + day).isoformat()


def _whole_seconds_text(seconds: int) -> str:
    """`unix_to_timestamp` of whole seconds from 1970 to 9999: the day's text is cached."""
    day, second = divmod(seconds, _SECONDS_PER_DAY)
    hour, second = divmod(second, 3600)
    minute, second = divmod(second, 60)
    return f"{_day_text(day)}T{hour:02d}:{minute:02d}:{second:02d}Z"


def unix_to_timestamp(seconds: float) -> str:
    """ISO 8601 in UTC with a `Z` for a Unix time in seconds."""
    if type(seconds) is int and 0 <= seconds < _BEFORE_YEAR_10000:
        return _whole_seconds_text(seconds)  # the APIs' own form
    return utc_text(dt.datetime.fromtimestamp(seconds, tz=dt.timezone.utc))


def _coerce_timestamp(value: Any) -> Any:
    if isinstance(value, str):
        text = value.strip()
        if text.isdigit():
            return unix_to_timestamp(int(text))
        result = normalize_timestamp(text)
        return _INVALID if result is None else result
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        try:
            return unix_to_timestamp(value)
        except (OverflowError, OSError, ValueError):
            return _INVALID
    return _INVALID


def _coerce_string(value: Any) -> Any:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    return value if isinstance(value, str) else _INVALID


def _is_date_text(value: Any) -> bool:
    """Whether `value` is already a date as emitted: `2026-01-31`."""
    if type(value) is not str or len(value) != 10 or value[4] != "-":
        return False
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        return False
    return True


def _coerce_date(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip()).isoformat()
        except ValueError:
            return _INVALID
    return _INVALID


_COERCERS: dict[str, Callable[[Any], Any]] = {
    "integer": _coerce_integer,
    "number": _coerce_number,
    "boolean": _coerce_boolean,
    "date-time": _coerce_timestamp,
    "date": _coerce_date,
    "string": _coerce_string,
}


def _kinds_of(schema: Mapping[str, Any]) -> tuple[str, ...]:
    """The scalar kinds a property's schema declares, in its order (`null` left out)."""
    types = schema.get("type", [])
    types = [types] if isinstance(types, str) else list(types)
    kinds = []
    for name in types:
        if name in {"integer", "number", "boolean"}:
            kinds.append(name)
        elif name == "string":
            fmt = schema.get("format")
            kinds.append(fmt if fmt in {"date-time", "date"} else "string")
    return tuple(kinds)


def _kind_of(schema: Mapping[str, Any]) -> str | None:
    """The one scalar kind a property declares; None for none, or for a union of several."""
    kinds = _kinds_of(schema)
    return kinds[0] if len(kinds) == 1 else None


_TYPES: dict[str, frozenset[type]] = {
    "integer": frozenset({int}),
    "number": frozenset({int, float}),
    "boolean": frozenset({bool}),
    "string": frozenset({str}),
    "date-time": frozenset(),
    "date": frozenset(),
}
"""The Python types a JSON value of each kind already has (dates and times checked apart)."""
_CHECKED_APART = frozenset({"date-time", "date"})

Spec = Union[str, "NestedSpec", "KindChoice"]
"""A scalar kind (`integer`, `number`, `boolean`, `string`, `date-time`, `date`), a union of kinds
or a nested spec."""
KeepRaw = Callable[[str, Any], None]
"""Where a value that does not fit goes: its path (`review[0].answer`) and its raw form."""


def _is_utc_text(value: Any) -> bool:
    """Whether `value` is already a date-time as emitted: `2026-01-01T00:00:00Z`."""
    return type(value) is str and len(value) == 20 and value[10] == "T" and value[19] == "Z"


def _fits(value: Any, kind: str, types: frozenset[type]) -> bool:
    if kind == "date-time":
        return _is_utc_text(value)
    if kind == "date":
        return _is_date_text(value)
    return type(value) in types


def _coerced(value: Any, kind: str, where: str, keep_raw: KeepRaw) -> Any:
    result = _COERCERS[kind](value)
    if result is _INVALID:
        keep_raw(where, value)
        return None
    return result


class KindChoice:
    """A union type (`["integer", "string"]`), where the vendor's documents leave a type open.

    A value goes out as the first declared kind that takes it exactly: with `integer, string`
    a code `"52"` becomes 52 and `"AB-7"` stays text; with `number, string` an answer `9`
    stays 9 and `"Great"` stays text. A value no kind takes is kept raw, like any other.
    """

    def __init__(self, kinds: tuple[str, ...]) -> None:
        self.kinds = kinds
        self.coercers = tuple(_COERCERS[kind] for kind in kinds)

    def conform(self, value: Any, path: str, keep_raw: KeepRaw, index: int = -1) -> Any:
        """`value` as the first kind that takes it; else None, its raw form kept."""
        for coerce in self.coercers:
            result = coerce(value)
            if result is not _INVALID:
                return result
        keep_raw(_at(path, index), value)
        return None


class NestedSpec:
    """How to conform a nested object's fields, or an array's items, at every depth.

    Per record it costs a type check per value present; paths are built only for a value
    that does not fit. `declared`, for an object that flattening spreads into columns: its
    declared fields, so that an undeclared one is kept under `_extra_fields` rather than become
    a column no schema declares.
    """

    def __init__(
        self,
        *,
        fields: dict[str, Spec] | None = None,
        items: Spec | None = None,
        declared: frozenset[str] | None = None,
    ) -> None:
        named = list((fields or {}).items())
        self.declared = declared
        self.is_object = fields is not None
        self.typed = tuple(
            (name, spec, _TYPES[spec])
            for name, spec in named
            if isinstance(spec, str) and spec not in _CHECKED_APART
        )
        self.checked = tuple(
            (name, spec) for name, spec in named if isinstance(spec, str) and spec in _CHECKED_APART
        )
        self.containers = tuple((name, spec) for name, spec in named if not isinstance(spec, str))
        self.items = items

    @classmethod
    def of(cls, schema: Mapping[str, Any], flattened_levels: int = 0) -> Spec | None:
        """The spec of a property's schema; None when nothing in it needs conforming.

        `flattened_levels`: how many levels of objects from here flattening spreads into
        columns (the `flattening_max_depth` left), 0 when none.
        """
        kinds = _kinds_of(schema)
        if kinds:
            return kinds[0] if len(kinds) == 1 else KindChoice(kinds)
        types = schema.get("type", [])
        types = [types] if isinstance(types, str) else list(types)
        if "object" in types and isinstance(schema.get("properties"), Mapping):
            below = max(flattened_levels - 1, 0)
            fields = {
                name: spec
                for name, prop in schema["properties"].items()
                if (spec := cls.of(prop, below)) is not None
            }
            declared = frozenset(schema["properties"]) if flattened_levels > 0 else None
            return cls(fields=fields, declared=declared) if fields or declared else None
        if "array" in types and isinstance(schema.get("items"), Mapping):
            items = cls.of(schema["items"])
            return cls(items=items) if items is not None else None
        return None

    def conform(self, value: Any, path: str, keep_raw: KeepRaw, index: int = -1) -> Any:
        """`value` conformed in place where it is a container of the declared kind.

        `index`: the value's place in the array at `path`, when it is an array's item.
        """
        if self.is_object and type(value) is dict:
            return self._conform_object(value, path, index, keep_raw)
        if self.items is not None and type(value) is list:
            return self._conform_items(value, _at(path, index), keep_raw)
        keep_raw(_at(path, index), value)
        return None

    def _conform_object(
        self, value: dict[str, Any], path: str, index: int, keep_raw: KeepRaw
    ) -> dict[str, Any]:
        get = value.get
        for name, kind, types in self.typed:
            item = get(name)
            if item is not None and type(item) not in types:
                value[name] = _coerced(item, kind, f"{_at(path, index)}.{name}", keep_raw)
        for name, kind in self.checked:
            item = get(name)
            if item is not None and not _fits(item, kind, _TYPES[kind]):
                value[name] = _coerced(item, kind, f"{_at(path, index)}.{name}", keep_raw)
        for name, spec in self.containers:
            item = get(name)
            if item is not None:
                value[name] = spec.conform(item, f"{_at(path, index)}.{name}", keep_raw)
        declared = self.declared
        if declared is not None and not declared.issuperset(value):
            for name in [name for name in value if name not in declared]:
                keep_raw(f"{_at(path, index)}.{name}", value.pop(name))
        return value

    def _conform_items(self, value: list[Any], path: str, keep_raw: KeepRaw) -> list[Any]:
        items = self.items
        if isinstance(items, (NestedSpec, KindChoice)):
            for index, item in enumerate(value):
                if item is not None:
                    value[index] = items.conform(item, path, keep_raw, index)
        elif items is not None:
            types = _TYPES[items]
            for index, item in enumerate(value):
                if item is not None and not _fits(item, items, types):
                    value[index] = _coerced(item, items, f"{path}[{index}]", keep_raw)
        return value


def _at(path: str, index: int) -> str:
    """The path of an array's item (`review[0]`), or `path` itself for a value not in one."""
    return path if index < 0 else f"{path}[{index}]"


class RecordConformer:
    """Coerces a record's values to the stream's schema, at every depth, keeping what does not fit.

    Built once per stream from its JSON schema; cheap per record: values already of the right
    type pass with one type check. A value that cannot be coerced becomes null and its raw form
    goes to `_extra_fields` (under its path, `review[0].answer`, when nested); so does every
    top-level field the schema does not declare. Each such field is logged once per run.
    Nested objects and arrays are conformed the same way, field by field and item by item.
    With flattening on, an undeclared field of an object flattening spreads into columns is
    kept under `_extra_fields` too (`campaign.source`), so no column goes out undeclared.
    """

    def __init__(
        self,
        schema: Mapping[str, Any],
        *,
        stream: str,
        logger: logging.Logger,
        flattened_levels: int = 0,
    ) -> None:
        """`flattened_levels`: `flattening_max_depth` when flattening is on, else 0."""
        properties: Mapping[str, Any] = schema.get("properties", {})
        self.stream = stream
        self.logger = logger
        self.known = frozenset(properties)
        self.keeps_extras = EXTRA_FIELDS in properties
        fields: dict[str, list[str]] = {kind: [] for kind in _COERCERS}
        for name, prop in properties.items():
            kind = _kind_of(prop)
            if kind is not None:
                fields[kind].append(name)
        self.integers = tuple(fields["integer"])
        self.numbers = tuple(fields["number"])
        self.booleans = tuple(fields["boolean"])
        self.timestamps = tuple(fields["date-time"])
        self.dates = tuple(fields["date"])
        self.strings = tuple(fields["string"])
        self.nested = tuple(
            (name, spec)
            for name, prop in properties.items()
            if name != EXTRA_FIELDS
            and isinstance(spec := NestedSpec.of(prop, flattened_levels), (NestedSpec, KindChoice))
        )
        self.reported: set[str] = set()
        self.coerced_values = 0
        self.invalid_values = 0

    def __call__(self, record: dict[str, Any]) -> dict[str, Any]:  # noqa: C901, PLR0912 - inline checks, for speed
        get = record.get
        for name in self.integers:
            value = get(name)
            if value is not None and type(value) is not int:
                self._coerce(record, name, value, "integer")
        for name in self.strings:
            value = get(name)
            if value is not None and type(value) is not str:
                if type(value) is int:  # ids sent as numbers: the common case, done inline
                    record[name] = str(value)
                    self.coerced_values += 1
                else:
                    self._coerce(record, name, value, "string")
        for name in self.timestamps:
            value = get(name)
            if value is not None and not (
                type(value) is str and len(value) == 20 and value[10] == "T" and value[19] == "Z"
            ):
                if type(value) is int and 0 <= value < _BEFORE_YEAR_10000:  # Unix seconds
                    record[name] = _whole_seconds_text(value)
                    self.coerced_values += 1
                else:
                    self._coerce(record, name, value, "date-time")
        for name in self.numbers:
            value = get(name)
            if value is not None and type(value) is not float and type(value) is not int:
                self._coerce(record, name, value, "number")
        for name in self.booleans:
            value = get(name)
            if value is not None and type(value) is not bool:
                self._coerce(record, name, value, "boolean")
        for name in self.dates:
            value = get(name)
            if value is not None and not _is_date_text(value):
                self._coerce(record, name, value, "date")
        if self.nested:
            keep_raw = self._keeper(record)
            for name, spec in self.nested:
                value = get(name)
                if value is not None:
                    record[name] = spec.conform(value, name, keep_raw)
        if not self.known.issuperset(record):
            for name in record.keys() - self.known:
                self._keep_extra(record, name, record.pop(name), "a field the schema lacks")
        return record

    def _coerce(self, record: dict[str, Any], name: str, value: Any, kind: str) -> None:
        result = _COERCERS[kind](value)
        if result is _INVALID:
            self.invalid_values += 1
            self._keep_extra(record, name, value, "a value that does not fit its type")
            result = None
        else:
            self.coerced_values += 1
        record[name] = result

    def _keeper(self, record: dict[str, Any]) -> KeepRaw:
        """Where a nested value that does not fit goes: the record's `_extra_fields`."""

        def keep_raw(path: str, value: Any) -> None:
            self.invalid_values += 1
            self._keep_extra(record, path, value, "a value that does not fit the schema")

        return keep_raw

    def _keep_extra(self, record: dict[str, Any], name: str, value: Any, why: str) -> None:
        if not self.keeps_extras:
            if name not in self.reported:
                self.reported.add(name)
                self.logger.warning("%s: dropped %s, %r", self.stream, why, name)
            return
        extras = record.get(EXTRA_FIELDS)
        if not isinstance(extras, dict):
            extras = record[EXTRA_FIELDS] = {}
        extras[name] = value
        if name not in self.reported:
            self.reported.add(name)
            self.logger.warning("%s: kept %s under %s: %r", self.stream, why, EXTRA_FIELDS, name)
