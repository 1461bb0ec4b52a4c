"""The answers of the two reports, built from the dataset, as an install serves them.

Profit/loss (the Offerit sample output's shape): `{"total": {"breakdown": view, "row": stats},
"rows": [{"break": key, "stats": {...}}]}`, one row per value of the view's breakdown: a login
id, an offer id, an offer group, a landing page, or for `period`, `month` and `year` the Unix
time their day, month or year starts (UTC here; a real install uses its own time zone).

Transactions (the vendor example's shape): an object keyed by transaction id, in time order.
The envelope quirks serve them as a list with an `id` field instead (bare, or under `items`,
`results` or `records`).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import msgspec

from api_sandbox.quirks import (
    ENVELOPE_ARRAY,
    ENVELOPE_ITEMS,
    ENVELOPE_RECORDS,
    ENVELOPE_RESULTS,
    RecordShaper,
)
from api_sandbox.timestamps import day_start
from api_sandbox.trackfinity.dataset import TrackfinityDataset, Transaction
from api_sandbox.trackfinity.queries import ProfitLossQuery, TransactionQuery
from api_sandbox.trackfinity.vocabulary import STATS

_ENVELOPE_KEYS = {ENVELOPE_ITEMS: "items", ENVELOPE_RESULTS: "results", ENVELOPE_RECORDS: "records"}
BreakOf = Callable[[date, int, int], int]


class ReportBuilder:
    """Builds report answers from one dataset, with the sandbox's quirks applied."""

    def __init__(self, dataset: TrackfinityDataset, quirks: frozenset[str]) -> None:
        self.dataset = dataset
        self._shaper = RecordShaper(quirks)
        self._encode = msgspec.json.Encoder().encode
        self._bare_array = ENVELOPE_ARRAY in quirks
        self._list_key = next((_ENVELOPE_KEYS[q] for q in _ENVELOPE_KEYS if q in quirks), None)
        offers = dataset.offers
        self._breaks: dict[str, BreakOf] = {
            "period": lambda day, _login, _offer: day_start(day),
            "month": lambda day, _login, _offer: day_start(day.replace(day=1)),
            "year": lambda day, _login, _offer: day_start(date(day.year, 1, 1)),
            "login": lambda _day, login, _offer: login,
            "offer": lambda _day, _login, offer: offer,
            "offer_group": lambda _day, _login, offer: offers[offer].group_id,
            "landing_page": lambda _day, _login, offer: offers[offer].landing_page_id,
        }

    # Profit and loss

    def profit_loss(self, query: ProfitLossQuery) -> dict[str, object]:
        """The report as a dict, before quirks: total and rows, rows ordered by break."""
        break_of = self._breaks[query.view]
        selection = query.selection
        grouped: dict[int, list[int]] = {}
        for day in self.dataset.days(selection):
            for (login, offer), stats in self.dataset.stats(day).items():
                if selection.loginid is not None and login != selection.loginid:
                    continue
                if selection.offerid is not None and offer != selection.offerid:
                    continue
                key = break_of(day, login, offer)
                sums = grouped.setdefault(key, [0] * len(STATS))
                for number, value in enumerate(stats):
                    sums[number] += value
        total = [sum(column) for column in zip(*grouped.values(), strict=True)] or [0] * len(STATS)
        return {
            "total": {"breakdown": query.view, "row": dict(zip(STATS, total, strict=True))},
            "rows": [
                {"break": key, "stats": dict(zip(STATS, grouped[key], strict=True))}
                for key in sorted(grouped)
            ],
        }

    def profit_loss_body(self, query: ProfitLossQuery) -> bytes:
        report = self.profit_loss(query)
        if self._shaper.active:
            report["rows"] = [
                self._shaper.shape(row, number) for number, row in enumerate(report["rows"])
            ]
        return self._encode(report)

    # Transactions

    def transactions(self, query: TransactionQuery) -> list[tuple[str, Transaction]]:
        """The transactions the query's filters select, all pages together."""
        selected = self.dataset.selected_transactions(query.selection)
        return [
            (txn_id, txn)
            for txn_id, txn in selected
            if (query.trans_type is None or txn.trans_type == query.trans_type)
            and (query.transaction_hash is None or txn.transaction_hash == query.transaction_hash)
            and (query.orderid is None or txn.orderid == query.orderid)
            and (query.external_clickid is None or txn.external_clickid == query.external_clickid)
        ]

    def transactions_body(self, query: TransactionQuery, cap: int | None = None) -> bytes:
        """One page: `trans_count` transactions from `trans_start` (at most `cap` of them)."""
        count = query.trans_count if cap is None else min(query.trans_count, cap)
        page = self.transactions(query)[query.trans_start : query.trans_start + count]
        if self._bare_array or self._list_key:
            listed = [self._record(txn_id, txn, with_id=True) for txn_id, txn in page]
            return self._encode(listed if self._bare_array else {self._list_key: listed})
        return self._encode({txn_id: self._record(txn_id, txn) for txn_id, txn in page})

    def _record(self, txn_id: str, txn: Transaction, *, with_id: bool = False) -> object:
        if not (self._shaper.active or with_id):
            return txn
        record = msgspec.to_builtins(txn)
        if with_id:
            record = {"id": txn_id, **record}
        return self._shaper.shape(record, txn.time) if self._shaper.active else record


def transaction_dict(txn_id: str, txn: Transaction) -> dict[str, object]:
    """A transaction as the documented example serves it, with its id beside it."""
    return {"id": txn_id, **msgspec.to_builtins(txn)}
