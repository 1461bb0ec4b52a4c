"""`make demo`: start the API sandbox, run the warehouse pipeline, show what landed, stop.

Runs the `warehouse` job (every tap into DuckDB) and the `nps-surveys` job (twice) in the
`sandbox` environment, against a sandbox started on a free port, then prints each warehouse
table's row count beside the number of records the sandbox serves. Everything it starts is
stopped, also on failure.

Each demo after the first starts the sandbox one week further on (`--weeks-later`, counted
in `.output/demo-history.json`), so the taps resume from their bookmarks into a world with new
and edited records, and the demo shows per table what changed: rows before and after, new,
updated, and how many the run read. The taps read up to the sandbox's last day (`end_date`),
which may lie after today. The sandbox serves Tracksale's reports in the types the vendor's
documents show where they leave a type open (the `tracksale-documented-types` quirk: codes
and flags as text, question scores as numbers), which the taps conform to their schemas.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb
import requests
from changes import TableChange, WarehouseSnapshot
from history import DemoHistory
from nps_report import write_report

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
OUTPUT = REPO / ".output"
WAREHOUSE = OUTPUT / "warehouse.duckdb"
HISTORY = OUTPUT / "demo-history.json"
TARGET_SUMMARY = OUTPUT / "target-tracksale" / "summary.json"
SCALE = int(os.environ.get("DEMO_SCALE", "3000"))
LISTENING = re.compile(r"listening on (http://\S+)")
QUIRKS = "tracksale-documented-types"


@contextmanager
def running_sandbox(weeks_later: int) -> Iterator[str]:
    """Start `api-sandbox serve` on a free port; yield its base URL; stop it."""
    command = [str(BIN / "api-sandbox"), "serve", "--port", "0", "--scale", str(SCALE)]
    command += ["--quirks", QUIRKS]
    process = subprocess.Popen(
        [*command, "--weeks-later", str(weeks_later)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert process.stdout is not None
        for line in process.stdout:
            print(f"  {line.rstrip()}")
            found = LISTENING.search(line)
            if found:
                url = found.group(1)
                break
        else:
            raise SystemExit("api-sandbox did not start; see the lines above")
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        print("Stopped the sandbox.")


@dataclass(frozen=True)
class Source:
    """One API (or report family) in the warehouse: its tap, schema, and tables to check."""

    tap: str
    schema: str
    api: str
    checked: tuple[str, ...]
    """Tables whose row count must equal what the sandbox serves."""
    family: str | None = None


IMPACT_TABLES = ("leads", "registrations", "transactions", "positions", "servers")
SOURCES = (
    *(
        Source(
            f"tap-impact-crm--{family}", f"impact_crm_{family}", "impact-crm", IMPACT_TABLES, family
        )
        for family in ("trackbox", "ib", "cellxpert")
    ),
    Source(
        "tap-tracksale",
        "tap_tracksale",
        "tracksale",
        ("campaigns", "answers", "dispatches", "draft_lots"),
    ),
    # payout_preview adds one snapshot per run (one row per configured click), so it is not
    # compared with a served count; profit_loss is per day x view (login, the default) x break.
    Source("tap-trackfinity", "tap_trackfinity", "trackfinity", ("profit_loss", "transactions")),
)
API_PATHS = {
    "TAP_IMPACT_CRM_API_URL": "impact-crm",
    "TAP_TRACKSALE_API_URL": "tracksale/v2",
    "TAP_TRACKFINITY_API_URL": "trackfinity",
    "TARGET_TRACKSALE_API_URL": "tracksale/v2",
}
END_DATES = ("TAP_IMPACT_CRM_END_DATE", "TAP_TRACKSALE_END_DATE", "TAP_TRACKFINITY_END_DATE")


@dataclass(frozen=True)
class Sandbox:
    """The running sandbox as the pipelines see it: where it is, and its last day with data."""

    url: str
    last_day: str

    @classmethod
    def at(cls, url: str) -> Sandbox:
        response = requests.get(f"{url}/_sandbox/period", timeout=60)
        response.raise_for_status()
        return cls(url, str(response.json()["last_day"]))

    def meltano(self, *args: str) -> None:
        """`meltano --environment sandbox ARGS`, every plugin pointed at the sandbox."""
        env = {
            **os.environ,
            **{setting: f"{self.url}/{path}" for setting, path in API_PATHS.items()},
            **dict.fromkeys(END_DATES, self.last_day),
            "MELTANO_SEND_ANONYMOUS_USAGE_STATS": "false",
            "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        }
        command = [str(BIN / "meltano"), "--environment", "sandbox", *args]
        print(f"\n$ meltano --environment sandbox {' '.join(args)}")
        subprocess.run(command, cwd=REPO, env=env, check=True)


def served_counts(sandbox: Sandbox, source: Source) -> dict[str, int]:
    body = {"family": source.family} if source.family else {}
    url = f"{sandbox.url}/_sandbox/{source.api}/counts"
    response = requests.post(url, json=body, timeout=60)
    response.raise_for_status()
    return response.json()


def warehouse_counts(schema: str) -> dict[str, int]:
    with duckdb.connect(str(WAREHOUSE), read_only=True) as db:
        tables = [
            row[0]
            for row in db.execute(
                "select table_name from information_schema.tables where table_schema = ? "
                "order by table_name",
                [schema],
            ).fetchall()
        ]
        return {
            t: db.execute(f'select count(*) from "{schema}"."{t}"').fetchone()[0] for t in tables
        }


def check(source: Source, table: str, rows: int, served: dict[str, int]) -> tuple[str, bool]:
    """The served column of a table's line, and whether the table holds what is served."""
    if table not in source.checked:
        return "", True
    want = served.get(table, 0)
    return f"{want:>10}  {'ok' if rows == want else 'MISMATCH'}", rows == want


