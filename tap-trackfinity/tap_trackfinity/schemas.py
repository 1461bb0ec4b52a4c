"""JSON schemas of the Trackfinity records.

Profit/loss stats and transaction fields are named as the vendor's samples name them (see
docs/apis.md). Whatever else an install sends is kept under `_extra_fields`, never dropped.
"""

from __future__ import annotations

from connector_kit.schemas import EXTRA
from singer_sdk import typing as th

PROFIT_LOSS_STATS = (
    "page_view", "unique_visitor", "conversion", "conversion_amount", "advertiser_initial",
    "advertiser_initial_amount", "phone_call", "phone_call_amount", "phone_conversion",
    "phone_conversion_amount", "affiliate_referral_join", "continuity", "continuity_amount",
    "advertiser_income_amount", "void", "void_amount", "chargeback", "chargeback_amount",
    "void_reversal", "void_reversal_amount", "chargeback_reversal", "chargeback_reversal_amount",
    "affiliate_payout", "referral_join", "referral_payout", "affiliate_manager_payout",
    "partner_payout", "tier_adjustment_payout", "correction_payout",
)  # fmt: skip
"""The stats of the Offerit sample output, in its order; counts, or amounts (believed cents)."""

PROFIT_LOSS = th.PropertiesList(
    th.Property("date", th.DateType, required=True, description="The day asked for, YYYY-MM-DD"),
    th.Property("view", th.StringType, required=True, description="The report's breakdown"),
    th.Property(
        "break",
        th.StringType,
        required=True,
        description="The row's breakdown value as served: an id (login, offer, ...) or, for "
        "the period, month and year views, a Unix time",
    ),
    th.Property(
        "break_time",
        th.DateTimeType,
        description="For the period, month and year views: `break` as a UTC time",
    ),
    *(th.Property(name, th.NumberType) for name in PROFIT_LOSS_STATS),
    EXTRA,
).to_dict()

PAYOUT = th.ObjectType(
    th.Property("id", th.StringType),
    th.Property("type", th.StringType, description="affiliate, referral, ..."),
    th.Property("username", th.StringType),
    th.Property("loginid", th.IntegerType),
    th.Property("amount", th.NumberType),
    additional_properties=True,
)

TRANSACTION = th.PropertiesList(
    th.Property("id", th.StringType, required=True, description="Transaction id (20 digits)"),
    th.Property("time", th.DateTimeType, required=True, description="When it happened (UTC)"),
    th.Property("loginid", th.IntegerType, description="The affiliate's login id"),
    th.Property("amount", th.NumberType),
    th.Property("trans_type", th.StringType),
    th.Property("transaction_hash", th.StringType, description="The click hash"),
    th.Property("orderid", th.StringType),
    th.Property("external_clickid", th.StringType),
    th.Property("offerid", th.IntegerType),
    th.Property("landing_pageid", th.IntegerType),
    th.Property("total_payout", th.NumberType),
    th.Property("payouts", th.ArrayType(PAYOUT)),
    EXTRA,
).to_dict()

PAYOUT_PREVIEW = th.PropertiesList(
    th.Property(
        "snapshot_time",
        th.DateTimeType,
        required=True,
        description="When the tap took this preview (UTC); the same for every row of one run",
    ),
    th.Property(
        "lookup",
        th.StringType,
        required=True,
        description="The query sent, e.g. transaction_hash=...&amount=50.25",
    ),
    th.Property("transaction_hash", th.StringType, required=True, description="The click hash"),
    th.Property("amount", th.NumberType, description="Conversion amount sent (null: not sent)"),
    th.Property("transaction_type", th.StringType, description="Type sent (null: not sent)"),
    th.Property("payout", th.NumberType, description="The answer, when it is a number"),
    th.Property(
        "answer",
        th.ObjectType(additional_properties=True),
        description="The answer as served, when it is an object (else {'value': ...})",
    ),
    EXTRA,
).to_dict()
