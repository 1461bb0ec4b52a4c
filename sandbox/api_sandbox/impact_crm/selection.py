"""Which rows a report query selects, in serving order, using sorted date indexes.

A single date filter is a span of one index (no copying); id filters, a second date filter
and `affId` narrow it by scanning, and such materialized selections are kept in a small cache
until the data next changes, so paging through them stays cheap.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable

from api_sandbox.impact_crm.indexes import DateIndex, RowSpan
from api_sandbox.impact_crm.queries import Criteria
from api_sandbox.impact_crm.records import FIRST_LEAD_ID, FIRST_USER_ID
from api_sandbox.impact_crm.skeleton import Skeleton
from api_sandbox.impact_crm.vocabulary import FIRST_AFFILIATE_ID, SERVERS

_SELECTION_CACHE_SIZE = 64


class RowSelector:
    """The date indexes of a skeleton and the query logic on top of them.

    Not thread-safe on its own: the dataset calls it under its lock.
    """

    def __init__(self, skeleton: Skeleton) -> None:
        self.skeleton = skeleton
        self._selections: dict[Criteria, RowSpan] = {}
        leads, customers = skeleton.leads, skeleton.registrations
        transactions, positions = skeleton.transactions, skeleton.positions
        self._leads_by_registered = DateIndex(leads.registered, range(len(leads)))
        self._leads_by_modified = DateIndex(leads.modified, range(len(leads)))
        self._registrations_by_registered = DateIndex(customers.registered, range(len(customers)))
        self._registrations_by_modified = DateIndex(customers.modified, range(len(customers)))
        self._transactions_by_date = DateIndex(transactions.at, range(len(transactions)))
        fake = transactions.fake
        self._real_transactions_by_date = DateIndex(
            transactions.at, (row for row in range(len(transactions)) if not fake[row])
        )
        servers = [skeleton.position_server(row) for row in range(len(positions))]
        self._positions_by_close = [
            DateIndex(positions.closed, (row for row, s in enumerate(servers) if s == server))
            for server in range(len(SERVERS))
        ]

    def touched(self, stream: str, row: int, previous_modified: int) -> None:
        """Re-index a lead or registration whose last-modified time changed."""
        index = self._leads_by_modified if stream == "leads" else self._registrations_by_modified
        index.remove(row, previous_modified)
        index.insert(row)
        self._selections.clear()

    def appended(self, stream: str, row: int) -> None:
        """Index a lead or registration just appended to the skeleton."""
        if stream == "leads":
            self._leads_by_registered.insert(row)
            self._leads_by_modified.insert(row)
        else:
            self._registrations_by_registered.insert(row)
            self._registrations_by_modified.insert(row)
        self._selections.clear()

    def select(self, criteria: Criteria) -> RowSpan:
        """The rows `criteria` selects, in serving order: by the ordering date, then row."""
        cached = self._selections.get(criteria)
        if cached is not None:
            return cached
        if criteria.stream == "positions" and criteria.server is None:
            parts = [self._select_on(criteria, server)[0] for server in range(len(SERVERS))]
            selected, materialized = RowSpan.of(row for p in parts for row in p.all()), True
        else:
            selected, materialized = self._select_on(criteria, criteria.server)
        if materialized:
            if len(self._selections) >= _SELECTION_CACHE_SIZE:
                self._selections.pop(next(iter(self._selections)))
            self._selections[criteria] = selected
        return selected

    def _select_on(self, criteria: Criteria, server: int | None) -> tuple[RowSpan, bool]:
        """The selected rows in serving order, and whether they had to be materialized.

        A single date filter is a span of an index; id filters, a second date filter and
        `affId` are applied by scanning.
        """
        index = self._index(criteria, server)
        candidates = self._id_candidates(criteria)
        windows = criteria.windows
        if candidates is not None:
            rows = [row for row in candidates if self._keeps(criteria, server, row)]
        else:
            first, windows = (windows[0], windows[1:]) if windows else (None, ())
            span = index.span(first.start, first.stop) if first else index.span()
            if not windows and criteria.affiliate_id is None:
                return span, False
            rows = span.all().tolist()
        for window in windows:
            column = self._column(criteria.stream, window.column)
            start, stop = window.start, window.stop
            rows = [row for row in rows if start <= column[row] < stop]
        if criteria.affiliate_id is not None:
            affiliate = self._affiliate_of(criteria.stream)
            rows = [row for row in rows if affiliate(row) == criteria.affiliate_id]
        if candidates is not None:
            order = index.column
            rows.sort(key=lambda row: (order[row], row))
        return RowSpan.of(rows), True

    def _id_candidates(self, criteria: Criteria) -> list[int] | None:
        """The few rows an id filter allows, or None without one."""
        skeleton = self.skeleton
        if criteria.lead_id is not None:
            row = criteria.lead_id - FIRST_LEAD_ID
            return [row] if 0 <= row < len(skeleton.leads) else []
        if criteria.user_id is None:
            return None
        customer = criteria.user_id - FIRST_USER_ID
        customers = skeleton.registrations
        if not 0 <= customer < len(customers):
            return []
        if criteria.stream == "registrations":
            return [customer]
        if criteria.stream == "transactions":
            first = customers.first_transaction[customer]
            rows = range(first, first + customers.transaction_count[customer])
            return [*rows, *skeleton.later_transactions.get(customer, ())]
        first = customers.first_position[customer]
        rows = range(first, first + customers.position_count[customer])
        return [*rows, *skeleton.later_positions.get(customer, ())]

    def _keeps(self, criteria: Criteria, server: int | None, row: int) -> bool:
        """Whether a row found by id passes the filters the index would have applied."""
        if criteria.stream == "transactions" and not criteria.include_fake:
            return not self.skeleton.transactions.fake[row]
        if criteria.stream == "positions":
            return self.skeleton.position_server(row) == server
        return True

    def _index(self, criteria: Criteria, server: int | None) -> DateIndex:
        stream, order = criteria.stream, criteria.order
        if stream == "leads":
            return self._leads_by_modified if order == "modified" else self._leads_by_registered
        if stream == "registrations":
            if order == "modified":
                return self._registrations_by_modified
            return self._registrations_by_registered
        if stream == "transactions":
            if criteria.include_fake:
                return self._transactions_by_date
            return self._real_transactions_by_date
        return self._positions_by_close[server if server is not None else 0]

    def _column(self, stream: str, name: str) -> array:
        columns = {
            "leads": self.skeleton.leads,
            "registrations": self.skeleton.registrations,
            "transactions": self.skeleton.transactions,
            "positions": self.skeleton.positions,
        }
        return getattr(columns[stream], name)

    def _affiliate_of(self, stream: str) -> Callable[[int], int]:
        affiliate = self.skeleton.leads.affiliate
        if stream == "leads":
            return lambda row: FIRST_AFFILIATE_ID + affiliate[row]
        lead = self.skeleton.registrations.lead
        return lambda row: FIRST_AFFILIATE_ID + affiliate[lead[row]]