def print_counts(source: Source, landed: dict[str, int], served: dict[str, int]) -> bool:
    print(f"\n{source.tap} -> schema {source.schema}:")
    print(f"  {'table':<16}{'rows':>10}{'served':>10}")
    complete = True
    for table in sorted(set(landed) | set(source.checked)):
        rows = landed.get(table, 0)
        served_column, ok = check(source, table, rows, served)
        complete &= ok
        print(f"  {table:<16}{rows:>10}{served_column}".rstrip())
    return complete


def print_changes(source: Source, changes: dict[str, TableChange], served: dict[str, int]) -> bool:
    """Each table before and after the run, beside what the sandbox serves."""
    tables = {
        name.split(".", 1)[1]: change
        for name, change in changes.items()
        if name.startswith(f"{source.schema}.")
    }
    read = sum(change.read for change in tables.values())
    size = sum(change.after for change in tables.values())
    print(
        f"\n{source.tap} -> schema {source.schema}: resumed from its bookmarks,"
        f" read {read:,} of {size:,} rows"
    )
    print(
        f"  {'table':<16}{'before':>8}{'after':>8}{'new':>7}{'updated':>9}{'read':>7}{'served':>10}"
    )
    complete = True
    for table in sorted(set(tables) | set(source.checked)):
        change = tables.get(table, TableChange(0, 0, 0, 0))
        served_column, ok = check(source, table, change.after, served)
        complete &= ok
        print(
            f"  {table:<16}{change.before:>8}{change.after:>8}{change.new:>7}"
            f"{change.updated:>9}{change.read:>7}{served_column}".rstrip()
        )
    return complete


CHANGES_LEGEND = """
new: rows the warehouse did not hold; updated: rows whose content changed (records edited in
the sandbox, report periods still open); read: rows the run loaded, changed or not. Each
incremental stream started on its bookmark's day (answers and profit_loss 7 days earlier, their
lookback); servers, campaigns, draft lots and widgets are read whole; payout previews add one
snapshot per run of the configured clicks."""


def surveys_received(sandbox: Sandbox) -> int:
    """How many customers the sandbox's Tracksale accepted for dispatch so far."""
    response = requests.post(f"{sandbox.url}/_sandbox/tracksale/received", json={}, timeout=60)
    response.raise_for_status()
    return len(response.json())


