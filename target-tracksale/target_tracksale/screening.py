"""Which records of a batch to send: not those the ledger shows delivered, nor repeats.

A record is skipped as already sent when the ledger holds it (sent, or reported duplicated),
or when it repeats a record of this run whose batch is not settled yet. A record an earlier
request claimed and left unsettled is sent again where Tracksale detects repeats, and reported
ambiguous where it does not. A record another live run is sending goes on: its claim waits.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from target_tracksale import ledger as ledger_status
from target_tracksale.actions import Action
from target_tracksale.deliveries import Delivery, Outcome, Status
from target_tracksale.ledger import Ledger

ALREADY_SENT_REASONS = {
    ledger_status.SENT: "the ledger shows it delivered",
    ledger_status.DUPLICATED: "the ledger shows Tracksale reported it duplicated (surveyed)",
}

Key = tuple[str, int, str]
"""(action, campaign, identity): one record, as the ledger names it."""


class Screening:
    """Screens batches against the ledger and the records of batches not yet settled."""

    def __init__(self, ledger: Ledger, *, run_id: str, dry_run: bool) -> None:
        self.ledger = ledger
        self.run_id = run_id
        self.dry_run = dry_run
        self._sending: set[Key] = set()
        """Records in batches not yet settled: a repeat of one is not sent again."""
        self._dry_run_seen: set[Key] = set()

    def screen(
        self, action: Action, deliveries: Sequence[Delivery]
    ) -> tuple[list[Delivery], list[Outcome]]:
        """The deliveries to send, and what became of the others."""
        by_campaign: dict[int, list[Delivery]] = {}
        for delivery in deliveries:
            by_campaign.setdefault(delivery.campaign_code, []).append(delivery)
        to_send: list[Delivery] = []
        skipped: list[Outcome] = []
        for campaign_code, group in by_campaign.items():
            known = self.ledger.statuses(action.name, campaign_code, [d.identity for d in group])
            seen: set[str] = set()
            for delivery in group:
                outcome = self._screen_one(action, delivery, known.get(delivery.identity), seen)
                if outcome is None:
                    to_send.append(delivery)
                else:
                    skipped.append(outcome)
                seen.add(delivery.identity)
        return to_send, skipped

    def hold(self, keys: Iterable[Key]) -> None:
        """These records are being sent: their repeats are skipped until `release`."""
        self._sending.update(keys)

    def release(self, keys: Iterable[Key]) -> None:
        """Their batch is settled: the ledger now answers for them."""
        self._sending.difference_update(keys)

    def _screen_one(
        self,
        action: Action,
        delivery: Delivery,
        known: tuple[str, str] | None,
        seen: set[str],
    ) -> Outcome | None:
        key = (action.name, delivery.campaign_code, delivery.identity)
        if (
            delivery.identity in seen
            or key in self._sending
            or (self.dry_run and key in self._dry_run_seen)
        ):
            return Outcome(delivery, Status.ALREADY_SENT, "repeats an earlier record of this run")
        if self.dry_run:
            self._dry_run_seen.add(key)
        if known is None:
            return None
        status, run_id = known
        if status in ALREADY_SENT_REASONS:
            return Outcome(delivery, Status.ALREADY_SENT, ALREADY_SENT_REASONS[status])
        if status == ledger_status.IN_FLIGHT:
            return None  # another run is sending it: the claim waits for its answer
        if run_id != self.run_id and action.resend_is_safe:
            delivery.unsettled_earlier = True
            return None
        return self.unsettled(action, delivery, run_id)

    def unsettled(self, action: Action, delivery: Delivery, run_id: str) -> Outcome:
        """A record whose earlier request's fate is unknown, and that is not sent again."""
        if run_id == self.run_id:
            reason = "repeats an earlier record of this run, whose delivery is not settled"
            return Outcome(delivery, Status.AMBIGUOUS, reason)
        reason = (
            f"an earlier run ({run_id}) sent it and stopped before Tracksale's answer was "
            f"recorded, and Tracksale does not detect repeated {action.name}: check in "
            "Tracksale whether it arrived; if not, delete its row from the ledger's `claims` "
            "table to send it again"
        )
        return Outcome(delivery, Status.AMBIGUOUS, reason)
