"""Dispatch lots: the batches a campaign surveys customers in, and the book that holds them.

A lot is open (a draft) until it is sent or discarded. Sending stamps its send time, which
may lie in the future: until then the lot is `scheduled`, afterwards `sent`. Generated lots
hold a range of generated recipients; lots filled through the API hold the customers sent.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from api_sandbox.tracksale.contacts import Customer
from api_sandbox.tracksale.people import mix64

LOT_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
LOT_CODE_LENGTH = 10


@dataclass(eq=False)
class Lot:
    """One dispatch lot of a campaign."""

    code: str
    campaign_code: int
    create_time: int
    send_time: int | None = None
    discarded: bool = False
    recipients: range = range(0)
    customers: list[Customer] = field(default_factory=list)
    keys: set[str] = field(default_factory=set)

    @property
    def is_open(self) -> bool:
        return self.send_time is None and not self.discarded

    @property
    def is_dispatched(self) -> bool:
        """Sent or scheduled: its customers count as surveyed by the campaign."""
        return self.send_time is not None and not self.discarded

    @property
    def size(self) -> int:
        return len(self.recipients) + len(self.customers)

    def status(self, now: int) -> str:
        """`sent` once its send time has passed, `scheduled` before."""
        return "sent" if self.send_time is not None and self.send_time <= now else "scheduled"


def lot_code(seed: int, number: int) -> str:
    """The code of the `number`th lot of a sandbox, e.g. `K7QW2MZ9XA`."""
    bits = mix64(mix64(seed) ^ number)
    letters = []
    for _ in range(LOT_CODE_LENGTH):
        bits, position = divmod(bits, len(LOT_CODE_ALPHABET))
        letters.append(LOT_CODE_ALPHABET[position])
    return "".join(letters)


class LotBook:
    """Every lot of a sandbox, by code and by campaign. Not thread-safe on its own."""

    def __init__(self, seed: int) -> None:
        self._seed = seed
        self.lots: list[Lot] = []
        self._by_code: dict[str, Lot] = {}
        self._open: dict[int, list[Lot]] = {}

    def new_lot(self, campaign_code: int, create_time: int, send_time: int | None = None) -> Lot:
        number = len(self.lots)
        code, attempt = lot_code(self._seed, number), 0
        while code in self._by_code:
            attempt += 1
            code = lot_code(self._seed, number + (attempt << 40))
        lot = Lot(code, campaign_code, create_time, send_time)
        self.lots.append(lot)
        self._by_code[code] = lot
        if send_time is None:
            self._open.setdefault(campaign_code, []).append(lot)
        return lot

    def send(self, lot: Lot, time: int) -> None:
        """Close an open lot, sent (or scheduled) at `time`."""
        lot.send_time = time
        self._open[lot.campaign_code].remove(lot)

    def discard(self, lot: Lot) -> None:
        lot.discarded = True
        self._open[lot.campaign_code].remove(lot)

    def get(self, campaign_code: int, code: str) -> Lot | None:
        lot = self._by_code.get(code)
        return lot if lot is not None and lot.campaign_code == campaign_code else None

    def open_lots(self, campaign_code: int) -> list[Lot]:
        """The campaign's open lots, oldest first."""
        return list(self._open.get(campaign_code, ()))

    def current_open_lot(self, campaign_code: int) -> Lot | None:
        """The open lot new customers of the campaign join: its newest."""
        open_lots = self.open_lots(campaign_code)
        return open_lots[-1] if open_lots else None

    def dispatched(self) -> list[Lot]:
        """Every sent or scheduled lot, by creation time, then as they were made."""
        lots = [lot for lot in self.lots if lot.is_dispatched]
        lots.sort(key=lambda lot: lot.create_time)
        return lots
