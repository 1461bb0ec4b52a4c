"""The Trackfinity install's data: affiliates, daily profit/loss per offer, payouts due.

Everything follows from the seed: the affiliates (one per 10 units of `scale`, 3 to 500) with their
offers, currency, payout method and payout rule, and each day's traffic, drawn from an RNG
seeded with (seed, day) so any day can be built on its own, in any order. Days are built on
first use and kept, with each row's JSON as served (quirks applied).

The payout preview covers the last month of the data period: one row per affiliate whose
payouts in that month add up to more than zero.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

import msgspec

from api_sandbox.quirks import RecordShaper
from api_sandbox.trackfinity.queries import PayoutPreviewQuery, ProfitLossQuery
from api_sandbox.trackfinity.vocabulary import (
    ACTIVE_DAY_SHARE,
    AFFILIATE_PREFIXES,
    AFFILIATE_SUFFIXES,
    AFFILIATES_PER_SCALE,
    CLICKS_RANGE,
    CONVERSION_RATE_RANGE,
    CURRENCIES,
    FIRST_AFFILIATE_ID,
    MAX_AFFILIATES,
    MAX_OFFERS_PER_AFFILIATE,
    MIN_AFFILIATES,
    OFFERS,
    PAYOUT_SHARE_RANGE,
    PAYVIA_TYPE_IDS,
    Offer,
)

DISABLED_RULE_EVERY = 5
"""Every fifth affiliate's payout rule is disabled, so `rule_type` has something to tell apart."""
_ROWS_PER_DAY_SALT = 10_000


@dataclass(frozen=True)
class Promotion:
    """An offer one affiliate promotes, and the share of its revenue the affiliate is paid."""

    offer: Offer
    payout_share: float


@dataclass(frozen=True)
class Affiliate:
    """An affiliate: who it is, what it promotes, and how and whether it gets paid."""

    affiliate_id: int
    name: str
    currency: str
    payvia_type_id: int
    rule_enabled: bool
    promotions: tuple[Promotion, ...]

    @property
    def rule_type(self) -> str:
        return "enabled" if self.rule_enabled else "disabled"


class ProfitLossRow(msgspec.Struct):
    """One day's figures for one affiliate and offer, fields in the API's order."""

    date: str
    affiliate_id: int
    affiliate_name: str
    offer_id: int
    offer_name: str
    clicks: int
    conversions: int
    revenue: float
    payout: float
    profit: float
    currency: str


class PayoutRow(msgspec.Struct):
    """What one affiliate is due for the payout period, fields in the API's order."""

    affiliate_id: int
    affiliate_name: str
    payvia_type_id: int
    rule_type: str
    amount: float
    currency: str
    transaction_count: int
    period_start: str
    period_end: str


@dataclass(frozen=True)
class ServedRow:
    """A profit/loss row, to filter on, and its JSON as served."""

    row: ProfitLossRow
    encoded: bytes


