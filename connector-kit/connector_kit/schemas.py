"""Schema pieces every tap of this project declares the same way."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from singer_sdk import typing as th

from connector_kit.records import EXTRA_FIELDS

EXTRA = th.Property(
    EXTRA_FIELDS,
    # An object with no `properties` key: with `flattening_enabled` the SDK then writes it as
    # one JSON text column, where an empty `properties` would scatter its keys into columns
    # the flattened schema does not declare.
    th.CustomType({"type": ["object", "null"], "additionalProperties": True}),
    description="Fields the API sent that this schema does not declare, and raw values "
    "that did not fit their declared type. Empty when the API matches the contract.",
)
"""`_extra_fields`, where `RecordConformer` keeps what does not fit the schema."""


def with_null_items(schema: Mapping[str, Any]) -> dict[str, Any]:
    """`schema` with null allowed for every array item and map value, at every depth.

    APIs send `[null]` and `{"pt-br": null}`; a null is kept as it came rather than make the
    record invalid. Top-level fields keep the nullability they declare.
    """
    copied = dict(schema)
    if isinstance(copied.get("properties"), Mapping):
        copied["properties"] = {
            name: with_null_items(prop) for name, prop in copied["properties"].items()
        }
    for key in ("items", "additionalProperties"):
        if isinstance(copied.get(key), Mapping):
            copied[key] = _nullable(with_null_items(copied[key]))
    return copied


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    types = schema.get("type")
    if isinstance(types, str) and types != "null":
        schema["type"] = [types, "null"]
    elif isinstance(types, list) and "null" not in types:
        schema["type"] = [*types, "null"]
    return schema
