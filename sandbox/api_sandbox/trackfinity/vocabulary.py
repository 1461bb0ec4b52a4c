"""The words the synthetic Trackfinity install is made of: affiliates, offers, views, stats."""

from __future__ import annotations

from typing import NamedTuple


class Offer(NamedTuple):
    """An offer affiliates promote: what the brokerage earns per conversion, in cents."""

    offer_id: int
    name: str
    revenue_cents: tuple[int, int]
    group_id: int
    landing_page_id: int


FIRST_AFFILIATE_ID = 201
"""Affiliate login ids start where the CRM's `affId`s do, so the two can be joined."""
AFFILIATES_PER_SCALE = 10
"""One affiliate per this many units of the sandbox's `scale`, at least `MIN_AFFILIATES`."""
MIN_AFFILIATES = 3
MAX_AFFILIATES = 500
"""A large affiliate network; past it, `scale` adds no more."""

AFFILIATE_PREFIXES = (
    "Apex", "Blue Ocean", "Bright", "Cedar", "Delta", "Evergreen", "Falcon", "Golden Gate",
    "Harbor", "Iron", "Juniper", "Keystone", "Lighthouse", "Meridian", "Northstar", "Orbit",
    "Pinnacle", "Quantum", "Redwood", "Summit",
)  # fmt: skip
AFFILIATE_SUFFIXES = ("Media", "Partners", "Traffic", "Leads", "Digital", "Ventures", "Network")

OFFERS = (
    Offer(11, "FX Starter CPA", (15_000, 30_000), 1, 26),
    Offer(12, "Gold CFD Leads", (20_000, 45_000), 1, 27),
    Offer(13, "Crypto CFD Trial", (10_000, 25_000), 2, 28),
    Offer(14, "Indices Pro FTD", (30_000, 60_000), 1, 29),
    Offer(15, "Copy Trading Signup", (8_000, 18_000), 2, 30),
    Offer(16, "Webinar Registration", (2_000, 6_000), 3, 31),
    Offer(17, "VIP Account Upgrade", (50_000, 90_000), 1, 32),
    Offer(18, "Mobile App Install", (1_500, 4_000), 3, 33),
)
MAX_OFFERS_PER_AFFILIATE = 3
ACTIVE_DAY_SHARE = 0.4
"""Share of days on which an affiliate's offer has any traffic (and so profit/loss stats)."""
PAGE_VIEWS_RANGE = (20, 1_500)
UNIQUE_SHARE_RANGE = (0.4, 0.9)
CONVERSION_RATE_RANGE = (0.0, 0.015)
"""Conversions per unique visitor."""
REBILL_SHARE = 0.1
"""Share of transactions that are rebills (the report's `continuity`) rather than initials."""
REFERRAL_SHARE = 0.25
"""Share of transactions that also pay the affiliate's referrer."""
REFERRAL_RATE = 0.05
PAYOUT_SHARE_RANGE = (0.45, 1.1)
"""The affiliate's payout as a share of the amount; above 1 the offer loses money."""

TRANSACTION_TYPES = ("initial", "rebill")
"""`trans_type` of the sandbox's transactions; `initial` is the payout preview's default."""

TIME_VIEWS = ("period", "month", "year")
"""Profit/loss views whose `break` is a Unix time (the start of the day, month or year)."""
EMULATED_VIEWS = (*TIME_VIEWS, "offer_group", "landing_page", "offer", "login")
DOCUMENTED_VIEWS = (
    "period", "month", "year", "offer_group", "landing_page", "offer", "subid1", "subid2",
    "login", "adtool", "demographic", "refurl", "device_type", "device_brand", "device_model",
    "device_os", "device_os_version", "device_carrier", "device_browser",
)  # fmt: skip
"""The views https://docs.trackfinity.com/api/reporting/profit-loss-report lists."""

STATS = (
    "page_view", "unique_visitor", "conversion", "conversion_amount", "advertiser_initial",
    "advertiser_initial_amount", "continuity", "continuity_amount", "affiliate_payout",
    "referral_payout", "affiliate_manager_payout", "partner_payout", "tier_adjustment_payout",
    "correction_payout",
)  # fmt: skip
"""Stats of a profit/loss row, named as the Offerit sample output names them."""

PERIODS = {"7": "all", "8": "free"}
"""`period` values the sandbox emulates: all time, and freeform (`start`..`end`)."""
DOCUMENTED_PERIODS = ("0", "1", "2", "3", "4", "5", "6", "7", "8")

PREVIEW_CLICKS = (
    "156097c947ece92.38318951",
    "5f1c0a9e2b3d4a1.10000001",
    "5f1c0a9e2b3d4a2.10000002",
)
"""Click hashes every sandbox knows, whatever its seed: the first is the vendor's example."""
