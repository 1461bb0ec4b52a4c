"""Where the ledger lives: a SQLite file or a PostgreSQL database, named by `ledger_url`.

`sqlite:///relative/path.sqlite`, `sqlite:////absolute/path.sqlite` (SQLAlchemy's spelling)
or `postgresql://user:password@host:5432/database` (libpq's; `postgres://` too, with any libpq
parameter such as `?sslmode=require`). In PostgreSQL the ledger's tables live in the schema
`target_tracksale`, created on first use.

`LedgerDatabase` hides the two dialects behind one small interface: statements are written
once, with `?` placeholders and lists passed as one JSON parameter (`json_list` and
`json_rows` read them back as rows), and every write goes through `transaction()`, which
takes SQLite's write lock first (`BEGIN IMMEDIATE`), so processes sharing a file take turns.
One connection per ledger, shared by the run's threads under a lock.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import msgspec
from connector_kit.errors import ConnectorError
from connector_kit.redaction import MASK, protect_secrets

POSTGRES_SCHEMA = "target_tracksale"
SQLITE_BUSY_SECONDS = 60.0
"""How long a SQLite write waits for another process's write to finish."""
_SCHEMES = {"sqlite": "sqlite", "postgresql": "postgresql", "postgres": "postgresql"}


_encode = msgspec.json.Encoder().encode


def now_text() -> str:
    """Now, UTC, to the second: the time the ledger's rows are stamped with."""
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


def json_text(values: Any) -> str:
    """A list (or rows) as the one JSON parameter `json_list` and `json_rows` read."""
    return _encode(values).decode()


class LedgerUrlError(ConnectorError):
    """A ledger this target cannot use or reach; the message says what to change."""


@dataclass(frozen=True)
class LedgerUrl:
    """A parsed `ledger_url`: its dialect, its SQLite path, and a form safe to show."""

    dialect: str
    url: str
    path: str = ""
    """The SQLite file (or `:memory:`)."""

    @property
    def shown(self) -> str:
        """The URL with its password masked, for logs and the summary."""
        if self.dialect == "sqlite":
            return f"sqlite:///{self.path}" if self.path != ":memory:" else "sqlite://:memory:"
        parts = urlsplit(self.url)
        if parts.password is None:
            return urlunsplit(parts._replace(query=""))
        host = parts.netloc.rsplit("@", 1)[1]
        user = parts.username or ""
        return urlunsplit(parts._replace(netloc=f"{user}:{MASK}@{host}", query=""))


def parse_ledger_url(url: str) -> LedgerUrl:
    """Read a `ledger_url`, or say what is wrong with it (never echoing a password)."""
    scheme = url.split(":", 1)[0].lower() if ":" in url else ""
    dialect = _SCHEMES.get(scheme.split("+", 1)[0])
    if dialect is None:
        raise LedgerUrlError(
            "`ledger_url` must start with sqlite:/// (a file, e.g. "
            "sqlite:///.output/target-tracksale/ledger.sqlite) or postgresql:// (e.g. "
            f"postgresql://user:password@host:5432/database); it starts with {scheme!r}."
        )
    if dialect == "sqlite":
        if url in ("sqlite://", "sqlite://:memory:", "sqlite:///:memory:"):
            return LedgerUrl("sqlite", url, ":memory:")
        if not url.startswith("sqlite:///") or len(url) == len("sqlite:///"):
            raise LedgerUrlError(
                "A SQLite `ledger_url` is sqlite:/// and a path: sqlite:///relative/ledger.sqlite "
                "or sqlite:////absolute/ledger.sqlite."
            )
        return LedgerUrl("sqlite", url, url[len("sqlite:///") :])
    parts = urlsplit(url)
    if not parts.hostname and "host=" not in parts.query:
        raise LedgerUrlError(
            "A PostgreSQL `ledger_url` names its server: "
            "postgresql://user:password@host:5432/database."
        )
    protect_secrets([parts.password])
    return LedgerUrl("postgresql", url)


def sqlite_url(path: str | Path) -> str:
    """The `ledger_url` of a SQLite file."""
    return "sqlite://:memory:" if str(path) == ":memory:" else f"sqlite:///{path}"


