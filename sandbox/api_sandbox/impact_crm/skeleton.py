"""The CRM's skeleton: who exists, how records relate, and when things happened.

Everything a filter, an index or a relation needs is generated eagerly, in one seeded pass,
into compact arrays (one row per record, rows in id order). The rest of a record (names,
amounts, prices) is derived lazily, see `records.py`, from the row's 16 bytes of entropy, also
drawn here; leads added later get theirs from a hash of (seed, row).

Shape: leads are spread evenly over the data period; about 30% convert into registrations
(customers) within three days; a customer has 0-7 transactions (about 3 on average), the first
being the first deposit, and 0-3 live trading accounts, each on one server, with about 4 closed
positions per customer. Nothing is dated after the end of the period.
"""

from __future__ import annotations

import random
from array import array
from bisect import bisect
from dataclasses import dataclass, field
from hashlib import blake2b
from itertools import accumulate

from api_sandbox.impact_crm.vocabulary import AFFILIATE_COUNT, SERVERS
from api_sandbox.timestamps import SECONDS_PER_DAY

DAY = SECONDS_PER_DAY
CONVERSION_RATE = 0.30
UNMODIFIED_LEAD_SHARE = 0.35
UNMODIFIED_CUSTOMER_SHARE = 0.30
MEAN_LEAD_MODIFICATION_DELAY = 9 * DAY
MEAN_CUSTOMER_MODIFICATION_DELAY = 12 * DAY
CONVERSION_DELAY = 3 * DAY
TRANSACTION_SPREAD = 120 * DAY
POSITION_SPREAD = 180 * DAY
MEAN_POSITION_DURATION = 2 * DAY
MAX_ACCOUNTS = 3
FAKE_TRANSACTION_SHARE = 0.06
# Probability of a customer having 0, 1, 2, ... transactions (mean about 3).
TRANSACTION_COUNT_WEIGHTS = (0.15, 0.15, 0.15, 0.15, 0.15, 0.10, 0.10, 0.05)
# Probability of a customer having 0, 1, 2 or 3 live trading accounts.
ACCOUNT_COUNT_WEIGHTS = (0.15, 0.50, 0.25, 0.10)
MAX_POSITIONS_PER_CUSTOMER = 9
ENTROPY_BYTES = 16


def _cumulative(weights: tuple[float, ...]) -> list[float]:
    return list(accumulate(weights))[:-1]


@dataclass
class LeadColumns:
    """Per lead: registration and last-modified times, affiliate, and customer row (or -1)."""

    registered: array = field(default_factory=lambda: array("q"))
    modified: array = field(default_factory=lambda: array("q"))
    affiliate: array = field(default_factory=lambda: array("h"))
    customer: array = field(default_factory=lambda: array("i"))
    entropy: bytearray = field(default_factory=bytearray)

    def __len__(self) -> int:
        return len(self.registered)


@dataclass
class RegistrationColumns:
    """Per customer: lead row, times, first deposit, accounts and where its activity starts.

    `account_servers` holds MAX_ACCOUNTS server numbers per customer, -1 where there is none.
    """

    lead: array = field(default_factory=lambda: array("i"))
    registered: array = field(default_factory=lambda: array("q"))
    modified: array = field(default_factory=lambda: array("q"))
    first_deposit: array = field(default_factory=lambda: array("q"))
    account_servers: array = field(default_factory=lambda: array("b"))
    first_transaction: array = field(default_factory=lambda: array("i"))
    transaction_count: array = field(default_factory=lambda: array("B"))
    first_position: array = field(default_factory=lambda: array("i"))
    position_count: array = field(default_factory=lambda: array("B"))

    def __len__(self) -> int:
        return len(self.registered)

    def accounts(self, row: int) -> list[tuple[int, int]]:
        """The customer's accounts as (account number, server number)."""
        base = row * MAX_ACCOUNTS
        servers = self.account_servers[base : base + MAX_ACCOUNTS]
        return [(number, server) for number, server in enumerate(servers) if server >= 0]


@dataclass
class TransactionColumns:
    """Per transaction: customer row, time, and whether it is fake."""

    customer: array = field(default_factory=lambda: array("i"))
    at: array = field(default_factory=lambda: array("q"))
    fake: array = field(default_factory=lambda: array("b"))
    entropy: bytearray = field(default_factory=bytearray)

    def __len__(self) -> int:
        return len(self.at)


