"""Full CRM records, rendered straight to JSON bytes from the skeleton and a per-row hash.

The fields that are not in the skeleton come from the row's entropy in the skeleton, spent one
choice at a time with `divmod`, so any record can be rendered on its own, in any order, and
always comes out the same. An edited record's changed field comes from a hash of (seed, stream,
row, revision) instead.

Rendering is the hot path of a cold cache, so records are filled into byte templates from
pre-encoded vocabulary rather than built as dicts and encoded. Every string that goes into a
template comes from `vocabulary.py` and is JSON-encoded once here; the tests decode records
and check them field by field. Money has exactly two decimals (`12.50`), prices the symbol's.
"""

from __future__ import annotations

import random
from hashlib import blake2b
from typing import NamedTuple

import msgspec

from api_sandbox.impact_crm.skeleton import ENTROPY_BYTES, MAX_ACCOUNTS, Skeleton
from api_sandbox.impact_crm.vocabulary import (
    AMOUNT_CENTS_RANGE,
    CAMPAIGNS_PER_AFFILIATE,
    CONVERTED_STATUS,
    COUNTRIES,
    CURRENCY_RATES_TO_USD,
    EMAIL_DOMAINS,
    FIRST_AFFILIATE_ID,
    FIRST_NAMES,
    INSTRUMENTS,
    INTERNAL_METHOD,
    LAST_NAMES,
    LEAD_STATUSES,
    OPEN_LEAD_STATUSES,
    PAYMENT_METHODS,
    SERVERS,
    SIDES,
    TAG_CATEGORIES,
    TRANSACTION_TYPES,
    UTM_CAMPAIGNS,
    UTM_CONTENTS,
    UTM_MEDIUMS,
    UTM_SOURCES,
    UTM_TERMS,
)
from api_sandbox.timestamps import SECONDS_PER_DAY, iso_utc_bytes

FIRST_LEAD_ID = 1001
FIRST_USER_ID = 5_000_001
FIRST_TRANSACTION_ID = 10_000_001
FIRST_POSITION_ID = 30_000_001
FIRST_LOGIN = 60_000_001
FIRST_TRADE_ID = 80_000_000
TRADE_IDS = 10_000_000
COMMISSION_CENTS_PER_LOT = 700
FIRST_PHONE_NUMBER = 100_000_000
PHONE_NUMBERS = 900_000_000
TAG_VARIANTS = 256


def _json(value: object) -> bytes:
    return msgspec.json.encode(value)


def _bare(text: str) -> bytes:
    """A string's JSON form without its quotes, for splicing into a template string."""
    return _json(text)[1:-1]


# A lead's name and contact fields, pre-joined: `{name piece}{leadId}{place piece}{phone}{place
# end}` spells firstName, lastName, email (handle, lead id, domain), phone, country, language.
_NAME_PIECES = tuple(
    b'"firstName":%s,"lastName":%s,"email":"%s'
    % (_json(first), _json(last), _bare(f"{first}.{last}".lower().replace(" ", "")))
    for first in FIRST_NAMES
    for last in LAST_NAMES
)
_PLACE_PIECES = tuple(
    (
        b'@%s","phone":"+%s' % (_bare(domain), _bare(country.dialling_code)),
        b'","country":%s,"language":%s' % (_json(country.code), _json(country.language)),
    )
    for domain in EMAIL_DOMAINS
    for country in COUNTRIES
)
_LEAD_STATUSES = tuple(_json(status) for status in LEAD_STATUSES)
_UTM_VARIANTS = tuple(
    _json(
        {
            "utmSource": source,
            "utmMedium": medium,
            "utmCampaign": campaign,
            "utmTerm": term,
            "utmContent": content,
        }
    )
    for source in UTM_SOURCES
    for medium in UTM_MEDIUMS
    for campaign in UTM_CAMPAIGNS
    for term in UTM_TERMS
    for content in UTM_CONTENTS
)
_TRANSACTION_TYPES = tuple(_json(kind) for kind in TRANSACTION_TYPES)
_DEPOSIT = _json("deposit")
_FUNDING_TYPES = (_DEPOSIT, _json("withdrawal"))
_PAYMENT_METHODS = tuple(_json(method) for method in PAYMENT_METHODS)
_INTERNAL_METHOD = _json(INTERNAL_METHOD)
_CENTS_RANGES = {_json(kind): cents for kind, cents in AMOUNT_CENTS_RANGE.items()}
_CURRENCIES = tuple((_json(code), rate) for code, rate in CURRENCY_RATES_TO_USD)
_NOT_APPLICABLE = _json("N/A")
_SERVER_TAGS = tuple(_json(tag) for _, tag in SERVERS)
_PLATFORMS = tuple(platform.encode() for platform, _ in SERVERS)
_INSTRUMENTS = tuple((_json(i.symbol), i) for i in INSTRUMENTS)
_SIDES = tuple(_json(side) for side in SIDES)
_NULL = b"null"
_NAME_COUNT = len(_NAME_PIECES)
_PLACE_COUNT = len(_PLACE_PIECES)
_UTM_COUNT = len(_UTM_VARIANTS)
_OPEN_STATUS_COUNT = len(OPEN_LEAD_STATUSES)
_CONVERTED_STATUS_INDEX = LEAD_STATUSES.index(CONVERTED_STATUS)

