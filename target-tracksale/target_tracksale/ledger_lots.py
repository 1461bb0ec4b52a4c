"""The ledger's `lots` table: lots customers were added to, until they are sent.

A dispatch without a time adds its customers to the campaign's open lot; the lot's code is
kept here, so a `lot_then_send` stream sends it at the end of the run, or a later run does if
this one stopped first.
"""

from __future__ import annotations

from collections.abc import Iterable

from target_tracksale.ledger_database import LedgerDatabase, json_text, now_text

OPEN = "open"
SENT = "sent"
GONE = "gone"
"""Sent or discarded elsewhere: Tracksale no longer has it open."""


class LotBook:
    """The lots of each campaign, open until sent."""

    def __init__(self, db: LedgerDatabase) -> None:
        self.db = db

    def add(self, campaign_code: int, lot_code: str, *, stream: str) -> None:
        with self.db.transaction():
            self.db.execute(
                "INSERT INTO lots (campaign_code, lot_code, status, stream, created_at) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                (campaign_code, lot_code, OPEN, stream, now_text()),
            )

    def open_ones(self, campaign_codes: Iterable[int]) -> list[tuple[int, str]]:
        """`(campaign_code, lot_code)` of the lots not yet sent, for these campaigns."""
        codes = sorted(set(campaign_codes))
        if not codes:
            return []
        rows = self.db.execute(
            "SELECT campaign_code, lot_code FROM lots WHERE status = ? AND "
            f"CAST(campaign_code AS TEXT) IN {self.db.json_list()} ORDER BY created_at, lot_code",
            (OPEN, json_text([str(code) for code in codes])),
        )
        return [(int(code), str(lot)) for code, lot in rows]

    def close(self, campaign_code: int, lot_code: str, status: str = SENT) -> None:
        """The lot was sent (or, `GONE`, is no longer open in Tracksale)."""
        with self.db.transaction():
            self.db.execute(
                "UPDATE lots SET status = ?, sent_at = ? WHERE campaign_code = ? AND lot_code = ?",
                (status, now_text(), campaign_code, lot_code),
            )
