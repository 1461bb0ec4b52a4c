"""A later week of the CRM (see `api_sandbox.later`), appended to the skeleton.

The week runs at the data period's pace: leads arrive evenly, about 30% of them become
customers within three days, most of whom make a first deposit that week; customers who
deposited and registered in the last 120 days keep transacting, and those with accounts who
registered in the last 180 days keep trading, about as often as in the period. Some leads and
customers registered in the last 30 days are edited: a last-modified time in the week and
one field changed, as `ImpactCrmDataset.edit` changes them (a revision more).

Records before the week keep their rows, ids and fields; new ones get new rows, so new leads
and customers have new ids and new e-mails.
"""

from __future__ import annotations

import random
from bisect import bisect, bisect_left

from api_sandbox.impact_crm.records import RecordFactory
from api_sandbox.impact_crm.skeleton import (
    ACCOUNT_COUNT_WEIGHTS,
    CONVERSION_DELAY,
    CONVERSION_RATE,
    DAY,
    FAKE_TRANSACTION_SHARE,
    MAX_ACCOUNTS,
    MEAN_CUSTOMER_MODIFICATION_DELAY,
    MEAN_LEAD_MODIFICATION_DELAY,
    MEAN_POSITION_DURATION,
    POSITION_SPREAD,
    TRANSACTION_SPREAD,
    UNMODIFIED_CUSTOMER_SHARE,
    UNMODIFIED_LEAD_SHARE,
    LeadColumns,
    RegistrationColumns,
    Skeleton,
)
from api_sandbox.impact_crm.vocabulary import AFFILIATE_COUNT, SERVERS

FIRST_DEPOSIT_SHARE = 0.85
TRANSACTION_CHANCE = 0.17
"""Chance that an active depositor transacts in a week: about 3 transactions in 120 days."""
POSITION_CHANCE = 0.17
"""Chance that an active trader closes a position in a week: about 4 in 180 days."""
MAX_NEW_CUSTOMER_POSITIONS = 2
EDITS_PER_NEW_RECORD = 0.5
"""Leads (customers) edited in a week, per lead (customer) new that week."""
RECENT = 30 * DAY
_ACCOUNT_COUNTS = [sum(ACCOUNT_COUNT_WEIGHTS[: n + 1]) for n in range(MAX_ACCOUNTS)]


