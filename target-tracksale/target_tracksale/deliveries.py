"""What travels through the target: a record (a delivery), its request, what became of it."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Any


class Status(str, Enum):
    """What became of one record; each is a column of the run summary."""

    SENT = "sent"
    """Tracksale accepted it (inserted, added to a lot, or answered with a link)."""
    DUPLICATED = "duplicated"
    """Tracksale reported it duplicated: already in the open lot or already surveyed."""
    INVALID = "invalid"
    """Tracksale refused it (invalid customer, answer not inserted, no answer to note)."""
    ALREADY_SENT = "already_sent"
    """The ledger shows an earlier request delivered it; not sent again."""
    REJECTED = "rejected"
    """The target refused it before sending: it failed validation or the 90-day rule."""
    AMBIGUOUS = "ambiguous"
    """Tracksale's answer did not say which records it refused; kept unsettled in the ledger."""
    WOULD_SEND = "would_send"
    """Dry run: it passed every check and would have been sent."""


REJECTED_STATUSES = frozenset(
    {Status.DUPLICATED, Status.INVALID, Status.REJECTED, Status.AMBIGUOUS}
)
"""Statuses whose records go to the rejects file."""


@dataclass(slots=True)
class Delivery:
    """One validated record on its way to Tracksale.

    `payload` is exactly what goes into the request (a customer, an answer, a note);
    `identity` is the ledger's name for it within its action and campaign.
    """

    record: dict[str, Any]
    campaign_code: int
    identity: str
    payload: dict[str, Any]
    schedule_time: int | None = None
    finish_time: int | None = None
    """When the survey closes (a dispatch's `finish_time`, sent at the top level)."""
    unsettled_earlier: bool = False
    """An earlier request listed it and stopped before Tracksale's answer was recorded."""


@dataclass(slots=True)
class Outcome:
    """What one request did with one delivery."""

    delivery: Delivery
    status: Status
    reason: str = ""
    lot_code: str | None = None
    detail: dict[str, Any] = field(default_factory=dict)
    """What Tracksale gave back for it, e.g. `answer_id` or `survey_link`."""


@dataclass
class Request:
    """The records of one API call, all for one campaign (and, for dispatches, one time)."""

    campaign_code: int
    deliveries: list[Delivery]
    schedule_time: int | None = None
    into_lot: bool = False
    """A dispatch without a time: the customers join the campaign's open lot."""
    finish_time: int | None = None
    """A dispatch's `finish_time`: when the survey closes."""
    ledger_id: str = ""
    """The ledger's id of the request: its records' claims carry it."""
