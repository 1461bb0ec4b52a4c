"""The account's survey campaigns: codes, channels, questions and dispatch limits.

A sandbox has 4 to 6 campaigns, coded from 101. Most survey by e-mail, one by SMS and, with
5 or more, one by WhatsApp. Every campaign asks the NPS question first; some add review,
CSAT, secondary NPS and open questions, whose answers fill the matching lists of an answer.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import NamedTuple

from api_sandbox.timestamps import SECONDS_PER_DAY
from api_sandbox.tracksale.vocabulary import CHANNEL_ANSWER_TYPES

FIRST_CAMPAIGN_CODE = 101
PHONE_CHANNELS = frozenset({"sms", "whatsapp"})
QUESTION_TYPES = ("nps", "review", "nps_secondary", "open_question", "csat")


class Question(NamedTuple):
    """One question of a campaign, as `GET /campaign` lists it."""

    type: str
    title: str
    question: str
    secondary: str | None


class DispatchLimits(NamedTuple):
    """How many customers a campaign may survey per day, week and month."""

    daily: int
    weekly: int
    monthly: int


@dataclass(frozen=True)
class Campaign:
    """A survey campaign; `weight` is its share of the generated dispatches."""

    code: int
    name: str
    description: str
    main_channel: str
    create_time: int
    questions: tuple[Question, ...]
    weight: float
    dispatch_limits: DispatchLimits | None = None

    @property
    def answer_type(self) -> str:
        """The `type` of an answer collected through the campaign's own channel."""
        return CHANNEL_ANSWER_TYPES[self.main_channel]

    @property
    def uses_phone(self) -> bool:
        return self.main_channel in PHONE_CHANNELS

    def questions_of(self, kind: str) -> tuple[Question, ...]:
        return tuple(question for question in self.questions if question.type == kind)

    def as_dict(self) -> dict[str, object]:
        """The campaign's fixed fields, in the order `GET /campaign` serves them."""
        return {
            "name": self.name,
            "code": self.code,
            "description": self.description,
            "main_channel": self.main_channel,
            "create_time": self.create_time,
            "questions": [question._asdict() for question in self.questions],
        }


_NPS = Question(
    "nps",
    "NPS",
    "How likely are you to recommend us to a friend or colleague?",
    "What is the main reason for your score?",
)
_DELIVERY_REVIEW = Question("review", "Delivery", "How would you rate the delivery?", None)
_SUPPORT_CSAT = Question("csat", "Support", "How satisfied are you with our support?", None)
_APP_NPS = Question(
    "nps_secondary", "Mobile app", "How likely are you to recommend our mobile app?", None
)
_OPEN = Question("open_question", "Suggestions", "Is there anything we could do better?", None)
_CHECKOUT_REVIEW = Question("review", "Checkout", "How easy was it to pay?", None)

# name, description, main channel, extra questions, share of dispatches
_TEMPLATES = (
    (
        "Post-purchase NPS",
        "Sent the day after an order is delivered",
        "email",
        (_DELIVERY_REVIEW, _OPEN),
        0.30,
    ),
    ("Support follow-up", "Sent when a support ticket is closed", "sms", (_SUPPORT_CSAT,), 0.15),
    (
        "Onboarding survey",
        "Sent 30 days after a customer signs up",
        "email",
        (_APP_NPS, _OPEN),
        0.20,
    ),
    (
        "Relationship NPS",
        "Quarterly survey of active customers",
        "email",
        (_CHECKOUT_REVIEW, _SUPPORT_CSAT, _APP_NPS, _OPEN),
        0.15,
    ),
    ("WhatsApp service", "Sent after a WhatsApp conversation", "whatsapp", (_SUPPORT_CSAT,), 0.10),
    ("Account closing", "Sent when a customer closes an account", "email", (), 0.10),
)
_SMS_LIMITS = DispatchLimits(daily=500, weekly=2500, monthly=8000)


def build_campaigns(seed: int, data_start: int) -> tuple[Campaign, ...]:
    """The 4 to 6 campaigns of a sandbox, created before its data period starts."""
    rng = random.Random(f"tracksale:campaigns:{seed}")
    count = rng.randint(4, len(_TEMPLATES))
    campaigns = []
    for number, (name, description, channel, extra, weight) in enumerate(_TEMPLATES[:count]):
        created = data_start - rng.randint(30, 400) * SECONDS_PER_DAY - rng.randrange(86_400)
        campaigns.append(
            Campaign(
                code=FIRST_CAMPAIGN_CODE + number,
                name=name,
                description=description,
                main_channel=channel,
                create_time=created,
                questions=(_NPS, *extra),
                weight=weight,
                dispatch_limits=_SMS_LIMITS if channel == "sms" else None,
            )
        )
    return tuple(campaigns)
