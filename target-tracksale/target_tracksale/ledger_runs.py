"""The ledger's `runs` table: each run's heartbeat, and which runs may still be sending.

A run registers when it opens the ledger and beats every quarter of `ledger_lease_seconds`
(the database's clock, so machines with different clocks agree). Another run counts as live
while it has not finished and its heartbeat is fresher than the lease; on this machine, a run
whose process is gone is not live at once. A claim held by a run that is not live is
unsettled: someone may take it over.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import threading
from pathlib import Path

from target_tracksale.ledger_database import LedgerDatabase, now_text

logger = logging.getLogger(__name__)
FORGET_FINISHED_AFTER = dt.timedelta(days=30)
"""Finished runs that hold no claim are removed from the table after this long."""


def _host() -> str:
    """The machine's name and, where Linux tells it, its boot (a pid means nothing after)."""
    try:
        boot = Path("/proc/sys/kernel/random/boot_id").read_text().strip()
    except OSError:
        boot = ""
    return f"{socket.gethostname()}/{boot}"


HOST = _host()


def _process_gone(pid: int) -> bool:
    """Whether process `pid` of this machine has ended (a zombie has)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[-1].split()[:1] == ["Z"]


class RunRegistry:
    """A run's row in `runs`, kept fresh by a heartbeat thread; the other live runs."""

    def __init__(self, db: LedgerDatabase, *, run_id: str, lease_seconds: float) -> None:
        self.db = db
        self.run_id = run_id
        self.lease_seconds = lease_seconds
        with db.transaction():
            db.execute(
                "INSERT INTO runs (run_id, host, pid, started_at, heartbeat) "
                f"VALUES (?, ?, ?, ?, {db.now_seconds()})",
                (run_id, HOST, os.getpid(), now_text()),
            )
            db.execute(
                "DELETE FROM runs WHERE finished_at IS NOT NULL AND finished_at < ? AND "
                "run_id NOT IN (SELECT run_id FROM claims)",
                ((dt.datetime.now(dt.timezone.utc) - FORGET_FINISHED_AFTER).isoformat(),),
            )
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._beat, name="ledger-heartbeat", daemon=True)
        self._thread.start()

    def _beat(self) -> None:
        interval = max(self.lease_seconds / 4, 0.2)
        while not self._stop.wait(interval):
            try:
                self.db.execute(
                    f"UPDATE runs SET heartbeat = {self.db.now_seconds()} WHERE run_id = ?",
                    (self.run_id,),
                )
            except Exception as error:  # the next ledger call reports a lost database
                logger.warning("The ledger's heartbeat failed: %s", error)

    def live_others(self) -> set[str]:
        """Runs other than this one that may still be sending: their heartbeat is fresh."""
        rows = self.db.execute(
            "SELECT run_id, host, pid FROM runs WHERE finished_at IS NULL AND run_id <> ? "
            f"AND heartbeat >= {self.db.now_seconds()} - ?",
            (self.run_id, self.lease_seconds),
        )
        return {run_id for run_id, host, pid in rows if not (host == HOST and _process_gone(pid))}

    def stop_heartbeat(self) -> None:
        self._stop.set()
        self._thread.join()

    def finish(self) -> None:
        """Mark this run finished (inside the caller's transaction)."""
        self.db.execute(
            "UPDATE runs SET finished_at = ? WHERE run_id = ?", (now_text(), self.run_id)
        )
