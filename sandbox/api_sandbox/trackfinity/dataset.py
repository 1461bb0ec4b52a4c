"""The Trackfinity install's data: affiliates, their transactions, and the stats they add up to.

Everything follows from the seed: the affiliates (one per 10 units of `scale`, 3 to 500) with
their offers, payout shares and referrers, and each day's traffic and transactions, drawn from
an RNG seeded with (seed, day) so any day can be built on its own, in any order. A day's stats
per affiliate and offer are kept once built; its transactions are rebuilt on demand (a few
dozen days are cached), so a large install does not hold a year of transactions in memory.

Amounts are integer cents, as in the Offerit sample output (see `vocabulary.STATS`).
Transaction ids are 20-digit strings, as in the vendor's example (Unix time, then 10 digits):
they do not fit a 64-bit integer.
"""

from __future__ import annotations

import random
import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import date, timedelta

import msgspec

from api_sandbox.timestamps import SECONDS_PER_DAY, day_start
from api_sandbox.trackfinity.queries import PreviewQuery, Selection
from api_sandbox.trackfinity.vocabulary import (
    ACTIVE_DAY_SHARE,
    AFFILIATE_PREFIXES,
    AFFILIATE_SUFFIXES,
    AFFILIATES_PER_SCALE,
    CONVERSION_RATE_RANGE,
    FIRST_AFFILIATE_ID,
    MAX_AFFILIATES,
    MAX_OFFERS_PER_AFFILIATE,
    MIN_AFFILIATES,
    OFFERS,
    PAGE_VIEWS_RANGE,
    PAYOUT_SHARE_RANGE,
    PREVIEW_CLICKS,
    REBILL_SHARE,
    REFERRAL_RATE,
    REFERRAL_SHARE,
    STATS,
    UNIQUE_SHARE_RANGE,
    Offer,
)

CACHED_TRANSACTION_DAYS = 64
REFERRER_EVERY = 4
"""Every fourth affiliate (from the second) was referred by the one before it."""
_STAT_INDEX = {name: number for number, name in enumerate(STATS)}


@dataclass(frozen=True)
class Promotion:
    """An offer one affiliate promotes, and the share of each amount the affiliate is paid."""

    offer: Offer
    payout_share: float


@dataclass(frozen=True)
class Affiliate:
    """An affiliate login: who it is, what it promotes, and who referred it."""

    loginid: int
    name: str
    username: str
    promotions: tuple[Promotion, ...]
    referrer: int | None


class Payout(msgspec.Struct):
    """One payout of a transaction, fields in the vendor example's order."""

    id: str
    type: str
    username: str
    loginid: int
    amount: int


class Transaction(msgspec.Struct):
    """One transaction, fields in the vendor example's order (its id is the map key)."""

    time: int
    loginid: int
    amount: int
    trans_type: str
    transaction_hash: str
    orderid: int
    external_clickid: str
    offerid: int
    landing_pageid: int
    total_payout: int
    payouts: list[Payout]


@dataclass(frozen=True)
class Click:
    """Where a click hash leads: the affiliate and the offer it promotes."""

    affiliate: Affiliate
    promotion: Promotion


StatKey = tuple[int, int]
"""(loginid, offerid)."""


