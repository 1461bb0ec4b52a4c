"""The ledger: what each campaign accepted, and who is sending what, so nothing is sent twice.

It lives in a SQLite file or a PostgreSQL database (`ledger_database`), so several runs, on
one machine or many, can share it. Four tables:

- `deliveries`: one row per action, campaign and identity (see `validation` for how a customer
  is named) that Tracksale accepted (`sent`) or reported `duplicated`; either is final and
  never sent again.
- `claims`: before a record is sent, its run claims it (one row per identity, the same key).
  A claim is made in one transaction that also checks `deliveries`, so of two runs reading
  the same customer at the same time exactly one sends it. When Tracksale has answered, the
  request's final rows are written and its claims removed, in one transaction. A claim whose
  fate the answer left unknown stays, as `unsettled`.
- `runs`: each run's heartbeat (its host, process and the database's clock). A claim held by
  a run that finished, or whose heartbeat is older than the lease (the process was killed or
  its machine lost), is unsettled: the next run that meets the record sends it again where
  Tracksale detects repeats (a duplicated answer then counts as already sent), taking the
  claim over (only one run can), and reports it ambiguous where Tracksale does not.
  A claim a live run is still sending is waited for.
- `lots`: lots that customers were added to, until they are sent.

Records Tracksale refused as invalid get no row, so a corrected record can be sent later.
A SQLite ledger written by an earlier version (its unanswered requests in a `requests` table)
is upgraded on first use.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from target_tracksale.ledger_database import (
    LedgerDatabase,
    LedgerUrl,
    json_text,
    now_text,
    parse_ledger_url,
    sqlite_url,
)
from target_tracksale.ledger_lots import LotBook
from target_tracksale.ledger_runs import RunRegistry

SENT = "sent"
DUPLICATED = "duplicated"
UNSETTLED = "unsettled"
IN_FLIGHT = "in_flight"
DONE = frozenset({SENT, DUPLICATED})

CLAIM_SENDING = "sending"
CLAIM_UNSETTLED = "unsettled"
DEFAULT_LEASE_SECONDS = 60.0
_ALIKE_GROUPS = 4
"""Up to this many kinds of final rows per request are written a kind at a time."""

logger = logging.getLogger(__name__)

_TABLES = (
    """CREATE TABLE IF NOT EXISTS deliveries (
    action TEXT NOT NULL,
    campaign_code BIGINT NOT NULL,
    identity TEXT NOT NULL,
    status TEXT NOT NULL,
    stream TEXT,
    run_id TEXT,
    lot_code TEXT,
    detail TEXT,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (action, campaign_code, identity)
) WITHOUT ROWID""",
    """CREATE TABLE IF NOT EXISTS claims (
    action TEXT NOT NULL,
    campaign_code BIGINT NOT NULL,
    identity TEXT NOT NULL,
    request_id TEXT NOT NULL,
    run_id TEXT NOT NULL,
    state TEXT NOT NULL,
    earlier INTEGER NOT NULL DEFAULT 0,
    stream TEXT,
    claimed_at TEXT NOT NULL,
    PRIMARY KEY (action, campaign_code, identity)
) WITHOUT ROWID""",
    """CREATE TABLE IF NOT EXISTS runs (
    run_id TEXT PRIMARY KEY,
    host TEXT NOT NULL,
    pid INTEGER NOT NULL,
    started_at TEXT NOT NULL,
    heartbeat DOUBLE PRECISION NOT NULL,
    finished_at TEXT
)""",
    """CREATE TABLE IF NOT EXISTS lots (
    campaign_code BIGINT NOT NULL,
    lot_code TEXT NOT NULL,
    status TEXT NOT NULL,
    stream TEXT,
    created_at TEXT NOT NULL,
    sent_at TEXT,
    PRIMARY KEY (campaign_code, lot_code)
)""",
)

Final = tuple[str, str, str | None, str | None]
"""(identity, status, lot_code, detail) of a record Tracksale answered for."""


@dataclass
class Claim:
    """What one claim of a request's identities found."""

    won: list[str] = field(default_factory=list)
    """Claimed by this request: send them."""
    taken_over: set[str] = field(default_factory=set)
    """Of `won`, those an earlier run had claimed and left unsettled."""
    final: dict[str, tuple[str, str]] = field(default_factory=dict)
    """identity -> (status, run_id): another request delivered them meanwhile."""
    in_flight: dict[str, str] = field(default_factory=dict)
    """identity -> run_id: another live run is sending them now; wait for its answer."""
    unsettled: dict[str, str] = field(default_factory=dict)
    """identity -> run_id: claimed by a request whose fate is unknown, and not taken over."""