@dataclass
class PositionColumns:
    """Per closed position: customer row, account number, open and close times."""

    customer: array = field(default_factory=lambda: array("i"))
    account: array = field(default_factory=lambda: array("b"))
    opened: array = field(default_factory=lambda: array("q"))
    closed: array = field(default_factory=lambda: array("q"))
    entropy: bytearray = field(default_factory=bytearray)

    def __len__(self) -> int:
        return len(self.closed)


@dataclass
class Skeleton:
    """All four streams' skeleton columns over one data period [start, end] (Unix seconds)."""

    seed: int
    start: int
    end: int
    leads: LeadColumns
    registrations: RegistrationColumns
    transactions: TransactionColumns
    positions: PositionColumns
    later_transactions: dict[int, list[int]] = field(default_factory=dict)
    """Per customer, transaction rows appended after its own run of rows (later weeks)."""
    later_positions: dict[int, list[int]] = field(default_factory=dict)
    """Per customer, position rows appended after its own run of rows (later weeks)."""

    def position_server(self, row: int) -> int:
        customer = self.positions.customer[row]
        return self.registrations.account_servers[
            customer * MAX_ACCOUNTS + self.positions.account[row]
        ]

    def append_lead(self, at: int, affiliate: int, customer: int = -1) -> int:
        """Add a lead registered and last modified at `at`; returns its row."""
        leads = self.leads
        leads.registered.append(at)
        leads.modified.append(at)
        leads.affiliate.append(affiliate)
        leads.customer.append(customer)
        row = len(leads) - 1
        leads.entropy += _entropy(self.seed, b"lead", row)
        return row

    def append_customer(self, lead: int, at: int) -> int:
        """Convert lead row `lead` into a customer registered at `at`, with no activity yet."""
        registrations = self.registrations
        row = len(registrations)
        registrations.lead.append(lead)
        registrations.registered.append(at)
        registrations.modified.append(at)
        registrations.first_deposit.append(-1)
        registrations.account_servers.extend([-1] * MAX_ACCOUNTS)
        registrations.first_transaction.append(len(self.transactions))
        registrations.transaction_count.append(0)
        registrations.first_position.append(len(self.positions))
        registrations.position_count.append(0)
        self.leads.customer[lead] = row
        return row

    def append_transaction(self, customer: int, at: int, *, fake: bool) -> int:
        """Add a transaction of `customer` at `at`; returns its row.

        It extends the customer's run of rows when it can, else it is one of the customer's
        `later_transactions`.
        """
        transactions, customers = self.transactions, self.registrations
        row = len(transactions)
        transactions.customer.append(customer)
        transactions.at.append(at)
        transactions.fake.append(fake)
        transactions.entropy += _entropy(self.seed, b"transaction", row)
        count = customers.transaction_count[customer]
        if customers.first_transaction[customer] + count == row and count < _MAX_RUN:
            customers.transaction_count[customer] = count + 1
        else:
            self.later_transactions.setdefault(customer, []).append(row)
        return row

    def append_position(self, customer: int, account: int, opened: int, closed: int) -> int:
        """Add a closed position of `customer` on its account number `account`; returns its row.

        Like transactions, it extends the customer's run of rows or is a later one.
        """
        positions, customers = self.positions, self.registrations
        row = len(positions)
        positions.customer.append(customer)
        positions.account.append(account)
        positions.opened.append(opened)
        positions.closed.append(closed)
        positions.entropy += _entropy(self.seed, b"position", row)
        count = customers.position_count[customer]
        if customers.first_position[customer] + count == row and count < _MAX_RUN:
            customers.position_count[customer] = count + 1
        else:
            self.later_positions.setdefault(customer, []).append(row)
        return row


_MAX_RUN = 255
"""The most rows a customer's run can count (the count columns are unsigned bytes)."""


def _entropy(seed: int, stream: bytes, row: int) -> bytes:
    """A row's entropy when it is appended after the skeleton was built."""
    return blake2b(b"%d:%s:%d" % (seed, stream, row), digest_size=ENTROPY_BYTES).digest()


