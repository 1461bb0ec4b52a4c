"""`make bench`: the connectors measured against the sandbox, side by side, with their floors.

Runs, in one invocation, each against `api-sandbox serve` started as its own process:

- cpu: tap-impact-crm leads against the plain requests+json loop and a stock singer-sdk tap;
- other-taps: tap-tracksale answers and tap-trackfinity profit_loss;
- latency: tap-impact-crm at 200 ms per request against the ideal wall time;
- memory: tap-impact-crm's peak memory at 100,000 and 1,000,000 leads;
- reverse-etl: target-tracksale dispatching 100,000 customers at 0 and 100 ms;
- tracksale-requests: the requests a one-year tap-tracksale backfill takes, per stream.

Prints a table per benchmark with its floors, saves them to `bench/results/latest.md` and
`latest.json` (`latest-quick.*`, `latest-<benchmark>.*` for partial runs), and ends with one
line saying which floors hold. It reports; it is not a test: it exits 0 when a floor fails.

    .venv/bin/python bench/run_bench.py [--only cpu|latency|memory|reverse-etl|other-taps|
                                               tracksale-requests]
                                        [--quick]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from pathlib import Path

from benchmarks import cpu, latency, memory, other_taps, reverse_etl, tracksale_requests
from harness.context import BENCH_DIR, FULL, QUICK, Context, say
from harness.cores import pin_processes
from harness.machine import load, machine_info
from harness.report import Floor, Section, summary_line, write_results

BENCHMARKS: dict[str, Callable[[Context], Section]] = {
    "cpu": cpu.run,
    "other-taps": other_taps.run,
    "latency": latency.run,
    "memory": memory.run,
    "reverse-etl": reverse_etl.run,
    "tracksale-requests": tracksale_requests.run,
}
"""In the order they run: cpu and other-taps share one sandbox."""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=list(BENCHMARKS), help="run this benchmark only")
    parser.add_argument("--quick", action="store_true", help="small sizes, for a smoke check")
    parser.add_argument(
        "--results", type=Path, default=BENCH_DIR / "results", help="where to save the results"
    )
    args = parser.parse_args()

    pinning = pin_processes()
    say(f"pinning: {pinning.description}")
    machine = machine_info(pinning.description)
    options = {"quick": args.quick, "only": args.only or "all"}
    chosen = [args.only] if args.only else list(BENCHMARKS)
    sections: list[Section] = []
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="bench-") as workdir:
        context = Context(
            sizes=QUICK if args.quick else FULL, workdir=Path(workdir), pinning=pinning
        )
        try:
            for name in chosen:
                say(f"\n== {name} (load {load()})")
                section = _run_one(name, context)
                sections.append(section)
                say("\n" + section.markdown())
        finally:
            context.stop_sandbox()
    machine["load at end"] = load()
    machine["bench wall time"] = f"{time.monotonic() - started:.0f} s"
    machine["sandbox starts"] = "; ".join(context.sandbox_starts)
    stem = "latest" + ("-quick" if args.quick else "") + (f"-{args.only}" if args.only else "")
    md_path, json_path = write_results(args.results, sections, machine, options, stem=stem)
    say(f"\nsaved {md_path} and {json_path}")
    say(summary_line(sections))
    return 0


def _run_one(name: str, context: Context) -> Section:
    """Run one benchmark; a crash becomes an error in its section, not the end of the run."""
    try:
        return BENCHMARKS[name](context)
    except Exception:
        context.stop_sandbox()
        section = Section(key=name, title=f"{name}: did not complete", columns=["-"])
        section.errors.append(traceback.format_exc())
        section.floors.append(Floor(f"{name} benchmark ran", "completes", "crashed", None))
        return section


if __name__ == "__main__":
    sys.exit(main())
