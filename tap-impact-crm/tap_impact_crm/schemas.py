"""JSON schemas of the Impact CRM report records (docs/apis.md, "Impact CRM")."""

from __future__ import annotations

from connector_kit.schemas import EXTRA
from singer_sdk import typing as th

UTM_DETAILS = th.ObjectType(
    th.Property("utmSource", th.StringType),
    th.Property("utmMedium", th.StringType),
    th.Property("utmCampaign", th.StringType),
    th.Property("utmTerm", th.StringType),
    th.Property("utmContent", th.StringType),
    additional_properties=True,
)

CATEGORIZED_TAGS = th.ArrayType(
    th.ObjectType(
        th.Property("category", th.StringType),
        th.Property("tags", th.ArrayType(th.StringType)),
        additional_properties=True,
    )
)

PERSON = [
    th.Property("firstName", th.StringType),
    th.Property("lastName", th.StringType),
    th.Property("email", th.StringType),
    th.Property("phone", th.StringType),
    th.Property("country", th.StringType, description="ISO 3166 alpha-2"),
    th.Property("language", th.StringType),
]

AFFILIATE = [
    th.Property("affId", th.StringType, description="Affiliate id"),
    th.Property("campaignId", th.StringType),
    th.Property("utmDetails", UTM_DETAILS),
    th.Property("tags", CATEGORIZED_TAGS, description="Tags grouped by category"),
]

LEAD = th.PropertiesList(
    th.Property("leadId", th.IntegerType, required=True),
    *PERSON,
    th.Property("status", th.StringType),
    *AFFILIATE,
    th.Property("registrationDate", th.DateTimeType),
    th.Property("lastModifiedDate", th.DateTimeType),
    EXTRA,
).to_dict()

TRADING_ACCOUNT = th.ObjectType(
    th.Property("login", th.IntegerType),
    th.Property("server", th.StringType, description="Platform server, e.g. mt4"),
    th.Property("type", th.StringType, description="live or demo"),
)

REGISTRATION = th.PropertiesList(
    th.Property("userId", th.IntegerType, required=True),
    th.Property("leadId", th.IntegerType),
    *PERSON,
    *AFFILIATE,
    th.Property("registrationDate", th.DateTimeType),
    th.Property("lastModifiedDate", th.DateTimeType),
    th.Property("ftdDate", th.DateTimeType, description="First deposit time, if any"),
    th.Property(
        "userAdditionalId",
        th.StringType,
        description="Live trading accounts as sent, e.g. '(12345, mt4, live),(67890, mt5, live)'",
    ),
    th.Property(
        "tradingAccounts",
        th.ArrayType(TRADING_ACCOUNT),
        description="userAdditionalId parsed into {login, server, type}",
    ),
    EXTRA,
).to_dict()

TRANSACTION = th.PropertiesList(
    th.Property("transactionId", th.IntegerType, required=True),
    th.Property("userId", th.IntegerType),
    th.Property("transactionDate", th.DateTimeType),
    th.Property("type", th.StringType, description="deposit, withdrawal, credit, ..."),
    th.Property("method", th.StringType),
    th.Property("amount", th.NumberType),
    th.Property("currency", th.StringType),
    th.Property("amountUsd", th.NumberType),
    th.Property("productId", th.StringType, description="Trade-related id, or 'N/A'"),
    th.Property("isFake", th.BooleanType, description="IB family only"),
    th.Property("affId", th.StringType),
    EXTRA,
).to_dict()

SERVER = th.PropertiesList(
    th.Property("platform", th.StringType, required=True, description="mt4, mt5, ..."),
    th.Property("serverTag", th.StringType, required=True),
    EXTRA,
).to_dict()

POSITION = th.PropertiesList(
    th.Property("positionId", th.IntegerType, required=True),
    th.Property("serverTag", th.StringType, required=True),
    th.Property("login", th.IntegerType),
    th.Property("userId", th.IntegerType),
    th.Property("symbol", th.StringType),
    th.Property("side", th.StringType),
    th.Property("volume", th.NumberType),
    th.Property("openPrice", th.NumberType),
    th.Property("closePrice", th.NumberType),
    th.Property("openDate", th.DateTimeType),
    th.Property("closeDate", th.DateTimeType),
    th.Property("profit", th.NumberType),
    th.Property("commission", th.NumberType),
    th.Property("swap", th.NumberType),
    EXTRA,
).to_dict()
