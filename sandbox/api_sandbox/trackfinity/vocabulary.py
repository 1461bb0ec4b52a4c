"""The words the synthetic Trackfinity install is made of: affiliates, offers, payout methods."""

from __future__ import annotations

from typing import NamedTuple


class Offer(NamedTuple):
    """An offer affiliates promote: what the brokerage earns per conversion, in cents."""

    offer_id: int
    name: str
    revenue_cents: tuple[int, int]


FIRST_AFFILIATE_ID = 201
"""Affiliate ids start where the CRM's `affId`s do, so the two can be joined."""
AFFILIATES_PER_SCALE = 10
"""One affiliate per this many units of the sandbox's `scale`, at least `MIN_AFFILIATES`."""
MIN_AFFILIATES = 3
MAX_AFFILIATES = 500
"""A large affiliate network; past it, `scale` adds no more (about 150,000 rows a year)."""

AFFILIATE_PREFIXES = (
    "Apex", "Blue Ocean", "Bright", "Cedar", "Delta", "Evergreen", "Falcon", "Golden Gate",
    "Harbor", "Iron", "Juniper", "Keystone", "Lighthouse", "Meridian", "Northstar", "Orbit",
    "Pinnacle", "Quantum", "Redwood", "Summit",
)  # fmt: skip
AFFILIATE_SUFFIXES = ("Media", "Partners", "Traffic", "Leads", "Digital", "Ventures", "Network")

OFFERS = (
    Offer(11, "FX Starter CPA", (15_000, 30_000)),
    Offer(12, "Gold CFD Leads", (20_000, 45_000)),
    Offer(13, "Crypto CFD Trial", (10_000, 25_000)),
    Offer(14, "Indices Pro FTD", (30_000, 60_000)),
    Offer(15, "Copy Trading Signup", (8_000, 18_000)),
    Offer(16, "Webinar Registration", (2_000, 6_000)),
    Offer(17, "VIP Account Upgrade", (50_000, 90_000)),
    Offer(18, "Mobile App Install", (1_500, 4_000)),
)
MAX_OFFERS_PER_AFFILIATE = 3
ACTIVE_DAY_SHARE = 0.4
"""Share of days on which an affiliate's offer has any traffic (and so a profit/loss row)."""
CLICKS_RANGE = (20, 1_500)
CONVERSION_RATE_RANGE = (0.0, 0.04)
PAYOUT_SHARE_RANGE = (0.45, 1.1)
"""The affiliate's payout as a share of revenue; above 1 the offer loses money that day."""

CURRENCIES = ("USD", "USD", "EUR", "GBP")
PAYVIA_TYPE_IDS = (1, 2, 3)
"""Payout methods; 1 is the one the vendor's example asks for."""
ENABLED_RULE_SHARE = 0.8
RULE_TYPES = ("enabled", "disabled", "all")
