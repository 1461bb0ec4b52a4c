"""`make demo`: start the API sandbox, run the warehouse pipeline, show what landed, stop.

Runs the `warehouse` job (every tap into DuckDB) and the `nps-surveys` job (twice) in the
`sandbox` environment, against a sandbox started on a free port, then prints each warehouse
table's row count beside the number of records the sandbox serves. Everything it starts is
stopped, also on failure.
"""

from __future__ import annotations

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
from nps_report import write_report

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
WAREHOUSE = REPO / ".output" / "warehouse.duckdb"
SCALE = int(os.environ.get("DEMO_SCALE", "3000"))
LISTENING = re.compile(r"listening on (http://\S+)")


@contextmanager
def running_sandbox() -> Iterator[str]:
    """Start `api-sandbox serve` on a free port; yield its base URL; stop it."""
    process = subprocess.Popen(
        [str(BIN / "api-sandbox"), "serve", "--port", "0", "--scale", str(SCALE)],
        stdout=subprocess.PIPE,
        text=True,
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
    Source("tap-trackfinity", "tap_trackfinity", "trackfinity", ("profit_loss",)),
)
API_PATHS = {
    "TAP_IMPACT_CRM_API_URL": "impact-crm",
    "TAP_TRACKSALE_API_URL": "tracksale/v2",
    "TAP_TRACKFINITY_API_URL": "trackfinity",
    "TARGET_TRACKSALE_API_URL": "tracksale/v2",
}


def meltano(*args: str, sandbox_url: str) -> None:
    env = {
        **os.environ,
        **{setting: f"{sandbox_url}/{path}" for setting, path in API_PATHS.items()},
        "MELTANO_SEND_ANONYMOUS_USAGE_STATS": "false",
        "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
    }
    command = [str(BIN / "meltano"), "--environment", "sandbox", *args]
    print(f"\n$ meltano --environment sandbox {' '.join(args)}")
    subprocess.run(command, cwd=REPO, env=env, check=True)


def served_counts(sandbox_url: str, source: Source) -> dict[str, int]:
    body = {"family": source.family} if source.family else {}
    url = f"{sandbox_url}/_sandbox/{source.api}/counts"
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


def print_counts(source: Source, landed: dict[str, int], served: dict[str, int]) -> bool:
    print(f"\n{source.tap} -> schema {source.schema}:")
    print(f"  {'table':<16}{'rows':>10}{'served':>10}")
    complete = True
    for table in sorted(set(landed) | set(source.checked)):
        rows = landed.get(table, 0)
        if table in source.checked:
            want = served.get(table, 0)
            complete &= rows == want
            print(f"  {table:<16}{rows:>10}{want:>10}  {'ok' if rows == want else 'MISMATCH'}")
        else:
            print(f"  {table:<16}{rows:>10}")
    return complete


def surveys_received(sandbox_url: str) -> int:
    """How many customers the sandbox's Tracksale accepted for dispatch so far."""
    response = requests.post(f"{sandbox_url}/_sandbox/tracksale/received", json={}, timeout=60)
    response.raise_for_status()
    return len(response.json())


def send_surveys(sandbox_url: str) -> int:
    """Run the nps-surveys job; return how many new customers the sandbox received."""
    before = surveys_received(sandbox_url)
    meltano("run", "nps-surveys", sandbox_url=sandbox_url)
    return surveys_received(sandbox_url) - before


def main() -> int:
    WAREHOUSE.parent.mkdir(exist_ok=True)
    print(f"Starting the API sandbox ({SCALE} leads)...")
    with running_sandbox() as url:
        meltano("run", "warehouse", sandbox_url=url)
        print(f"\nWarehouse {WAREHOUSE.relative_to(REPO)}")
        complete = True
        for source in SOURCES:
            landed = warehouse_counts(source.schema)
            complete &= print_counts(source, landed, served_counts(url, source))
        report = WAREHOUSE.parent / "nps-report.html"
        table = write_report(WAREHOUSE, report)
        print(f"\nNPS per campaign, last months (chart: {report.relative_to(REPO)}):\n{table}")
        sent = send_surveys(url)
        print(f"\nNPS surveys: the sandbox received {sent} new CRM customers for dispatch.")
        again = send_surveys(url)
        print(f"Same job again: {again} new; no customer is surveyed twice.")
        complete &= again == 0
    if not complete:
        print("\nSome tables do not hold every record the sandbox served.")
        return 1
    print("\nEvery record the sandbox served is in the warehouse.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
