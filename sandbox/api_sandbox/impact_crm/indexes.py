"""Sorted indexes over a timestamp column, for date-range filters and stable paging."""

from __future__ import annotations

from array import array
from bisect import bisect_left
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class RowSpan:
    """Rows `rows[start:stop]` of a result, in serving order."""

    rows: array
    start: int
    stop: int

    @classmethod
    def of(cls, rows: Iterable[int]) -> RowSpan:
        materialized = array("i", rows)
        return cls(materialized, 0, len(materialized))

    def __len__(self) -> int:
        return self.stop - self.start

    def slice(self, offset: int, size: int) -> array:
        first = self.start + offset
        return self.rows[first : min(first + size, self.stop)]

    def all(self) -> array:
        return self.rows[self.start : self.stop]


class DateIndex:
    """The rows of one stream ordered by a timestamp column, then by row (i.e. by id)."""

    def __init__(self, column: array, rows: Iterable[int]) -> None:
        self.column = column
        ordered = sorted(rows, key=column.__getitem__)
        self.rows = array("i", ordered)
        self.keys = array("q", [column[row] for row in ordered])

    def span(self, start: int | None = None, stop: int | None = None) -> RowSpan:
        """The rows whose timestamp is in [start, stop); all rows when unbounded."""
        first = 0 if start is None else bisect_left(self.keys, start)
        last = len(self.keys) if stop is None else bisect_left(self.keys, stop)
        return RowSpan(self.rows, first, max(first, last))

    def insert(self, row: int) -> None:
        """Index a row at its column's current timestamp."""
        key = self.column[row]
        position = bisect_left(self.keys, key)
        while (
            position < len(self.keys) and self.keys[position] == key and self.rows[position] < row
        ):
            position += 1
        self.keys.insert(position, key)
        self.rows.insert(position, row)

    def remove(self, row: int, key: int) -> None:
        """Unindex a row that was indexed at timestamp `key`."""
        position = bisect_left(self.keys, key)
        while self.rows[position] != row:
            position += 1
        del self.keys[position]
        del self.rows[position]