class LaterWeek:
    """Appends one later week to a skeleton; `add()` does it."""

    def __init__(
        self, skeleton: Skeleton, factory: RecordFactory, week: int, span: tuple[int, int]
    ) -> None:
        self.skeleton = skeleton
        self.factory = factory
        self.start, self.end = span
        self.rng = random.Random(f"impact-crm:{skeleton.seed}:week:{week}")

    def add(self, leads: int) -> None:
        """Add `leads` new leads (at least one) and the week's customers, activity and edits."""
        skeleton = self.skeleton
        old_leads, old_customers = len(skeleton.leads), len(skeleton.registrations)
        new_leads = max(1, leads)
        for at, lead in self._add_leads(new_leads):
            self._add_customer(lead, at)
        self._keep_transacting(old_customers)
        self._keep_trading(old_customers)
        new_customers = len(skeleton.registrations) - old_customers
        edits = round(EDITS_PER_NEW_RECORD * new_leads)
        self._edit(skeleton.leads, self.factory.lead_revisions, old_leads, edits)
        edits = round(EDITS_PER_NEW_RECORD * new_customers)
        self._edit(
            skeleton.registrations, self.factory.registration_revisions, old_customers, edits
        )
        skeleton.end = self.end

    def _moment(self, after: int | None = None) -> int:
        """A uniformly drawn second of the week, not before `after`."""
        first = self.start if after is None else max(self.start, after)
        return first + int(self.rng.random() * (self.end - first + 1))

    def _add_leads(self, count: int) -> list[tuple[int, int]]:
        """Append `count` leads spread over the week; returns (conversion time, row), sorted."""
        rng, leads, end = self.rng, self.skeleton.leads, self.end
        converting = set(rng.sample(range(count), max(1, round(count * CONVERSION_RATE))))
        conversions = []
        for number in range(count):
            at = self.start + int((number + rng.random()) * (end - self.start + 1) / count)
            row = self.skeleton.append_lead(at, int(AFFILIATE_COUNT * rng.random() ** 2))
            if rng.random() >= UNMODIFIED_LEAD_SHARE:
                delay = int(rng.expovariate(1 / MEAN_LEAD_MODIFICATION_DELAY))
                leads.modified[row] = min(at + delay, end)
            if number in converting:
                conversions.append((min(at + int(rng.random() * CONVERSION_DELAY), end), row))
        return sorted(conversions)

    def _add_customer(self, lead: int, at: int) -> None:
        """Convert `lead` at `at`: accounts, most often a first deposit, maybe a trade or two."""
        rng, skeleton, end = self.rng, self.skeleton, self.end
        customers = skeleton.registrations
        row = skeleton.append_customer(lead, at)
        if rng.random() >= UNMODIFIED_CUSTOMER_SHARE:
            delay = int(rng.expovariate(1 / MEAN_CUSTOMER_MODIFICATION_DELAY))
            customers.modified[row] = min(at + delay, end)
        accounts = bisect(_ACCOUNT_COUNTS, rng.random())
        for number in range(accounts):
            customers.account_servers[row * MAX_ACCOUNTS + number] = int(
                rng.random() * len(SERVERS)
            )
        if rng.random() < FIRST_DEPOSIT_SHARE:
            deposit = self._moment(after=at)
            customers.first_deposit[row] = deposit
            skeleton.append_transaction(row, deposit, fake=False)
        if accounts:
            for _ in range(int(rng.random() * (MAX_NEW_CUSTOMER_POSITIONS + 1))):
                self._add_position(row, int(rng.random() * accounts), self._moment(after=at))

    def _keep_transacting(self, customers: int) -> None:
        """Give depositors of the last `TRANSACTION_SPREAD` a transaction now and then."""
        rng, skeleton = self.rng, self.skeleton
        columns = skeleton.registrations
        first = bisect_left(columns.registered, self.start - TRANSACTION_SPREAD, hi=customers)
        for row in range(first, customers):
            if columns.first_deposit[row] >= 0 and rng.random() < TRANSACTION_CHANCE:
                fake = rng.random() < FAKE_TRANSACTION_SHARE
                skeleton.append_transaction(row, self._moment(), fake=fake)

    def _keep_trading(self, customers: int) -> None:
        """Give traders of the last `POSITION_SPREAD` a closed position now and then."""
        rng, columns = self.rng, self.skeleton.registrations
        first = bisect_left(columns.registered, self.start - POSITION_SPREAD, hi=customers)
        for row in range(first, customers):
            accounts = columns.accounts(row)
            if accounts and rng.random() < POSITION_CHANCE:
                number, _ = accounts[int(rng.random() * len(accounts))]
                self._add_position(row, number, self._moment())

    def _add_position(self, customer: int, account: int, closed: int) -> None:
        registered = self.skeleton.registrations.registered[customer]
        duration = 60 + int(self.rng.expovariate(1 / MEAN_POSITION_DURATION))
        self.skeleton.append_position(customer, account, max(registered, closed - duration), closed)

    def _edit(
        self,
        columns: LeadColumns | RegistrationColumns,
        revisions: dict[int, int],
        rows: int,
        count: int,
    ) -> None:
        """Edit `count` (at least one) of the first `rows` rows registered in the last 30 days."""
        first = bisect_left(columns.registered, self.start - RECENT, hi=rows)
        candidates = range(first, rows)
        for row in sorted(self.rng.sample(candidates, min(max(1, count), len(candidates)))):
            columns.modified[row] = self._moment()
            revisions[row] = revisions.get(row, 0) + 1