_LEAD = (
    b'{"leadId":%d,%s%d%s%d%s,"status":%s,"affId":%d,"campaignId":%d,'
    b'"registrationDate":"%s","lastModifiedDate":"%s","utmDetails":%s,"tags":%s}'
)
_REGISTRATION = (
    b'{"userId":%d,"leadId":%d,%s%d%s%d%s,"affId":%d,"campaignId":%d,"utmDetails":%s,"tags":%s,'
    b'"registrationDate":"%s","lastModifiedDate":"%s","ftdDate":%s,"userAdditionalId":"%s"}'
)
_ACCOUNT = b"(%d, %s, live)"
_TRANSACTION = (
    b'{"transactionId":%d,"userId":%d,"transactionDate":"%s","type":%s,"method":%s,'
    b'"amount":%s,"currency":%s,"amountUsd":%s,"productId":%s,"affId":%d}'
)
_POSITION = (
    b'{"positionId":%d,"serverTag":%s,"login":%d,"userId":%d,"symbol":%s,"side":%s,'
    b'"volume":%s,"openPrice":%.*f,"closePrice":%.*f,"openDate":"%s","closeDate":"%s",'
    b'"profit":%s,"commission":%s,"swap":%s}'
)


def row_bits(entropy: bytearray, row: int) -> int:
    """The row's entropy from the skeleton, as one integer."""
    start = row * ENTROPY_BYTES
    return int.from_bytes(entropy[start : start + ENTROPY_BYTES], "little")


def revision_bits(seed: int, stream: bytes, row: int, revision: int) -> int:
    """Entropy for a field an edit changed, the same on every machine and run."""
    key = b"%d:%s:%d:%d" % (seed, stream, row, revision)
    return int.from_bytes(blake2b(key, digest_size=ENTROPY_BYTES).digest(), "little")


def money(cents: int) -> bytes:
    """A JSON number with exactly two decimals, e.g. `-12.50`."""
    if cents < 0:
        return b"-%d.%02d" % divmod(-cents, 100)
    return b"%d.%02d" % divmod(cents, 100)


def _tag_variants() -> tuple[bytes, ...]:
    """A fixed set of 0-3 categorized tag lists that leads draw from."""
    rng = random.Random("impact-crm:tags")
    variants = []
    for _ in range(TAG_VARIANTS):
        categories = rng.sample(TAG_CATEGORIES, rng.randrange(len(TAG_CATEGORIES)))
        tags = [
            {"category": category, "tags": rng.sample(options, rng.randint(1, 3))}
            for category, options in categories
        ]
        variants.append(_json(tags))
    return tuple(variants)


_TAGS = _tag_variants()


class PersonParts(NamedTuple):
    """The encoded fields a lead shares with its registration (see `_NAME_PIECES`)."""

    name: bytes
    place: bytes
    phone: int
    place_end: bytes
    affiliate_id: int
    campaign_id: int
    utm_details: bytes
    tags: bytes