class TrackfinityDataset:
    """All data of one sandbox install, sized by `scale` and fixed by `seed`."""

    def __init__(
        self,
        *,
        seed: int,
        scale: int,
        data_start: date,
        data_end: date,
        quirks: frozenset[str] = frozenset(),
    ) -> None:
        self.seed = seed
        self.data_start = data_start
        self.data_end = data_end
        count = min(MAX_AFFILIATES, max(MIN_AFFILIATES, scale // AFFILIATES_PER_SCALE))
        self.affiliates = _affiliates(seed, count)
        self.payout_period = (max(data_end.replace(day=1), data_start), data_end)
        self._shaper = RecordShaper(quirks)
        self._encode: Callable[[object], bytes] = msgspec.json.Encoder().encode
        self._days: dict[date, list[ServedRow]] = {}
        self._payouts: list[PayoutRow] | None = None
        self._lock = threading.Lock()

    # Profit and loss

    def profit_loss(self, query: ProfitLossQuery) -> list[bytes]:
        """The JSON of every row the query selects, day by day, as served."""
        first = max(query.start or self.data_start, self.data_start)
        last = min(query.end or self.data_end, self.data_end)
        selected: list[bytes] = []
        day = first
        while day <= last:
            rows = self._day(day)
            if query.affiliate_id is None and query.offer_id is None and query.currency is None:
                selected.extend(row.encoded for row in rows)
            else:
                selected.extend(served.encoded for served in rows if _selects(query, served.row))
            day += timedelta(days=1)
        return selected

    def _day(self, day: date) -> list[ServedRow]:
        rows = self._days.get(day)
        if rows is None:
            with self._lock:
                rows = self._days.get(day)
                if rows is None:
                    rows = self._days[day] = self._build_day(day)
        return rows

    def _build_day(self, day: date) -> list[ServedRow]:
        served = []
        salt = day.toordinal() * _ROWS_PER_DAY_SALT
        for number, row in enumerate(self._canonical_day(day)):
            served.append(ServedRow(row, self._served(row, salt + number)))
        return served

    def _served(self, row: msgspec.Struct, salt: int) -> bytes:
        if not self._shaper.active:
            return self._encode(row)
        return self._encode(self._shaper.shape(msgspec.structs.asdict(row), salt))

    def _canonical_day(self, day: date) -> list[ProfitLossRow]:
        rng = random.Random(f"trackfinity:{self.seed}:{day.isoformat()}")
        rows = []
        for affiliate in self.affiliates:
            for promotion in affiliate.promotions:
                if rng.random() >= ACTIVE_DAY_SHARE:
                    continue
                clicks = rng.randint(*CLICKS_RANGE)
                conversions = int(clicks * rng.uniform(*CONVERSION_RATE_RANGE))
                per_conversion = promotion.offer.revenue_cents
                revenue = sum(rng.randint(*per_conversion) for _ in range(conversions))
                payout = round(revenue * promotion.payout_share)
                rows.append(
                    ProfitLossRow(
                        date=day.isoformat(),
                        affiliate_id=affiliate.affiliate_id,
                        affiliate_name=affiliate.name,
                        offer_id=promotion.offer.offer_id,
                        offer_name=promotion.offer.name,
                        clicks=clicks,
                        conversions=conversions,
                        revenue=revenue / 100,
                        payout=payout / 100,
                        profit=(revenue - payout) / 100,
                        currency=affiliate.currency,
                    )
                )
        return rows

    # Payout preview

    def payout_preview(self, query: PayoutPreviewQuery) -> list[bytes]:
        """The JSON of each affiliate due a payout that the query selects, as served."""
        return [
            self._served(row, row.affiliate_id)
            for row in self._payout_rows()
            if (query.payvia_type_id is None or row.payvia_type_id == query.payvia_type_id)
            and query.rule_type in ("all", row.rule_type)
            and (query.affiliate_id is None or row.affiliate_id == query.affiliate_id)
        ]

    def _payout_rows(self) -> list[PayoutRow]:
        if self._payouts is None:
            self._payouts = self._build_payouts()
        return self._payouts

    def _build_payouts(self) -> list[PayoutRow]:
        start, end = self.payout_period
        cents: dict[int, int] = {}
        conversions: dict[int, int] = {}
        day = start
        while day <= end:
            for served in self._day(day):
                row = served.row
                cents[row.affiliate_id] = cents.get(row.affiliate_id, 0) + round(row.payout * 100)
                conversions[row.affiliate_id] = (
                    conversions.get(row.affiliate_id, 0) + row.conversions
                )
            day += timedelta(days=1)
        return [
            PayoutRow(
                affiliate_id=affiliate.affiliate_id,
                affiliate_name=affiliate.name,
                payvia_type_id=affiliate.payvia_type_id,
                rule_type=affiliate.rule_type,
                amount=cents[affiliate.affiliate_id] / 100,
                currency=affiliate.currency,
                transaction_count=conversions[affiliate.affiliate_id],
                period_start=start.isoformat(),
                period_end=end.isoformat(),
            )
            for affiliate in self.affiliates
            if cents.get(affiliate.affiliate_id, 0) > 0
        ]


def _selects(query: ProfitLossQuery, row: ProfitLossRow) -> bool:
    return (
        (query.affiliate_id is None or row.affiliate_id == query.affiliate_id)
        and (query.offer_id is None or row.offer_id == query.offer_id)
        and (query.currency is None or row.currency == query.currency)
    )


def _affiliates(seed: int, count: int) -> tuple[Affiliate, ...]:
    rng = random.Random(f"trackfinity:{seed}:affiliates")
    affiliates = []
    for number in range(count):
        prefix = AFFILIATE_PREFIXES[number % len(AFFILIATE_PREFIXES)]
        suffix = rng.choice(AFFILIATE_SUFFIXES)
        round_number = number // len(AFFILIATE_PREFIXES)
        name = f"{prefix} {suffix}" + (f" {round_number + 1}" if round_number else "")
        offers = rng.sample(OFFERS, rng.randint(1, MAX_OFFERS_PER_AFFILIATE))
        promotions = tuple(
            Promotion(offer, round(rng.uniform(*PAYOUT_SHARE_RANGE), 2)) for offer in sorted(offers)
        )
        affiliates.append(
            Affiliate(
                affiliate_id=FIRST_AFFILIATE_ID + number,
                name=name,
                currency=rng.choice(CURRENCIES),
                payvia_type_id=PAYVIA_TYPE_IDS[number % len(PAYVIA_TYPE_IDS)],
                rule_enabled=number % DISABLED_RULE_EVERY != DISABLED_RULE_EVERY - 1,
                promotions=promotions,
            )
        )
    return tuple(affiliates)