class LedgerDatabase:
    """One connection to the ledger's database, in either dialect, shared under a lock."""

    def __init__(self, where: LedgerUrl) -> None:
        self.where = where
        self.dialect = where.dialect
        self.lock = threading.RLock()
        self._connection: Any = (
            _connect_sqlite(where) if self.dialect == "sqlite" else _connect_postgres(where)
        )

    def execute(self, statement: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """Run one statement (placeholders `?`); its rows, if it returns any."""
        with self.lock:
            cursor = self._connection.execute(self._native(statement), tuple(params))
            return list(cursor.fetchall()) if cursor.description else []

    def change(self, statement: str, params: Sequence[Any] = ()) -> int:
        """Run one INSERT, UPDATE or DELETE; how many rows it changed."""
        with self.lock:
            return int(self._connection.execute(self._native(statement), tuple(params)).rowcount)

    def _native(self, statement: str) -> str:
        if self.dialect == "postgresql":
            return statement.replace("%", "%%").replace("?", "%s")
        return statement

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Statements inside run as one transaction; SQLite's write lock is taken at once."""
        with self.lock:
            if self.dialect == "sqlite":
                self._connection.execute("BEGIN IMMEDIATE")
                try:
                    yield
                except BaseException:
                    self._connection.execute("ROLLBACK")
                    raise
                self._connection.execute("COMMIT")
            else:
                with self._connection.transaction():
                    yield

    def json_list(self) -> str:
        """A subquery of the text values in one JSON array parameter, as column `value`."""
        if self.dialect == "sqlite":
            return "(SELECT value FROM json_each(?))"
        return "(SELECT jsonb_array_elements_text(?::jsonb) AS value)"

    def json_rows(self, columns: int) -> str:
        """A query of the rows in one JSON array-of-arrays parameter, as text columns c0..."""
        if self.dialect == "sqlite":
            picked = ", ".join(f"json_extract(value, '$[{i}]') AS c{i}" for i in range(columns))
            return f"SELECT {picked} FROM json_each(?)"
        picked = ", ".join(f"value->>{i} AS c{i}" for i in range(columns))
        return f"SELECT {picked} FROM jsonb_array_elements(?::jsonb)"

    def now_seconds(self) -> str:
        """An expression for the database's clock, in Unix seconds (one clock for all hosts)."""
        if self.dialect == "sqlite":
            return "((julianday('now') - 2440587.5) * 86400.0)"
        return "extract(epoch from clock_timestamp())::float8"

    def create_schema(self, statements: Sequence[str]) -> None:
        """Create the ledger's tables once, even when several runs start together."""
        with self.transaction():
            if self.dialect == "postgresql":
                self.execute("SELECT pg_advisory_xact_lock(hashtext('target_tracksale.ledger'))")
            for statement in statements:
                if self.dialect == "postgresql":
                    self.execute(statement.replace("WITHOUT ROWID", ""))
                else:
                    self.execute(statement)

    def end_stalled_transactions(self, seconds: float) -> None:
        """Have the server end this connection if it stalls inside a transaction that long.

        A run frozen or cut off mid-transaction would otherwise hold its row locks, and
        every other run sharing the ledger would wait for them, for as long as the server
        keeps the connection. (SQLite has no server: a write waits `SQLITE_BUSY_SECONDS`.)
        """
        if self.dialect == "postgresql":
            milliseconds = max(int(seconds * 1000), 1000)
            self.execute(f"SET idle_in_transaction_session_timeout = {milliseconds}")

    def close(self) -> None:
        with self.lock:
            self._connection.close()


def _connect_sqlite(where: LedgerUrl) -> sqlite3.Connection:
    if where.path != ":memory:":
        Path(where.path).parent.mkdir(parents=True, exist_ok=True)
    connection = sqlite3.connect(
        where.path, check_same_thread=False, isolation_level=None, timeout=SQLITE_BUSY_SECONDS
    )
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=NORMAL")
    try:
        connection.execute("SELECT value FROM json_each('[1]')").fetchall()
    except sqlite3.OperationalError:
        connection.close()
        msg = (
            f"This Python's SQLite ({sqlite3.sqlite_version}) has no JSON functions, which the "
            "ledger needs (SQLite 3.38 and later have them built in): use a newer Python, or "
            "a PostgreSQL `ledger_url`."
        )
        raise LedgerUrlError(msg) from None
    return connection


def _connect_postgres(where: LedgerUrl) -> Any:
    import psycopg  # noqa: PLC0415 -- only a PostgreSQL ledger needs it (0.2 s to import)

    try:
        connection = psycopg.connect(where.url, autocommit=True, connect_timeout=30)
    except psycopg.Error as error:
        reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        msg = f"Cannot open the ledger at {where.shown}: {reason}"
        raise LedgerUrlError(msg) from None
    with connection.transaction():  # two runs starting together must not both create it
        connection.execute("SELECT pg_advisory_xact_lock(hashtext('target_tracksale.ledger'))")
        connection.execute(f"CREATE SCHEMA IF NOT EXISTS {POSTGRES_SCHEMA}")
    connection.execute(f"SET search_path TO {POSTGRES_SCHEMA}")
    return connection
