"""JSON schemas of the Trackfinity report records (CONTRACT.md, section 3).

The vendor documents no record fields at all; these are the contract's. Whatever else an
install sends is kept under `_extra_fields`, never dropped.
"""

from __future__ import annotations

from connector_kit.schemas import EXTRA
from singer_sdk import typing as th

PROFIT_LOSS = th.PropertiesList(
    th.Property("date", th.DateType, required=True, description="The day, YYYY-MM-DD"),
    th.Property("affiliate_id", th.IntegerType, required=True),
    th.Property("affiliate_name", th.StringType),
    th.Property("offer_id", th.IntegerType, required=True),
    th.Property("offer_name", th.StringType),
    th.Property("clicks", th.IntegerType),
    th.Property("conversions", th.IntegerType),
    th.Property("revenue", th.NumberType, description="What the offer earned that day"),
    th.Property("payout", th.NumberType, description="What the affiliate is paid for it"),
    th.Property("profit", th.NumberType, description="revenue - payout"),
    th.Property("currency", th.StringType),
    EXTRA,
).to_dict()

PAYOUT_PREVIEW = th.PropertiesList(
    th.Property(
        "snapshot_time",
        th.DateTimeType,
        required=True,
        description="When the tap took this preview (UTC); the same for every row of one run",
    ),
    th.Property("affiliate_id", th.IntegerType, required=True),
    th.Property("affiliate_name", th.StringType),
    th.Property("payvia_type_id", th.IntegerType, required=True, description="Payout method"),
    th.Property("rule_type", th.StringType, description="enabled or disabled"),
    th.Property("amount", th.NumberType, description="Payout due"),
    th.Property("currency", th.StringType),
    th.Property("transaction_count", th.IntegerType),
    th.Property("period_start", th.DateType),
    th.Property("period_end", th.DateType),
    EXTRA,
).to_dict()
