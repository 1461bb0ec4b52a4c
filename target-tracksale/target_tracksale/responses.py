"""What Tracksale's answer to a write says about each record of the request.

A dispatch answer counts the customers inserted, duplicated and invalid, and (with
`getNotInserted=1`) lists the ones not inserted; an answers insert lists the answers it
inserted with their ids; a survey-links answer lists each customer with its link, under
`customers` (the seed) or `customers_links` (read there by public client code). Records are
matched to listed customers by `matching`; a record whose fate the answer does not settle is
`ambiguous`, never assumed sent or assumed refused. A survey-links answer with neither list
stops the run, naming the keys it had: its records stay unsettled in the ledger, to be sent
again by the next run.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from connector_kit.errors import ConnectorError
from connector_kit.records import to_int

from target_tracksale.client import Reply
from target_tracksale.deliveries import Delivery, Outcome, Status
from target_tracksale.matching import Match, match_listed

DUPLICATED_REASON = (
    "duplicated: already in the campaign's open lot, already surveyed by this campaign, "
    "or repeated in the request"
)
DELIVERED_EARLIER = (
    "Tracksale reports it duplicated, and an earlier attempt or run sent it without its "
    "answer being recorded: that attempt delivered it"
)
KEPT_PENDING = (
    "; the ledger keeps it unsettled, so the next run sends it again and Tracksale's "
    "duplicate check settles it"
)


def _body(reply: Reply) -> dict[str, Any]:
    return reply.body if isinstance(reply.body, dict) else {}


def _status_counts(reply: Reply, endpoint: str) -> dict[str, Any]:
    """The answer's `status` counts; an error naming its keys when it has none.

    Every write answer the seed shows counts its customers under `status`. One without them
    is not understood: the run stops, and its records stay unsettled in the ledger.
    """
    body = reply.body
    status = body.get("status") if isinstance(body, dict) else None
    if isinstance(status, dict):
        return status
    seen = f"keys {sorted(body)}" if isinstance(body, dict) else f"a {type(body).__name__}"
    msg = (
        f"Tracksale answered POST {endpoint} with {seen}, and no `status` object counting "
        "the customers inserted; the records of this request are not counted as sent (the "
        "ledger keeps them for the next run)."
    )
    raise ConnectorError(msg)


def _listed(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _ambiguous(
    deliveries: Sequence[Delivery], match: Match, what: str, outcomes: dict[int, Outcome]
) -> None:
    for ambiguity in match.ambiguous:
        reason = ambiguity.describe(what) + KEPT_PENDING
        for position in ambiguity.positions:
            outcomes[position] = Outcome(deliveries[position], Status.AMBIGUOUS, reason)


def dispatch_outcomes(
    deliveries: Sequence[Delivery], reply: Reply, campaign_code: int | str = "{code}"
) -> list[Outcome]:
    """Each customer of a dispatch request: sent (with its lot), duplicated, invalid, ..."""
    counts = _status_counts(reply, f"/campaign/{campaign_code}/dispatch")
    body = _body(reply)
    lot_code = body.get("dispatch_code")
    lot = str(lot_code) if lot_code not in (None, "") else None
    duplicated = _listed(body.get("duplicated_customers"))
    invalid = _listed(body.get("invalid_customers"))
    dup_match = match_listed(deliveries, duplicated)
    inv_match = match_listed(deliveries, invalid, skip=dup_match.settled())
    outcomes: dict[int, Outcome] = {}
    retried = reply.attempts > 1
    for position, entry in dup_match.paired.items():
        delivery = deliveries[position]
        if delivery.unsettled_earlier or retried:
            outcomes[position] = Outcome(delivery, Status.ALREADY_SENT, DELIVERED_EARLIER)
        else:
            reason = str(entry.get("reason") or DUPLICATED_REASON)
            outcomes[position] = Outcome(delivery, Status.DUPLICATED, reason)
    for position, entry in inv_match.paired.items():
        reason = str(entry.get("reason") or "invalid")
        outcomes[position] = Outcome(deliveries[position], Status.INVALID, reason)
    _ambiguous(deliveries, dup_match, "duplicated", outcomes)
    _ambiguous(deliveries, inv_match, "invalid", outcomes)
    remaining = [position for position in range(len(deliveries)) if position not in outcomes]
    unexplained = (
        max(0, (to_int(counts.get("duplicated")) or 0) - len(duplicated))
        + max(0, (to_int(counts.get("invalid")) or 0) - len(invalid))
        + len(dup_match.unknown)
        + len(inv_match.unknown)
    )
    inserted = to_int(counts.get("inserted"))
    if unexplained and inserted != len(remaining):
        reason = (
            f"Tracksale reported {unexplained} customer(s) of this request not inserted "
            "without naming them, so it is not known whether this one was" + KEPT_PENDING
        )
        for position in remaining:
            outcomes[position] = Outcome(deliveries[position], Status.AMBIGUOUS, reason)
    else:
        for position in remaining:
            outcomes[position] = Outcome(deliveries[position], Status.SENT, lot_code=lot)
    return [outcomes[position] for position in range(len(deliveries))]


def answers_outcomes(deliveries: Sequence[Delivery], reply: Reply) -> list[Outcome]:
    """Each answer of an insert: sent (with its answer_id), invalid, or ambiguous."""
    counts = _status_counts(reply, "/answer")
    body = _body(reply)
    invalid_count = to_int(counts.get("invalid")) or 0
    listed = body.get("answers")
    if not isinstance(listed, list):
        if invalid_count == 0:
            return [Outcome(delivery, Status.SENT) for delivery in deliveries]
        status = Status.INVALID if invalid_count >= len(deliveries) else Status.AMBIGUOUS
        reason = f"Tracksale counted {invalid_count} answer(s) of this request invalid"
        if status is Status.AMBIGUOUS:
            reason += " without naming them" + KEPT_PENDING
        return [Outcome(delivery, status, reason) for delivery in deliveries]
    match = match_listed(deliveries, listed)
    outcomes: dict[int, Outcome] = {}
    for position, entry in match.paired.items():
        detail = {"answer_id": entry["answer_id"]} if "answer_id" in entry else {}
        outcomes[position] = Outcome(deliveries[position], Status.SENT, detail=detail)
    _ambiguous(deliveries, match, "inserted", outcomes)
    for position in range(len(deliveries)):
        if position in outcomes:
            continue
        if match.unknown:
            reason = (
                f"Tracksale listed {len(match.unknown)} inserted answer(s) that match no record "
                "of the request, so it is not known whether this one was inserted" + KEPT_PENDING
            )
            outcomes[position] = Outcome(deliveries[position], Status.AMBIGUOUS, reason)
        else:
            reason = "Tracksale did not insert this answer (it counted it invalid)"
            outcomes[position] = Outcome(deliveries[position], Status.INVALID, reason)
    return [outcomes[position] for position in range(len(deliveries))]


SURVEY_LINK_LISTS = ("customers", "customers_links")
"""Where a survey-links answer lists the customers with their links."""


def linked_customers(body: Any, campaign_code: int) -> list[Any]:
    """The customers a survey-links answer lists; an error naming its keys when it has none."""
    if isinstance(body, dict):
        for key in SURVEY_LINK_LISTS:
            customers = body.get(key)
            if isinstance(customers, list):
                return customers
    seen = f"keys {sorted(body)}" if isinstance(body, dict) else f"a {type(body).__name__}"
    msg = (
        f"Tracksale answered POST /campaign/{campaign_code}/survey-links with {seen}, and no "
        f"list of customers under {' or '.join(SURVEY_LINK_LISTS)}; the records of this "
        "request are not counted as sent (the ledger keeps them for the next run)."
    )
    raise ConnectorError(msg)


def survey_link_outcomes(
    deliveries: Sequence[Delivery], reply: Reply, campaign_code: int
) -> list[Outcome]:
    """Each customer of a survey-links request: sent with its link, or invalid."""
    listed = [
        entry
        for entry in linked_customers(reply.body, campaign_code)
        if isinstance(entry, dict) and entry.get("survey_link")
    ]
    match = match_listed(deliveries, listed)
    outcomes: dict[int, Outcome] = {}
    for position, entry in match.paired.items():
        detail = {"survey_link": str(entry["survey_link"])}
        outcomes[position] = Outcome(deliveries[position], Status.SENT, detail=detail)
    _ambiguous(deliveries, match, "given a link", outcomes)
    for position in range(len(deliveries)):
        if position not in outcomes:
            reason = "Tracksale returned no survey link for this customer"
            outcomes[position] = Outcome(deliveries[position], Status.INVALID, reason)
    return [outcomes[position] for position in range(len(deliveries))]
