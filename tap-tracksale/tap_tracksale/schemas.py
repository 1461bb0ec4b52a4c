"""JSON schemas of the Tracksale records (the API's v2 documentation; docs/apis.md, "Tracksale").

Every `*_time` field, which the API gives in Unix seconds (or as a time text, read in the
`timezone` setting's zone when it has none), is emitted as an ISO 8601 UTC timestamp.
"""

from __future__ import annotations

from connector_kit.schemas import EXTRA
from singer_sdk import typing as th

TAGS = th.ArrayType(
    th.ObjectType(
        th.Property("name", th.StringType),
        th.Property("value", th.StringType),
        additional_properties=True,
    )
)

NUMBER_OR_TEXT = th.CustomType({"type": ["number", "string", "null"]})
"""An answer: a score for review, secondary NPS and CSAT questions, a text for open ones.

The seed documents the lists (`review`, `nps_secondary`, `open_question`, `csat`) but not
their items, so the type is left open: a number stays a number, a text stays a text."""

QUESTION_ANSWERS = th.ArrayType(
    th.ObjectType(
        th.Property("question", th.StringType),
        th.Property("score", th.IntegerType),
        th.Property("comment", th.StringType),
        th.Property("answer", NUMBER_OR_TEXT),
        additional_properties=True,
    )
)

JUSTIFICATION_NAME = [
    th.Property("name", th.StringType, description="The name (the i18n map's first entry)"),
    th.Property(
        "name_i18n",
        th.ObjectType(additional_properties=th.StringType),
        description='The name in each language, e.g. {"pt-br": "Atendimento"}; null when plain',
    ),
]

JUSTIFICATIONS = th.ArrayType(
    th.ObjectType(
        *JUSTIFICATION_NAME,
        th.Property(
            "children",
            th.ArrayType(th.ObjectType(*JUSTIFICATION_NAME)),
            description="The reasons chosen within this group",
        ),
    )
)

LIMIT = th.ObjectType(
    th.Property("limit", th.IntegerType), th.Property("remaining", th.IntegerType)
)

CAMPAIGN = th.PropertiesList(
    th.Property("code", th.IntegerType, required=True),
    th.Property("name", th.StringType),
    th.Property("description", th.StringType),
    th.Property("main_channel", th.StringType, description="email, sms, ..."),
    th.Property("create_time", th.DateTimeType),
    th.Property("dispatches", th.IntegerType, description="Counters cover start_date..end_date"),
    th.Property("answers", th.IntegerType),
    th.Property("comments", th.IntegerType),
    th.Property("promoters", th.IntegerType),
    th.Property("passives", th.IntegerType),
    th.Property("detractors", th.IntegerType),
    th.Property(
        "questions",
        th.ArrayType(
            th.ObjectType(
                th.Property("type", th.StringType),
                th.Property("title", th.StringType),
                th.Property("question", th.StringType),
                th.Property("secondary", th.StringType),
                additional_properties=True,
            )
        ),
    ),
    th.Property(
        "dispatch_limits",
        th.ObjectType(
            th.Property("daily", LIMIT), th.Property("weekly", LIMIT), th.Property("monthly", LIMIT)
        ),
    ),
    EXTRA,
).to_dict()

DRAFT_LOT = th.PropertiesList(
    th.Property("campaign_code", th.IntegerType, required=True),
    th.Property("code", th.StringType, required=True, description="Lot code"),
    th.Property("create_time", th.DateTimeType),
    th.Property("total_dispatches", th.IntegerType),
    EXTRA,
).to_dict()