def build_skeleton(seed: int, leads: int, start: int, end: int) -> Skeleton:
    """The skeleton for `leads` leads over [start, end], the same for the same arguments."""
    if leads < 1:
        raise ValueError("scale must be at least 1")
    if end <= start:
        raise ValueError("the data period must end after it starts")
    skeleton = Skeleton(
        seed,
        start,
        end,
        LeadColumns(),
        RegistrationColumns(),
        TransactionColumns(),
        PositionColumns(),
    )
    conversions = _generate_leads(skeleton, random.Random(f"impact-crm:{seed}:leads"), leads)
    _generate_customers(skeleton, random.Random(f"impact-crm:{seed}:customers"), conversions)
    for name, columns in (
        ("leads", skeleton.leads),
        ("transactions", skeleton.transactions),
        ("positions", skeleton.positions),
    ):
        rng = random.Random(f"impact-crm:{seed}:{name}:entropy")
        columns.entropy = bytearray(rng.randbytes(ENTROPY_BYTES * len(columns)))
    return skeleton


def _generate_leads(skeleton: Skeleton, rng: random.Random, count: int) -> list[tuple[int, int]]:
    """Fill the lead columns; returns (conversion time, lead row) of each lead that converts."""
    uniform, exponential = rng.random, rng.expovariate
    start, end = skeleton.start, skeleton.end
    step = (end - start + 1) / count
    modification_rate = 1 / MEAN_LEAD_MODIFICATION_DELAY
    registered: list[int] = []
    modified: list[int] = []
    affiliate: list[int] = []
    conversions: list[tuple[int, int]] = []
    for row in range(count):
        at = start + int((row + uniform()) * step)
        registered.append(at)
        if uniform() < UNMODIFIED_LEAD_SHARE:
            modified.append(at)
        else:
            modified.append(min(at + int(exponential(modification_rate)), end))
        affiliate.append(int(AFFILIATE_COUNT * uniform() ** 2))
        if uniform() < CONVERSION_RATE:
            conversions.append((min(at + int(uniform() * CONVERSION_DELAY), end), row))
    leads = skeleton.leads
    leads.registered = array("q", registered)
    leads.modified = array("q", modified)
    leads.affiliate = array("h", affiliate)
    leads.customer = array("i", [-1]) * count
    conversions.sort()
    return conversions


def _generate_customers(
    skeleton: Skeleton, rng: random.Random, conversions: list[tuple[int, int]]
) -> None:
    """Fill the registration, transaction and position columns, customers in conversion order."""
    uniform, exponential = rng.random, rng.expovariate
    end = skeleton.end
    customers = skeleton.registrations
    transactions = skeleton.transactions
    positions = skeleton.positions
    lead_customer = skeleton.leads.customer
    transaction_counts = _cumulative(TRANSACTION_COUNT_WEIGHTS)
    account_counts = _cumulative(ACCOUNT_COUNT_WEIGHTS)
    modification_rate = 1 / MEAN_CUSTOMER_MODIFICATION_DELAY
    duration_rate = 1 / MEAN_POSITION_DURATION
    server_count = len(SERVERS)
    for row, (at, lead) in enumerate(conversions):
        lead_customer[lead] = row
        customers.lead.append(lead)
        customers.registered.append(at)
        if uniform() < UNMODIFIED_CUSTOMER_SHARE:
            customers.modified.append(at)
        else:
            customers.modified.append(min(at + int(exponential(modification_rate)), end))

        accounts = bisect(account_counts, uniform())
        customers.account_servers.extend(
            int(uniform() * server_count) if number < accounts else -1
            for number in range(MAX_ACCOUNTS)
        )

        spread = min(TRANSACTION_SPREAD, end - at) + 1
        times = sorted(
            at + int(uniform() * spread) for _ in range(bisect(transaction_counts, uniform()))
        )
        customers.first_transaction.append(len(transactions.at))
        customers.transaction_count.append(len(times))
        customers.first_deposit.append(times[0] if times else -1)
        for number, transacted in enumerate(times):
            transactions.customer.append(row)
            transactions.at.append(transacted)
            transactions.fake.append(number > 0 and uniform() < FAKE_TRANSACTION_SHARE)

        count = int(uniform() * (MAX_POSITIONS_PER_CUSTOMER + 1)) if accounts else 0
        customers.first_position.append(len(positions.closed))
        customers.position_count.append(count)
        spread = min(POSITION_SPREAD, end - at) + 1
        for _ in range(count):
            opened = at + int(uniform() * spread)
            positions.customer.append(row)
            positions.account.append(int(uniform() * accounts))
            positions.opened.append(opened)
            positions.closed.append(min(opened + 60 + int(exponential(duration_rate)), end))
