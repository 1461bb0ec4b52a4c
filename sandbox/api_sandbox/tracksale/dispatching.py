"""The dispatch rules: who a lot takes, who is invalid or duplicated, sending and discarding.

A customer is invalid without the campaign's main channel (an e-mail with an `@`, or a
phone), and duplicated when it is already waiting in one of the campaign's open lots, was
surveyed by the campaign in any earlier dispatch, or came earlier in the same request
(matched on the main channel). A dispatch with `schedule_time` makes a new lot sent then;
without, customers join the campaign's open lot, made when there is none.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from api_sandbox.timestamps import SECONDS_PER_DAY
from api_sandbox.tracksale.campaigns import Campaign
from api_sandbox.tracksale.contacts import Customer, main_channel_key
from api_sandbox.tracksale.ledger import SurveyLedger
from api_sandbox.tracksale.lots import Lot, LotBook
from api_sandbox.tracksale.write_bodies import as_sent, customer_of, tags_of

INVALID_REASON = "Invalid or empty main channel"
IMPACT_RULE_SECONDS = 90 * SECONDS_PER_DAY


@dataclass
class DispatchOutcome:
    """What one dispatch request did: its lot, and the customers it took and turned down."""

    lot: Lot
    inserted: list[dict[str, object]] = field(default_factory=list)
    duplicated: list[dict[str, object]] = field(default_factory=list)
    invalid: list[dict[str, object]] = field(default_factory=list)


class Dispatcher:
    """Applies the dispatch rules to the lots and the ledger. Not thread-safe on its own."""

    def __init__(self, lots: LotBook, ledger: SurveyLedger) -> None:
        self.lots = lots
        self.ledger = ledger

    def dispatch(
        self,
        campaign: Campaign,
        items: Sequence[dict[str, object]],
        schedule_time: int | None,
        now: int,
    ) -> DispatchOutcome:
        """Dispatch the customers of one request (at most 500, already checked)."""
        code = campaign.code
        open_lots = self.lots.open_lots(code)
        taken: dict[str, tuple[Customer, dict[str, object]]] = {}
        duplicated, invalid = [], []
        for position, item in enumerate(items):
            where = f"customers[{position}]"
            customer = customer_of(item, where)
            tags_of(item, where)
            key = main_channel_key(campaign.uses_phone, customer)
            if key is None:
                invalid.append({**as_sent(item), "reason": INVALID_REASON})
            elif (
                key in taken
                or any(key in lot.keys for lot in open_lots)
                or self.ledger.surveyed(code, key)
            ):
                duplicated.append(as_sent(item))
            else:
                taken[key] = (customer, item)
        if schedule_time is None:
            lot = self.lots.current_open_lot(code) or self.lots.new_lot(code, now)
        else:
            lot = self.lots.new_lot(code, now, schedule_time if schedule_time > 0 else now)
        customers = [customer for customer, _ in taken.values()]
        lot.customers.extend(customers)
        lot.keys.update(taken)
        if lot.send_time is not None:
            self.ledger.record_customers(code, customers, lot.send_time)
        inserted = [item for _, item in taken.values()]
        return DispatchOutcome(lot, inserted, duplicated, invalid)

    def send(self, campaign: Campaign, lot_code: str, time: int, now: int) -> Lot | None:
        """Send an open lot at `time` (0: now); None when the campaign has no such open lot."""
        lot = self.lots.get(campaign.code, lot_code)
        if lot is None or not lot.is_open:
            return None
        self.lots.send(lot, time if time > 0 else now)
        self.ledger.record_customers(campaign.code, lot.customers, lot.send_time)
        return lot

    def discard(self, campaign: Campaign, lot_code: str) -> bool:
        lot = self.lots.get(campaign.code, lot_code)
        if lot is None or not lot.is_open:
            return False
        self.lots.discard(lot)
        return True

    def can_impact(self, campaign: Campaign, key: str, now: int) -> bool:
        """False when the campaign surveyed the customer in the last 90 days, or will.

        A dispatch scheduled for later counts from when it is made: Tracksale takes send
        times at least a minute ahead, and a customer scheduled is already being impacted.
        """
        since = now - IMPACT_RULE_SECONDS
        return not any(since <= time for time in self.ledger.send_times(campaign.code, key))
