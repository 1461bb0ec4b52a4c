"""The ledger: a local SQLite record of what each campaign accepted, so nothing is sent twice.

`deliveries` holds one row per action, campaign and identity (see `validation` for how a
customer is named) that Tracksale accepted (`sent`) or reported `duplicated`; either is final
and never sent again. Before a request goes out, one `requests` row lists its identities;
when Tracksale has answered, the request's final rows are written and its `requests` row
removed, in one transaction. So a run that stops between a request and its answer leaves that
row behind, and the next run knows which records an earlier request may have delivered: it
sends them again and Tracksale's own duplicate check settles them (a duplicated answer then
counts as already sent). Records whose fate an answer left unknown stay listed the same way.
Records Tracksale refused as invalid get no row, so a corrected record can be sent later.
Lots that customers were added to are kept too, until they are sent.

Writes are one transaction each; with WAL journaling a killed process loses no committed row.
A request's rows go to SQLite as one JSON text (where SQLite has its JSON functions), so the
insert runs without holding Python's lock while the next batch is being read.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import threading
import uuid
from collections.abc import Iterable, Sequence
from pathlib import Path

import msgspec

SENT = "sent"
DUPLICATED = "duplicated"
UNSETTLED = "unsettled"
DONE = frozenset({SENT, DUPLICATED})

LOT_OPEN = "open"
LOT_SENT = "sent"
LOT_GONE = "gone"

_QUERY_CHUNK = 500
_encoder = msgspec.json.Encoder()
_INSERT_COLUMNS = (
    "INSERT OR REPLACE INTO deliveries (action, campaign_code, identity, status, stream, "
    "run_id, lot_code, detail, updated_at) "
)
_ALIKE_GROUPS = 4
"""Up to this many kinds of final rows per request are written a kind at a time."""

_SCHEMA = """
CREATE TABLE IF NOT EXISTS deliveries (
    action TEXT NOT NULL,
    campaign_code INTEGER NOT NULL,
    identity TEXT NOT NULL,
    status TEXT NOT NULL,
    stream TEXT,
    run_id TEXT,
    lot_code TEXT,
    detail TEXT,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (action, campaign_code, identity)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS requests (
    request_id TEXT PRIMARY KEY,
    action TEXT NOT NULL,
    campaign_code INTEGER NOT NULL,
    identities TEXT NOT NULL,
    stream TEXT,
    run_id TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS lots (
    campaign_code INTEGER NOT NULL,
    lot_code TEXT NOT NULL,
    status TEXT NOT NULL,
    stream TEXT,
    created_at TEXT NOT NULL,
    sent_at TEXT,
    PRIMARY KEY (campaign_code, lot_code)
);
"""

Final = tuple[str, str, str | None, str | None]
"""(identity, status, lot_code, detail) of a record Tracksale answered for."""


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


class Ledger:
    """What Tracksale accepted, per action, campaign and identity; `:memory:` when disabled."""

    def __init__(self, path: str | Path, *, run_id: str) -> None:
        self.path = str(path)
        self.run_id = run_id
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self._lock = threading.Lock()
        with self._lock:
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.executescript(_SCHEMA)
            self._has_json = _has_json_functions(self._db)
        self._unsettled: dict[tuple[str, int], dict[str, tuple[str, str]]] = {}
        """(action, campaign) -> identity -> (request_id, run_id) of requests not answered."""
        self._load_unsettled()

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def _load_unsettled(self) -> None:
        with self._lock:
            rows = self._db.execute(
                "SELECT request_id, action, campaign_code, identities, run_id FROM requests"
            ).fetchall()
        for request_id, action, campaign_code, identities, run_id in rows:
            listed = self._unsettled.setdefault((action, int(campaign_code)), {})
            for identity in json.loads(identities):
                listed[identity] = (request_id, run_id)

    @property
    def unsettled_count(self) -> int:
        """Records that an unanswered request may have delivered."""
        return sum(len(listed) for listed in self._unsettled.values())

    def statuses(
        self, action: str, campaign_code: int, identities: Sequence[str]
    ) -> dict[str, tuple[str, str]]:
        """`identity -> (status, run_id)` for those of `identities` the ledger knows.

        `status` is `sent` or `duplicated` (final), or `unsettled` (a request that was not
        answered, or whose answer did not settle it, listed it).
        """
        found: dict[str, tuple[str, str]] = {}
        query = (
            "SELECT identity, status, run_id FROM deliveries WHERE action = ? AND "
            "campaign_code = ? AND identity IN "
        )
        with self._lock:
            for start in range(0, len(identities), _QUERY_CHUNK):
                chunk = identities[start : start + _QUERY_CHUNK]
                if self._has_json:
                    listed = _encoder.encode(list(chunk)).decode()
                    rows = self._db.execute(
                        query + "(SELECT value FROM json_each(?))",
                        (action, campaign_code, listed),
                    )
                else:
                    marks = ",".join("?" * len(chunk))
                    rows = self._db.execute(query + f"({marks})", (action, campaign_code, *chunk))
                for identity, status, run_id in rows:
                    found[identity] = (status, run_id or "")
            unsettled = self._unsettled.get((action, campaign_code), {})
            if unsettled:
                for identity in identities:
                    if identity not in found and identity in unsettled:
                        found[identity] = (UNSETTLED, unsettled[identity][1])
        return found

    def begin_request(
        self, action: str, campaign_code: int, identities: Sequence[str], *, stream: str
    ) -> str:
        """Before a request goes out: list its identities; returns the request's id."""
        request_id = uuid.uuid4().hex
        with self._lock:
            self._db.execute(
                "INSERT INTO requests (request_id, action, campaign_code, identities, stream, "
                "run_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    request_id,
                    action,
                    campaign_code,
                    json.dumps(list(identities)),
                    stream,
                    self.run_id,
                    _now(),
                ),
            )
        return request_id

    def settle(
        self,
        request_id: str,
        action: str,
        campaign_code: int,
        *,
        final: Sequence[Final],
        settled: Iterable[str],
        unsettled: Sequence[str],
        stream: str,
    ) -> None:
        """After Tracksale answered a request: write its final rows and forget the request.

        `settled` are all identities the answer decided (final ones and refused ones);
        `unsettled` are those it left unknown, which stay listed for a later run.
        """
        now = _now()
        settled = set(settled)
        with self._lock:
            earlier = self._unsettled.get((action, campaign_code), {})
            touched = {earlier[i][0] for i in settled if i in earlier}
            self._db.execute("BEGIN")
            try:
                self._insert_final(action, campaign_code, final, stream=stream, now=now)
                self._db.execute("DELETE FROM requests WHERE request_id = ?", (request_id,))
                if unsettled:
                    self._db.execute(
                        "INSERT INTO requests (request_id, action, campaign_code, identities, "
                        "stream, run_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                        (
                            request_id,
                            action,
                            campaign_code,
                            json.dumps(list(unsettled)),
                            stream,
                            self.run_id,
                            now,
                        ),
                    )
                for old_request in touched:
                    self._forget(old_request, settled)
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            for identity in settled:
                earlier.pop(identity, None)
            if unsettled:
                listed = self._unsettled.setdefault((action, campaign_code), {})
                for identity in unsettled:
                    listed[identity] = (request_id, self.run_id)

    def withdraw(self, request_id: str) -> None:
        """A request that was never sent, or that Tracksale refused before acting on it.

        Its listing is dropped, so its records count as unsent: the next run sends them once.
        Records also listed by an earlier unanswered request stay listed under that one.
        """
        with self._lock:
            self._db.execute("DELETE FROM requests WHERE request_id = ?", (request_id,))

    def _insert_final(
        self, action: str, campaign_code: int, final: Sequence[Final], *, stream: str, now: str
    ) -> None:
        """Write final rows: those alike but for their identity go in as one JSON list."""
        alike: dict[tuple[str, str | None, str | None], list[str]] = {}
        for identity, status, lot, detail in final:
            alike.setdefault((status, lot, detail), []).append(identity)
        if self._has_json and len(alike) <= _ALIKE_GROUPS:
            for (status, lot, detail), identities in alike.items():
                self._db.execute(
                    _INSERT_COLUMNS + "SELECT ?, ?, value, ?, ?, ?, ?, ?, ? FROM json_each(?)",
                    (
                        action,
                        campaign_code,
                        status,
                        stream,
                        self.run_id,
                        lot,
                        detail,
                        now,
                        _encoder.encode(identities).decode(),
                    ),
                )
            return
        if self._has_json:
            self._db.execute(
                _INSERT_COLUMNS + "SELECT ?, ?, json_extract(value, '$[0]'), "
                "json_extract(value, '$[1]'), ?, ?, json_extract(value, '$[2]'), "
                "json_extract(value, '$[3]'), ? FROM json_each(?)",
                (action, campaign_code, stream, self.run_id, now, _encoder.encode(final).decode()),
            )
            return
        self._db.executemany(
            _INSERT_COLUMNS + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (action, campaign_code, identity, status, stream, self.run_id, lot, detail, now)
                for identity, status, lot, detail in final
            ],
        )

    def _forget(self, request_id: str, identities: set[str]) -> None:
        """Take `identities` off an earlier unanswered request; drop it when none are left."""
        row = self._db.execute(
            "SELECT identities FROM requests WHERE request_id = ?", (request_id,)
        ).fetchone()
        if row is None:
            return
        left = [identity for identity in json.loads(row[0]) if identity not in identities]
        if left:
            self._db.execute(
                "UPDATE requests SET identities = ? WHERE request_id = ?",
                (json.dumps(left), request_id),
            )
        else:
            self._db.execute("DELETE FROM requests WHERE request_id = ?", (request_id,))

    def add_lot(self, campaign_code: int, lot_code: str, *, stream: str) -> None:
        with self._lock:
            self._db.execute(
                "INSERT OR IGNORE INTO lots (campaign_code, lot_code, status, stream, created_at) "
                "VALUES (?, ?, ?, ?, ?)",
                (campaign_code, lot_code, LOT_OPEN, stream, _now()),
            )

    def open_lots(self, campaign_codes: Iterable[int]) -> list[tuple[int, str]]:
        """`(campaign_code, lot_code)` of the lots not yet sent, for these campaigns."""
        codes = sorted(set(campaign_codes))
        if not codes:
            return []
        marks = ",".join("?" * len(codes))
        with self._lock:
            rows = self._db.execute(
                "SELECT campaign_code, lot_code FROM lots WHERE status = ? AND campaign_code "
                f"IN ({marks}) ORDER BY created_at, lot_code",
                (LOT_OPEN, *codes),
            )
            return [(int(code), str(lot)) for code, lot in rows]

    def close_lot(self, campaign_code: int, lot_code: str, status: str = LOT_SENT) -> None:
        with self._lock:
            self._db.execute(
                "UPDATE lots SET status = ?, sent_at = ? WHERE campaign_code = ? AND lot_code = ?",
                (status, _now(), campaign_code, lot_code),
            )


def _has_json_functions(db: sqlite3.Connection) -> bool:
    """Whether this SQLite has its JSON functions (built in since 3.38, common before)."""
    try:
        db.execute("SELECT json_extract(value, '$[0]') FROM json_each('[[1]]')").fetchall()
    except sqlite3.OperationalError:
        return False
    return True