ANSWER = th.PropertiesList(
    th.Property("id", th.IntegerType, required=True),
    th.Property("time", th.DateTimeType, description="When the answer was given"),
    th.Property("update_time", th.DateTimeType, description="Last change (status, ...)"),
    th.Property("type", th.StringType, description="Channel: Email, SMS, ..."),
    th.Property("name", th.StringType),
    th.Property("email", th.StringType),
    th.Property("identification", th.StringType),
    th.Property("phone", th.StringType),
    th.Property("alternative_email", th.StringType),
    th.Property("alternative_phone", th.StringType),
    th.Property("nps_answer", th.IntegerType, description="Score, 0 to 10"),
    th.Property("last_nps_answer", th.IntegerType),
    th.Property("nps_comment", th.StringType),
    th.Property("campaign_name", th.StringType),
    th.Property("campaign_code", th.IntegerType),
    th.Property("lot_code", th.StringType),
    th.Property("deadline", th.DateTimeType),
    th.Property("elapsed_time", th.IntegerType),
    th.Property("dispatch_time", th.DateTimeType),
    th.Property("reminder_time", th.DateTimeType),
    th.Property("status", th.StringType),
    th.Property("priority", th.StringType),
    th.Property("assignee", th.StringType),
    th.Property("picture", th.StringType),
    th.Property("tags", TAGS),
    th.Property(
        "categories",
        th.ArrayType(
            th.ObjectType(
                th.Property("id", th.IntegerType),
                th.Property("name", th.StringType),
                additional_properties=True,
            )
        ),
    ),
    th.Property(
        "justifications",
        JUSTIFICATIONS,
        description="Reason groups ({name, name_i18n, children}), from the level form",
    ),
    th.Property("review", QUESTION_ANSWERS),
    th.Property("nps_secondary", QUESTION_ANSWERS),
    th.Property("open_question", QUESTION_ANSWERS),
    th.Property("csat", QUESTION_ANSWERS),
    EXTRA,
).to_dict()

DISPATCH = th.PropertiesList(
    th.Property("dispatch_code", th.StringType, required=True),
    th.Property("campaign_code", th.IntegerType, description="campaign.code, for joins"),
    th.Property(
        "campaign",
        th.ObjectType(
            th.Property("name", th.StringType),
            th.Property(
                "code",
                th.CustomType({"type": ["integer", "string", "null"]}),
                description="An integer when it is one; the seed's example quotes it as text",
            ),
        ),
    ),
    th.Property("status", th.StringType),
    th.Property("create_time", th.DateTimeType),
    th.Property(
        "customers",
        th.ArrayType(
            th.ObjectType(
                th.Property("name", th.StringType),
                th.Property("identification", th.StringType),
                th.Property("email", th.StringType),
                th.Property("phone", th.StringType),
                th.Property("dispatch_time", th.DateTimeType),
                th.Property("status", th.StringType),
                th.Property("has_answered", th.BooleanType),
                additional_properties=True,
            )
        ),
    ),
    EXTRA,
).to_dict()

PERIOD = [
    th.Property("campaign_code", th.IntegerType, required=True),
    th.Property("granularity", th.StringType, required=True, description="day, week or month"),
    th.Property("period_start", th.DateTimeType, required=True),
    th.Property("period_end", th.DateType, description="Last day of the period, inclusive"),
]

NPS = th.PropertiesList(
    *PERIOD,
    th.Property("dispatches", th.IntegerType),
    th.Property("promoters", th.IntegerType),
    th.Property("passives", th.IntegerType),
    th.Property("detractors", th.IntegerType),
    th.Property("promoters_percentage", th.NumberType),
    th.Property("passives_percentage", th.NumberType),
    th.Property("detractors_percentage", th.NumberType),
    th.Property("nps", th.NumberType),
    EXTRA,
).to_dict()

CATEGORY = th.PropertiesList(
    *PERIOD,
    th.Property("id", th.IntegerType, required=True),
    th.Property("name", th.StringType),
    th.Property("color", th.StringType),
    th.Property("total", th.IntegerType),
    th.Property("nps", th.NumberType),
    EXTRA,
).to_dict()

STATUS = th.PropertiesList(
    *PERIOD,
    th.Property("id", th.IntegerType, required=True),
    th.Property("name", th.StringType),
    th.Property("color", th.StringType),
    th.Property("total", th.IntegerType),
    EXTRA,
).to_dict()

COUNTS = th.ObjectType(
    th.Property("daily", th.IntegerType),
    th.Property("weekly", th.IntegerType),
    th.Property("monthly", th.IntegerType),
    additional_properties=True,
)

WIDGET = th.PropertiesList(
    th.Property("key", th.StringType, required=True, description="The widget key asked for"),
    th.Property("id", th.IntegerType),
    th.Property("name", th.StringType),
    th.Property("views", COUNTS),
    th.Property(
        "limits",
        th.ObjectType(
            th.Property("daily", th.IntegerType),
            th.Property("weekly", th.IntegerType),
            th.Property("monthly", th.IntegerType),
            th.Property("has_limit", th.BooleanType),
            th.Property("limit_reached", th.StringType),
            additional_properties=True,
        ),
    ),
    EXTRA,
).to_dict()
