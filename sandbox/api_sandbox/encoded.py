"""Pre-encoded JSON records, rendered once on first use and then served as bytes.

Serving a page is then a join of cached byte strings. A shared byte budget bounds the memory
the caches may take; past it, records are still rendered, just not kept.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence


class CacheBudget:
    """How much memory (bytes objects included) all caches together may take."""

    def __init__(self, limit_bytes: int) -> None:
        self.limit_bytes = limit_bytes
        self.used_bytes = 0

    def take(self, size: int) -> bool:
        if self.used_bytes + size > self.limit_bytes:
            return False
        self.used_bytes += size
        return True

    def give_back(self, size: int) -> None:
        self.used_bytes -= size


class EncodedRecords:
    """The encoded JSON of one stream's records, by row, rendered lazily."""

    def __init__(self, render: Callable[[int], bytes], budget: CacheBudget) -> None:
        self._render = render
        self._budget = budget
        self._items: list[bytes | None] = []

    def grow(self, rows: int) -> None:
        """Make room for rows appended to the stream."""
        self._items.extend([None] * (rows - len(self._items)))

    def get(self, row: int) -> bytes:
        encoded = self._items[row]
        if encoded is None:
            encoded = self._render_and_keep(row)
        return encoded

    def many(self, rows: Sequence[int]) -> list[bytes]:
        items = self._items
        out = [items[row] for row in rows]
        if None in out:
            out = [
                encoded or self._render_and_keep(row)
                for encoded, row in zip(out, rows, strict=True)
            ]
        return out

    def prerender(self) -> int:
        """Render every row not cached yet, while the budget lasts; return how many were kept."""
        kept = 0
        for row in range(len(self._items)):
            if self._items[row] is not None:
                continue
            encoded = self._render(row)
            if not self._budget.take(sys.getsizeof(encoded)):
                break
            self._items[row] = encoded
            kept += 1
        return kept

    def forget(self, row: int) -> None:
        """Drop a row's cached bytes after its record changed."""
        encoded = self._items[row]
        if encoded is not None:
            self._items[row] = None
            self._budget.give_back(sys.getsizeof(encoded))

    def _render_and_keep(self, row: int) -> bytes:
        encoded = self._render(row)
        if self._budget.take(sys.getsizeof(encoded)):
            self._items[row] = encoded
        return encoded