class TrackfinityDataset:
    """All data of one sandbox install, sized by `scale` and fixed by `seed`."""

    def __init__(self, *, seed: int, scale: int, data_start: date, data_end: date) -> None:
        self.seed = seed
        self.data_start = data_start
        self.data_end = data_end
        count = min(MAX_AFFILIATES, max(MIN_AFFILIATES, scale // AFFILIATES_PER_SCALE))
        self.affiliates = _affiliates(seed, count)
        self.by_loginid = {affiliate.loginid: affiliate for affiliate in self.affiliates}
        self.offers = {offer.offer_id: offer for offer in OFFERS}
        self._stats: dict[date, dict[StatKey, list[int]]] = {}
        self._transactions: OrderedDict[date, list[tuple[str, Transaction]]] = OrderedDict()
        self._clicks: dict[str, Click] = {
            click: Click(affiliate, affiliate.promotions[0])
            for number, click in enumerate(PREVIEW_CLICKS)
            for affiliate in (self.affiliates[number % len(self.affiliates)],)
        }
        self._lock = threading.RLock()

    # Days

    def days(self, selection: Selection) -> list[date]:
        """The days with data that a selection covers, in order."""
        first = max(selection.start or self.data_start, self.data_start)
        last = min(selection.end or self.data_end, self.data_end)
        return [first + timedelta(days=n) for n in range((last - first).days + 1)]

    def stats(self, day: date) -> dict[StatKey, list[int]]:
        """The day's stats per (loginid, offerid), in `STATS` order."""
        stats = self._stats.get(day)
        if stats is None:
            self.transactions(day)
            stats = self._stats[day]
        return stats

    def transactions(self, day: date) -> list[tuple[str, Transaction]]:
        """The day's transactions as (id, transaction), by time."""
        with self._lock:
            cached = self._transactions.get(day)
            if cached is not None:
                self._transactions.move_to_end(day)
                return cached
            built = self._build_day(day)
            self._transactions[day] = built
            if len(self._transactions) > CACHED_TRANSACTION_DAYS:
                self._transactions.popitem(last=False)
            return built

    def selected_transactions(self, selection: Selection) -> list[tuple[str, Transaction]]:
        """Every transaction of the selection's days, login and offer, by time."""
        selected = []
        for day in self.days(selection):
            for entry in self.transactions(day):
                txn = entry[1]
                if selection.loginid is not None and txn.loginid != selection.loginid:
                    continue
                if selection.offerid is not None and txn.offerid != selection.offerid:
                    continue
                selected.append(entry)
        return selected

    # Payout preview

    def payout_preview(self, query: PreviewQuery) -> dict[str, object] | None:
        """What a conversion on this click would pay, in cents; None for an unknown click."""
        click = self._clicks.get(query.transaction_hash)
        if click is None:
            return None
        amount = 100.0 if query.amount is None else query.amount
        cents = round(amount * 100)
        affiliate = click.affiliate
        payouts = [
            {
                "type": "affiliate",
                "username": affiliate.username,
                "loginid": affiliate.loginid,
                "amount": round(cents * click.promotion.payout_share),
            }
        ]
        if affiliate.referrer is not None:
            referrer = self.by_loginid[affiliate.referrer]
            payouts.append(
                {
                    "type": "referral",
                    "username": referrer.username,
                    "loginid": referrer.loginid,
                    "amount": round(cents * REFERRAL_RATE),
                }
            )
        return {
            "transaction_hash": query.transaction_hash,
            "transaction_type": query.transaction_type,
            "amount": cents,
            "total_payout": sum(int(p["amount"]) for p in payouts),
            "payouts": payouts,
        }

    @property
    def preview_clicks(self) -> tuple[str, ...]:
        """Click hashes the payout preview always knows (more become known as days are built)."""
        return PREVIEW_CLICKS

    # Building a day

    def _build_day(self, day: date) -> list[tuple[str, Transaction]]:
        rng = random.Random(f"trackfinity:{self.seed}:{day.isoformat()}")
        start = day_start(day)
        stats: dict[StatKey, list[int]] = {}
        built: list[tuple[str, Transaction]] = []
        for affiliate in self.affiliates:
            for promotion in affiliate.promotions:
                if rng.random() >= ACTIVE_DAY_SHARE:
                    continue
                row = [0] * len(STATS)
                page_views = rng.randint(*PAGE_VIEWS_RANGE)
                unique = int(page_views * rng.uniform(*UNIQUE_SHARE_RANGE))
                row[_STAT_INDEX["page_view"]] = page_views
                row[_STAT_INDEX["unique_visitor"]] = unique
                conversions = int(unique * rng.uniform(*CONVERSION_RATE_RANGE))
                for _ in range(conversions):
                    txn_id, txn = self._transaction(rng, start, affiliate, promotion)
                    built.append((txn_id, txn))
                    self._add(row, txn)
                stats[(affiliate.loginid, promotion.offer.offer_id)] = row
        built.sort(key=lambda entry: (entry[1].time, entry[0]))
        self._stats[day] = stats
        return built

    def _transaction(
        self, rng: random.Random, start: int, affiliate: Affiliate, promotion: Promotion
    ) -> tuple[str, Transaction]:
        moment = start + rng.randrange(SECONDS_PER_DAY)
        offer = promotion.offer
        amount = rng.randint(*offer.revenue_cents)
        trans_type = "rebill" if rng.random() < REBILL_SHARE else "initial"
        transaction_hash = f"{rng.getrandbits(60):015x}.{rng.randrange(10**8):08d}"
        payouts = [
            Payout(
                id=_long_id(rng, moment),
                type="affiliate",
                username=affiliate.username,
                loginid=affiliate.loginid,
                amount=round(amount * promotion.payout_share),
            )
        ]
        if affiliate.referrer is not None and rng.random() < REFERRAL_SHARE:
            referrer = self.by_loginid[affiliate.referrer]
            payouts.insert(
                0,
                Payout(
                    id=_long_id(rng, moment),
                    type="referral",
                    username=referrer.username,
                    loginid=referrer.loginid,
                    amount=round(amount * REFERRAL_RATE),
                ),
            )
        txn = Transaction(
            time=moment,
            loginid=affiliate.loginid,
            amount=amount,
            trans_type=trans_type,
            transaction_hash=transaction_hash,
            orderid=rng.randint(1_000, 9_999_999),
            external_clickid=f"CLICK_{affiliate.loginid}_{rng.randrange(100_000)}",
            offerid=offer.offer_id,
            landing_pageid=offer.landing_page_id,
            total_payout=sum(payout.amount for payout in payouts),
            payouts=payouts,
        )
        self._clicks.setdefault(transaction_hash, Click(affiliate, promotion))
        return _long_id(rng, moment), txn

    @staticmethod
    def _add(row: list[int], txn: Transaction) -> None:
        if txn.trans_type == "initial":
            row[_STAT_INDEX["conversion"]] += 1
            row[_STAT_INDEX["conversion_amount"]] += txn.amount
        else:
            row[_STAT_INDEX["continuity"]] += 1
            row[_STAT_INDEX["continuity_amount"]] += txn.amount
        for payout in txn.payouts:
            name = "affiliate_payout" if payout.type == "affiliate" else "referral_payout"
            row[_STAT_INDEX[name]] += payout.amount


def _long_id(rng: random.Random, moment: int) -> str:
    """A 20-digit id like the vendor's: the Unix time, then ten random digits."""
    return f"{moment:010d}{rng.randrange(10**10):010d}"


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
        loginid = FIRST_AFFILIATE_ID + number
        referred = number % REFERRER_EVERY == 1
        affiliates.append(
            Affiliate(
                loginid=loginid,
                name=name,
                username=name.lower().replace(" ", "_"),
                promotions=promotions,
                referrer=loginid - 1 if referred else None,
            )
        )
    return tuple(affiliates)
