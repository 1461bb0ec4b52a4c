"""Schema pieces every tap of this project declares the same way."""

from __future__ import annotations

from singer_sdk import typing as th

from connector_kit.records import EXTRA_FIELDS

EXTRA = th.Property(
    EXTRA_FIELDS,
    th.ObjectType(additional_properties=True),
    description="Fields the API sent that this schema does not declare, and raw values "
    "that did not fit their declared type. Empty when the API matches the contract.",
)
"""`_extra_fields`, where `RecordConformer` keeps what does not fit the schema."""