class RecordFactory:
    """Renders lead, registration, transaction and position records as JSON bytes."""

    def __init__(self, seed: int, skeleton: Skeleton) -> None:
        self.seed = seed
        self.skeleton = skeleton
        self.lead_revisions: dict[int, int] = {}
        self.registration_revisions: dict[int, int] = {}

    def lead(self, row: int) -> bytes:
        leads = self.skeleton.leads
        person, bits = self._person(row, row_bits(leads.entropy, row))
        name, place, phone, place_end, affiliate, campaign, utm, tags = person
        converted = leads.customer[row] >= 0
        status = _CONVERTED_STATUS_INDEX if converted else bits % _OPEN_STATUS_COUNT
        if self.lead_revisions:
            status = (status + self.lead_revisions.get(row, 0)) % len(_LEAD_STATUSES)
        lead_id = FIRST_LEAD_ID + row
        return _LEAD % (
            lead_id,
            name,
            lead_id,
            place,
            phone,
            place_end,
            _LEAD_STATUSES[status],
            affiliate,
            campaign,
            iso_utc_bytes(leads.registered[row]),
            iso_utc_bytes(leads.modified[row]),
            utm,
            tags,
        )

    def registration(self, row: int) -> bytes:
        customers = self.skeleton.registrations
        lead = customers.lead[row]
        person, _ = self._person(lead, row_bits(self.skeleton.leads.entropy, lead))
        name, place, phone, place_end, affiliate, campaign, utm, tags = person
        revision = self.registration_revisions.get(row, 0)
        if revision:
            bits = revision_bits(self.seed, b"phone", row, revision)
            phone = FIRST_PHONE_NUMBER + bits % PHONE_NUMBERS
        first_deposit = customers.first_deposit[row]
        first_login = FIRST_LOGIN + row * MAX_ACCOUNTS
        accounts = b",".join(
            _ACCOUNT % (first_login + number, _PLATFORMS[server])
            for number, server in customers.accounts(row)
        )
        return _REGISTRATION % (
            FIRST_USER_ID + row,
            FIRST_LEAD_ID + lead,
            name,
            FIRST_LEAD_ID + lead,
            place,
            phone,
            place_end,
            affiliate,
            campaign,
            utm,
            tags,
            iso_utc_bytes(customers.registered[row]),
            iso_utc_bytes(customers.modified[row]),
            b'"%s"' % iso_utc_bytes(first_deposit) if first_deposit >= 0 else _NULL,
            accounts,
        )

    def transaction(self, row: int) -> bytes:
        skeleton = self.skeleton
        customer = skeleton.transactions.customer[row]
        bits = row_bits(skeleton.transactions.entropy, row)
        bits, kind_index = divmod(bits, len(_TRANSACTION_TYPES))
        is_first = skeleton.registrations.first_transaction[customer] == row
        kind = _DEPOSIT if is_first else _TRANSACTION_TYPES[kind_index]
        bits, method_index = divmod(bits, len(_PAYMENT_METHODS))
        funding = kind in _FUNDING_TYPES
        method = _PAYMENT_METHODS[method_index] if funding else _INTERNAL_METHOD
        low, high = _CENTS_RANGES[kind]
        bits, cents = divmod(bits, high - low)
        cents += low
        bits, currency_index = divmod(bits, len(_CURRENCIES))
        currency, rate = _CURRENCIES[currency_index]
        bits, trade = divmod(bits, 2)
        if trade and not funding:
            product_id = b'"%d"' % (FIRST_TRADE_ID + bits % TRADE_IDS)
        else:
            product_id = _NOT_APPLICABLE
        lead = skeleton.registrations.lead[customer]
        return _TRANSACTION % (
            FIRST_TRANSACTION_ID + row,
            FIRST_USER_ID + customer,
            iso_utc_bytes(skeleton.transactions.at[row]),
            kind,
            method,
            money(cents),
            currency,
            money(round(cents * rate)),
            product_id,
            FIRST_AFFILIATE_ID + skeleton.leads.affiliate[lead],
        )

    def position(self, row: int) -> bytes:
        skeleton = self.skeleton
        positions = skeleton.positions
        customer = positions.customer[row]
        bits = row_bits(positions.entropy, row)
        bits, instrument_index = divmod(bits, len(_INSTRUMENTS))
        symbol, instrument = _INSTRUMENTS[instrument_index]
        bits, side = divmod(bits, len(_SIDES))
        bits, lots = divmod(bits, 500)
        bits, entry = divmod(bits, 6_000)
        bits, move = divmod(bits, 2_001)
        bits, swap = divmod(bits, 2_001)
        bits, charged = divmod(bits, 3)
        volume_cents = 1 + lots
        decimals = instrument.decimals
        open_price = round(instrument.price * (0.97 + entry / 100_000), decimals)
        close_price = round(open_price * (1 + (move - 1_000) / 100_000), decimals)
        direction = 1 if side == 0 else -1
        profit = (close_price - open_price) * instrument.contract_size * volume_cents * direction
        opened, closed = positions.opened[row], positions.closed[row]
        overnight = closed // SECONDS_PER_DAY > opened // SECONDS_PER_DAY
        commission = volume_cents * COMMISSION_CENTS_PER_LOT // 100 if charged else 0
        return _POSITION % (
            FIRST_POSITION_ID + row,
            _SERVER_TAGS[skeleton.position_server(row)],
            FIRST_LOGIN + customer * MAX_ACCOUNTS + positions.account[row],
            FIRST_USER_ID + customer,
            symbol,
            _SIDES[side],
            money(volume_cents),
            decimals,
            open_price,
            decimals,
            close_price,
            iso_utc_bytes(opened),
            iso_utc_bytes(closed),
            money(round(profit)),
            money(-commission),
            money(swap - 1_000 if overnight else 0),
        )

    def _person(self, lead: int, bits: int) -> tuple[PersonParts, int]:
        """The parts of a lead that its registration shares, and the unspent bits."""
        bits, name = divmod(bits, _NAME_COUNT)
        bits, place = divmod(bits, _PLACE_COUNT)
        bits, phone = divmod(bits, PHONE_NUMBERS)
        bits, campaign = divmod(bits, CAMPAIGNS_PER_AFFILIATE)
        bits, utm = divmod(bits, _UTM_COUNT)
        bits, tags = divmod(bits, TAG_VARIANTS)
        affiliate = FIRST_AFFILIATE_ID + self.skeleton.leads.affiliate[lead]
        place_piece, place_end = _PLACE_PIECES[place]
        parts = PersonParts(
            _NAME_PIECES[name],
            place_piece,
            FIRST_PHONE_NUMBER + phone,
            place_end,
            affiliate,
            affiliate * 100 + 1 + campaign,
            _UTM_VARIANTS[utm],
            _TAGS[tags],
        )
        return parts, bits