def summary_run() -> dict:
    """The target-tracksale summary of its last run ({} when there is none)."""
    try:
        return json.loads(TARGET_SUMMARY.read_text())
    except (OSError, ValueError):
        return {}


def send_surveys(sandbox: Sandbox, *options: str) -> tuple[int, int]:
    """Run the nps-surveys job; return the new customers the sandbox received, and the skipped.

    Skipped are customers the job read that were already surveyed: the target's ledger knew
    them, or Tracksale refused them as duplicated.
    """
    before, previous_run = surveys_received(sandbox), summary_run().get("run_id")
    sandbox.meltano("run", *options, "nps-surveys")
    summary = summary_run()
    skipped = 0
    if summary.get("run_id") != previous_run:
        streams = summary.get("streams") or []
        skipped = sum(row.get("already_sent", 0) + row.get("duplicated", 0) for row in streams)
    return surveys_received(sandbox) - before, skipped


def introduce(history: DemoHistory | None, sandbox: Sandbox) -> None:
    if history is None:
        print(
            f"\nDemo 1: the sandbox's data runs to {sandbox.last_day}; the next `make demo`"
            " moves its world one week on."
        )
        return
    weeks = history.weeks_later + 1
    print(
        f"\nDemo {history.demos + 1}: the sandbox's world is one more week on (--weeks-later"
        f" {weeks}): its data runs to {sandbox.last_day}, the last demo's to {history.last_day}."
    )


def main() -> int:
    OUTPUT.mkdir(exist_ok=True)
    history = DemoHistory.load(HISTORY)
    weeks_later = history.weeks_later + 1 if history else 0
    # The first demo reads everything, whatever bookmarks a series of demos before left.
    first = ("--full-refresh",) if history is None else ()
    later = {0: "", 1: ", 1 week later"}.get(weeks_later, f", {weeks_later} weeks later")
    print(f"Starting the API sandbox ({SCALE} leads{later})...")
    with running_sandbox(weeks_later) as url:
        sandbox = Sandbox.at(url)
        introduce(history, sandbox)
        snapshot = WarehouseSnapshot.take(WAREHOUSE) if history else None
        sandbox.meltano("run", *first, "warehouse")
        complete = True
        tables: dict[str, int] = {}
        if snapshot is None:
            print(f"\nWarehouse {WAREHOUSE.relative_to(REPO)}")
        else:
            changes = snapshot.changes()
            snapshot.close()
            print(f"\nWarehouse {WAREHOUSE.relative_to(REPO)}, what changed since the last demo:")
        for source in SOURCES:
            landed = warehouse_counts(source.schema)
            tables |= {f"{source.schema}.{table}": rows for table, rows in landed.items()}
            if snapshot is None:
                complete &= print_counts(source, landed, served_counts(sandbox, source))
            else:
                complete &= print_changes(source, changes, served_counts(sandbox, source))
        if snapshot is not None:
            new = sum(change.new for change in changes.values())
            updated = sum(change.updated for change in changes.values())
            read = sum(change.read for change in changes.values())
            print(
                f"\nIn all: {new:,} rows new, {updated:,} updated; the taps read {read:,}"
                f" of {sum(tables.values()):,} rows.{CHANGES_LEGEND}"
            )
        report = WAREHOUSE.parent / "nps-report.html"
        table = write_report(WAREHOUSE, report)
        print(f"\nNPS per campaign, last months (chart: {report.relative_to(REPO)}):\n{table}")
        sent, skipped = send_surveys(sandbox, *first)
        print(f"\nNPS surveys: {sent} new customers surveyed, {skipped} already surveyed skipped.")
        again, skipped = send_surveys(sandbox)
        print(
            f"Same job again: {again} new, {skipped} already surveyed skipped;"
            " no customer is surveyed twice."
        )
        complete &= again == 0
    if not complete:
        print(
            "\nSome tables do not hold every record the sandbox served."
            " (`make clean` starts a new series of demos.)"
        )
        return 1
    demos = history.demos + 1 if history else 1
    DemoHistory(demos, weeks_later, sandbox.last_day, tables).save(HISTORY)
    print("\nEvery record the sandbox served is in the warehouse.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