class Ledger:
    """What Tracksale accepted and who is sending what, per action, campaign and identity."""

    def __init__(
        self,
        where: LedgerUrl | str | Path,
        *,
        run_id: str,
        lease_seconds: float = DEFAULT_LEASE_SECONDS,
    ) -> None:
        if not isinstance(where, LedgerUrl):
            text = str(where)
            where = parse_ledger_url(text if "://" in text else sqlite_url(text))
        self.where = where
        self.run_id = run_id
        self.lease_seconds = float(lease_seconds)
        self.db = LedgerDatabase(where)
        self.db.end_stalled_transactions(self.lease_seconds)
        self.db.create_schema(_TABLES)
        if self.db.dialect == "sqlite":
            self._upgrade_requests_table()
        self.history = self._has_history()
        """Whether any earlier run wrote to this ledger (looked at when it was opened)."""
        self.runs = RunRegistry(self.db, run_id=run_id, lease_seconds=self.lease_seconds)
        self.lots = LotBook(self.db)
        self._closed = False

    def _has_history(self) -> bool:
        for table in ("deliveries", "claims", "runs"):
            if self.db.execute(f"SELECT 1 FROM {table} LIMIT 1"):
                return True
        return False

    def close(self) -> None:
        """The run is over: what it did not settle stays unsettled, for a later run."""
        if self._closed:
            return
        self._closed = True
        self.runs.stop_heartbeat()
        with self.db.transaction():
            self.db.execute(
                "UPDATE claims SET state = ? WHERE run_id = ? AND state = ?",
                (CLAIM_UNSETTLED, self.run_id, CLAIM_SENDING),
            )
            self.runs.finish()
        self.db.close()

    # Deliveries and claims

    _undelivered = (
        "NOT EXISTS (SELECT 1 FROM deliveries AS d WHERE d.action = ? AND "
        "d.campaign_code = ? AND d.identity = listed.value)"
    )
    """Of the listed identities, those with no final row (as far as the statement sees)."""

    def statuses(
        self, action: str, campaign_code: int, identities: Sequence[str]
    ) -> dict[str, tuple[str, str]]:
        """`identity -> (status, run_id)` for those of `identities` the ledger knows.

        `status` is `sent` or `duplicated` (final); `in_flight` (another live run is sending
        it); or `unsettled` (a request that was not answered, or whose answer did not settle
        it, claimed it).
        """
        listed = json_text(list(identities))
        found: dict[str, tuple[str, str]] = {}
        for identity, status, run_id in self.db.execute(
            "SELECT identity, status, run_id FROM deliveries WHERE action = ? AND "
            f"campaign_code = ? AND identity IN {self.db.json_list()}",
            (action, campaign_code, listed),
        ):
            found[identity] = (status, run_id or "")
        claimed = self.db.execute(
            "SELECT identity, run_id, state FROM claims WHERE action = ? AND campaign_code = ? "
            f"AND identity IN {self.db.json_list()}",
            (action, campaign_code, listed),
        )
        if claimed:
            live = self.runs.live_others()
            for identity, run_id, state in claimed:
                if identity not in found:
                    sending = state == CLAIM_SENDING and run_id in live
                    found[identity] = (IN_FLIGHT if sending else UNSETTLED, run_id)
        return found

    def claim(
        self,
        action: str,
        campaign_code: int,
        request_id: str,
        identities: Sequence[str],
        *,
        stream: str,
        take_over: bool,
    ) -> Claim:
        """Claim `identities` for a request about to be sent; say what became of each.

        `take_over`: also claim those an earlier request left unsettled (where Tracksale
        detects a repeat, so sending again is safe).
        """
        result = Claim()
        unique = list(dict.fromkeys(identities))
        listed = json_text(unique)
        with self.db.transaction():
            claimed = self.db.change(
                "INSERT INTO claims (action, campaign_code, identity, request_id, run_id, "
                f"state, earlier, stream, claimed_at) SELECT ?, ?, value, ?, ?, ?, 0, ?, ? "
                f"FROM {self.db.json_list()} AS listed WHERE {self._undelivered} "
                "ON CONFLICT DO NOTHING",
                (
                    action,
                    campaign_code,
                    request_id,
                    self.run_id,
                    CLAIM_SENDING,
                    stream,
                    now_text(),
                    listed,
                    action,
                    campaign_code,
                ),
            )
            if claimed == len(unique) and self.db.dialect == "sqlite":
                # The common case: all claimed, none delivered. (SQLite's writers take turns,
                # so no delivery came in since the statement looked.)
                result.won = unique
                return result
            if claimed == len(unique):
                won = dict.fromkeys(unique, False)
            else:
                won = self._contest(
                    result, action, campaign_code, request_id, listed, take_over=take_over
                )
            # A statement of its own, so it sees a delivery another run committed while this
            # one waited to insert (PostgreSQL reads each statement's own snapshot).
            final = self.db.execute(
                "SELECT identity, status, run_id FROM deliveries WHERE action = ? AND "
                f"campaign_code = ? AND identity IN {self.db.json_list()}",
                (action, campaign_code, listed),
            )
            for identity, status, run_id in final:
                result.final[identity] = (status, run_id or "")
                result.in_flight.pop(identity, None)
                result.unsettled.pop(identity, None)
            mistaken = [
                identity for identity in result.final if won.pop(identity, None) is not None
            ]
            if mistaken:
                self._drop_claims(action, campaign_code, request_id, mistaken)
        result.won = [identity for identity in unique if identity in won]
        result.taken_over = {identity for identity, earlier in won.items() if earlier}
        return result

    def _contest(
        self,
        result: Claim,
        action: str,
        campaign_code: int,
        request_id: str,
        listed: str,
        *,
        take_over: bool,
    ) -> dict[str, bool]:
        """Some identities were claimed already: by whom, and which this request may take.

        Returns `identity -> taken over` for those this request holds; fills in `result`'s
        `in_flight` and `unsettled`. Runs inside `claim`'s transaction.
        """
        key = "action = ? AND campaign_code = ?"
        held = self.db.execute(
            f"SELECT identity, request_id, run_id, state FROM claims WHERE {key} AND "
            f"request_id <> ? AND identity IN {self.db.json_list()}",
            (action, campaign_code, request_id, listed),
        )
        live = self.runs.live_others() if held else set()
        orphans: list[tuple[str, str]] = []
        for identity, other_request, run_id, state in held:
            if state == CLAIM_SENDING and run_id in live:
                result.in_flight[identity] = run_id
            elif take_over and run_id != self.run_id:
                orphans.append((identity, other_request))
            else:
                result.unsettled[identity] = run_id
        if orphans:
            # Only the run whose update still finds the old request takes a claim over.
            self.db.change(
                "UPDATE claims SET request_id = ?, run_id = ?, state = ?, earlier = 1, "
                f"claimed_at = ? WHERE {key} AND (identity, request_id) IN "
                f"({self.db.json_rows(2)})",
                (
                    request_id,
                    self.run_id,
                    CLAIM_SENDING,
                    now_text(),
                    action,
                    campaign_code,
                    json_text(orphans),
                ),
            )
        mine = self.db.execute(
            f"SELECT identity, earlier FROM claims WHERE request_id = ? AND state = ? AND "
            f"{key} AND identity IN {self.db.json_list()}",
            (request_id, CLAIM_SENDING, action, campaign_code, listed),
        )
        won = {identity: bool(earlier) for identity, earlier in mine}
        for identity, _ in orphans:
            if identity not in won:  # another run took it over first: it is sending it
                result.in_flight[identity] = ""
        return won

    def settle(
        self,
        request_id: str,
        action: str,
        campaign_code: int,
        *,
        final: Sequence[Final],
        released: Iterable[str],
        unsettled: Sequence[str],
        stream: str,
    ) -> None:
        """After Tracksale answered a request: final rows in, claims out, in one transaction.

        `released` are identities Tracksale refused (no row: a corrected record may be sent
        later); `unsettled` those the answer left unknown, whose claims stay for a later run.
        """
        now = now_text()
        done = [row[0] for row in final]
        done.extend(released)
        with self.db.transaction():
            if final:
                self._insert_final(action, campaign_code, final, stream=stream, now=now)
            if not unsettled:  # every claim of this request is settled (a short table scan)
                self.db.change(
                    "DELETE FROM claims WHERE request_id = ? AND state = ?",
                    (request_id, CLAIM_SENDING),
                )
            elif done:
                self._drop_claims(action, campaign_code, request_id, done)
            if unsettled:
                self.db.execute(
                    "UPDATE claims SET state = ? WHERE request_id = ? AND identity IN "
                    f"{self.db.json_list()}",
                    (CLAIM_UNSETTLED, request_id, json_text(list(unsettled))),
                )

    def _insert_final(
        self, action: str, campaign_code: int, final: Sequence[Final], *, stream: str, now: str
    ) -> None:
        """Write final rows; those alike but for their identity go in as one JSON list."""
        alike: dict[tuple[str, str | None, str | None], list[str]] = {}
        for identity, status, lot, detail in final:
            alike.setdefault((status, lot, detail), []).append(identity)
        upsert = (
            "INSERT INTO deliveries (action, campaign_code, identity, status, stream, run_id, "
            "lot_code, detail, updated_at) {rows} WHERE true ON CONFLICT (action, "
            "campaign_code, identity) DO UPDATE SET status = excluded.status, "
            "stream = excluded.stream, run_id = excluded.run_id, lot_code = excluded.lot_code, "
            "detail = excluded.detail, updated_at = excluded.updated_at"
        )
        if len(alike) > _ALIKE_GROUPS:
            rows = f"SELECT ?, ?, c0, c1, ?, ?, c2, c3, ? FROM ({self.db.json_rows(4)}) AS answered"
            self.db.change(
                upsert.format(rows=rows),
                (action, campaign_code, stream, self.run_id, now, json_text(final)),
            )
            return
        rows = f"SELECT ?, ?, value, ?, ?, ?, ?, ?, ? FROM {self.db.json_list()} AS answered"
        for (status, lot, detail), identities in alike.items():
            self.db.change(
                upsert.format(rows=rows),
                (
                    action,
                    campaign_code,
                    status,
                    stream,
                    self.run_id,
                    lot,
                    detail,
                    now,
                    json_text(identities),
                ),
            )

    def withdraw(self, request_id: str) -> None:
        """A request Tracksale refused before acting on it: its new claims are dropped.

        Its records count as unsent, so the next run sends them once. Those an earlier
        unanswered request had claimed stay unsettled.
        """
        with self.db.transaction():
            self.db.execute(
                "DELETE FROM claims WHERE request_id = ? AND state = ? AND earlier = 0",
                (request_id, CLAIM_SENDING),
            )
            self.db.execute(
                "UPDATE claims SET state = ? WHERE request_id = ? AND state = ?",
                (CLAIM_UNSETTLED, request_id, CLAIM_SENDING),
            )

    def _drop_claims(
        self, action: str, campaign_code: int, request_id: str, identities: Sequence[str]
    ) -> None:
        self.db.change(
            "DELETE FROM claims WHERE action = ? AND campaign_code = ? AND identity IN "
            f"{self.db.json_list()} AND request_id = ?",
            (action, campaign_code, json_text(list(identities)), request_id),
        )

    def _upgrade_requests_table(self) -> None:
        """Claims for the unanswered requests a ledger of an earlier version listed."""
        exists = self.db.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'requests'"
        )
        if not exists:
            return
        with self.db.transaction():
            self.db.execute(
                "INSERT INTO claims (action, campaign_code, identity, request_id, run_id, "
                "state, earlier, stream, claimed_at) SELECT r.action, r.campaign_code, "
                "listed.value, r.request_id, r.run_id, ?, 0, r.stream, r.created_at FROM "
                "requests AS r, json_each(r.identities) AS listed WHERE true "
                "ON CONFLICT DO NOTHING",
                (CLAIM_UNSETTLED,),
            )
            self.db.execute("DROP TABLE requests")
