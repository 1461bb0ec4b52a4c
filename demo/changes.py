"""What a pipeline run changed in the DuckDB warehouse, table by table: new, updated, read.

Before the run, `WarehouseSnapshot.take` keeps, per table, a hash of each row's content (every
column but the loader's `_sdc_*` metadata) and the latest `_sdc_batched_at`. target-duckdb
upserts on the primary key and stamps `_sdc_batched_at` on every row it writes, inserted or
updated, so after the run, per table:

- new: rows now less rows before (the loader never deletes a row);
- read: rows stamped later than the latest stamp before, i.e. every row the run loaded,
  changed or not (each tap reads its bookmark's day again, and its lookback where it has one);
- updated: rows loaded by the run whose content was not in the table before, less the new.

The snapshot lives in an in-memory database, which attaches the warehouse read-only only
while it reads, so the loader can write in between.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb

BATCHED_AT = "_sdc_batched_at"


@dataclass(frozen=True)
class TableChange:
    """One table before and after a run."""

    before: int
    after: int
    read: int
    """Rows the run loaded: new, updated, or read again unchanged."""
    differing: int
    """Rows the run loaded whose content the table did not hold before: new or updated."""

    @property
    def new(self) -> int:
        return max(0, self.after - self.before)

    @property
    def updated(self) -> int:
        return max(0, self.differing - self.new)


@dataclass(frozen=True)
class _TableSnapshot:
    snapshot_table: str
    columns: tuple[str, ...]
    rows: int
    last_batched_at: object | None


class WarehouseSnapshot:
    """Row hashes and load stamps of every table of a warehouse, to compare after a run."""

    def __init__(self, warehouse: Path) -> None:
        self.warehouse = warehouse
        self._db = duckdb.connect()
        self._tables: dict[str, _TableSnapshot] = {}

    @classmethod
    def take(cls, warehouse: Path) -> WarehouseSnapshot:
        """Snapshot every table of `warehouse` (none when the file does not exist yet)."""
        snapshot = cls(warehouse)
        if warehouse.exists():
            with snapshot._attached() as tables:
                for number, (name, columns) in enumerate(tables.items()):
                    snapshot._tables[name] = snapshot._take_table(f"before_{number}", name, columns)
        return snapshot

    def changes(self) -> dict[str, TableChange]:
        """Each table's change since the snapshot, by `schema.table`."""
        changes = {}
        with self._attached() as tables:
            for name, columns in tables.items():
                changes[name] = self._change(name, columns)
        return changes

    def close(self) -> None:
        self._db.close()

    def _take_table(
        self, snapshot_table: str, name: str, columns: tuple[str, ...]
    ) -> _TableSnapshot:
        content = _content_columns(columns)
        self._db.execute(
            f"create table {snapshot_table} as select {_row_hash(content)} as h from {_wh(name)}"
        )
        rows = self._db.execute(f"select count(*) from {snapshot_table}").fetchone()[0]
        last = None
        if BATCHED_AT in columns:
            last = self._db.execute(f"select max({BATCHED_AT}) from {_wh(name)}").fetchone()[0]
        return _TableSnapshot(snapshot_table, content, rows, last)

    def _change(self, name: str, columns: tuple[str, ...]) -> TableChange:
        db, table = self._db, _wh(name)
        after = db.execute(f"select count(*) from {table}").fetchone()[0]
        before = self._tables.get(name)
        if before is None:
            return TableChange(0, after, after, after)
        loaded = f"select * from {table}"
        if BATCHED_AT in columns and before.last_batched_at is not None:
            loaded += f" where {BATCHED_AT} > $last"
        parameters = {"last": before.last_batched_at} if "$last" in loaded else {}
        read = db.execute(f"select count(*) from ({loaded})", parameters).fetchone()[0]
        differing = db.execute(
            f"select count(*) from (select {_row_hash(before.columns)} as h from ({loaded})) r "
            f"where r.h not in (select h from {before.snapshot_table})",
            parameters,
        ).fetchone()[0]
        return TableChange(before.rows, after, read, differing)

    @contextmanager
    def _attached(self) -> Iterator[dict[str, tuple[str, ...]]]:
        """Attach the warehouse read-only; yield its tables' columns by `schema.table`."""
        path = str(self.warehouse).replace("'", "''")
        self._db.execute(f"attach '{path}' as wh (read_only)")
        try:
            found = self._db.execute(
                "select table_schema, table_name, column_name from information_schema.columns "
                "where table_catalog = 'wh' order by table_schema, table_name, ordinal_position"
            ).fetchall()
            tables: dict[str, tuple[str, ...]] = {}
            for schema, table, column in found:
                name = f"{schema}.{table}"
                tables[name] = (*tables.get(name, ()), column)
            yield tables
        finally:
            self._db.execute("detach wh")


def _content_columns(columns: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(column for column in columns if not column.startswith("_sdc_"))


def _row_hash(columns: tuple[str, ...]) -> str:
    return "hash(row(" + ", ".join(_quoted(column) for column in columns) + "))"


def _wh(name: str) -> str:
    schema, table = name.split(".", 1)
    return f"wh.{_quoted(schema)}.{_quoted(table)}"


def _quoted(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'
