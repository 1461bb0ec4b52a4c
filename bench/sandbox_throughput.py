"""How many lead records per second the sandbox serves over HTTP, on one core.

Starts `api-sandbox serve` as its own process pinned to one core (`taskset -c`), then, from this
process (pinned to another core when there is one), logs in and reads every page of
`/trackbox/leads` with one date filter covering the whole data period, through one keep-alive
`requests.Session`. Each pass reads all pages in order. The server prerenders every record
before it listens (its default), so every pass serves cached bytes; `--no-prerender` shows the
cold first pass instead. Prints each pass and the median records/s.
The client checks each page is valid JSON and counts its records without building dicts, so the
figure is the server's, not the client's JSON parsing.

    .venv/bin/python bench/sandbox_throughput.py [--scale 200000] [--passes 3] [--page-size 1000]
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass

import msgspec
from crm_login import logged_in_session

FLOOR_RECORDS_PER_SECOND = 100_000


class LeadsPage(msgspec.Struct):
    """A page as the client needs it: records are checked to be JSON, not turned into dicts."""

    total: int
    data: list[msgspec.Raw]


@dataclass
class Server:
    """The sandbox process, its announced settings and how long it took to come up."""

    process: subprocess.Popen[str]
    settings: dict[str, str]
    started_seconds: float


def start_server(scale: int, seed: int, core: int, prerender: bool) -> Server:
    command = [sys.executable, "-m", "api_sandbox.cli", "serve", "--port", "0"]
    command += ["--scale", str(scale), "--seed", str(seed)]
    command += ["--prerender" if prerender else "--no-prerender"]
    if shutil.which("taskset"):
        command = ["taskset", "-c", str(core), *command]
    else:
        print("taskset not found: the server is not pinned to one core", file=sys.stderr)
    started = time.monotonic()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None
    for line in process.stdout:
        if line.startswith("impact-crm  api_url="):
            settings = dict(part.split("=", 1) for part in line.split()[1:])
            return Server(process, settings, time.monotonic() - started)
    process.wait()
    raise SystemExit(f"the sandbox exited ({process.returncode}) before it was ready")


def read_all_leads(server: Server, page_size: int) -> tuple[int, float]:
    """Records read and seconds taken for one pass over every page."""
    api = server.settings["api_url"] + "/api/v1"
    decoder = msgspec.json.Decoder(LeadsPage)
    with logged_in_session(server.settings, timeout=30) as session:
        params = {
            "registrationDateFrom": "2000-01-01",
            "registrationDateTo": "2099-12-31",
            "pageSize": page_size,
        }
        records, total, page = 0, None, 1
        started = time.perf_counter()
        while total is None or records < total:
            response = session.get(
                f"{api}/trackbox/leads", params=params | {"page": page}, timeout=60
            )
            response.raise_for_status()
            body = decoder.decode(response.content)
            total = body.total
            if not body.data:
                break
            records += len(body.data)
            page += 1
        return records, time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=200_000, help="leads in the sandbox")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--passes", type=int, default=3)
    parser.add_argument("--page-size", type=int, default=1000)
    parser.add_argument("--server-core", type=int, default=0)
    parser.add_argument("--client-core", type=int, default=1)
    parser.add_argument("--prerender", action=argparse.BooleanOptionalAction, default=True)
    args = parser.parse_args()

    if hasattr(os, "sched_setaffinity") and args.client_core in os.sched_getaffinity(0):
        os.sched_setaffinity(0, {args.client_core})
    server = start_server(args.scale, args.seed, args.server_core, args.prerender)
    up = server.started_seconds
    print(f"sandbox up in {up:.1f} s, scale {args.scale}, server on core {args.server_core}")
    rates = []
    try:
        for number in range(1, args.passes + 1):
            records, seconds = read_all_leads(server, args.page_size)
            rates.append(records / seconds)
            cold = number == 1 and not args.prerender
            note = " (cold: renders every record)" if cold else ""
            rate = f"{rates[-1]:,.0f} records/s"
            print(f"pass {number}: {records} leads in {seconds:.2f} s = {rate}{note}")
    finally:
        server.process.send_signal(signal.SIGTERM)
        server.process.wait(timeout=30)
    median = statistics.median(rates)
    verdict = "ok" if median >= FLOOR_RECORDS_PER_SECOND else "BELOW"
    floor = f"floor {FLOOR_RECORDS_PER_SECOND:,}"
    print(f"median of {len(rates)}: {median:,.0f} records/s ({verdict}: {floor})")
    return 0 if median >= FLOOR_RECORDS_PER_SECOND else 1


if __name__ == "__main__":
    sys.exit(main())
