"""CPU-bound extraction: tap-impact-crm leads against the plain loop and the stock SDK tap.

The sandbox serves every lead at no latency, so each contender is limited by its own work per
record. The contenders run interleaved (one of each per round, the order rotating), each as
its own process writing to /dev/null, and the figures are medians over the rounds. Each round
also runs every contender on an empty window (one request, no records), which tells what a run
costs before its first record (interpreter, imports, login): the "net" figure leaves it out.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from harness import fmt
from harness.configs import impact_crm_config, single_stream_catalog, write_json
from harness.context import BENCH_DIR, PYTHON, Context, median, say, tool
from harness.logs import sdk_record_count
from harness.process import Measured
from harness.report import Floor, Section

OURS = "tap-impact-crm"
PLAIN = "plain loop (requests + json)"
PLAIN_MSGSPEC = "plain loop (msgspec)"
STOCK = "stock singer-sdk tap"
_PLAIN_COUNT = re.compile(r"^(\d+) records$", re.MULTILINE)


@dataclass
class Contender:
    """One way of reading the leads, and what its runs measured."""

    name: str
    command: Callable[[Path], list[str]]
    """The command line for a given config file."""
    count: Callable[[str], int]
    """Records written, from the run's stderr."""
    runs: list[Measured] = field(default_factory=list)
    empty_runs: list[Measured] = field(default_factory=list)
    records: list[int] = field(default_factory=list)

    def median_seconds(self) -> float:
        return median([run.seconds for run in self.runs])

    def rate(self) -> float:
        return median_records(self) / self.median_seconds() if self.runs else math.nan

    def startup(self) -> float:
        return median([run.seconds for run in self.empty_runs])

    def net_rate(self) -> float:
        net = self.median_seconds() - self.startup()
        return median_records(self) / net if self.runs and net > 0 else math.nan

    def peak_rss(self) -> float:
        return max((run.peak_rss_mb for run in self.runs), default=math.nan)


def median_records(contender: Contender) -> float:
    return median([float(n) for n in contender.records])


def _plain_count(stderr: str) -> int:
    match = _PLAIN_COUNT.search(stderr)
    return int(match.group(1)) if match else 0


def contenders(catalog: Path) -> list[Contender]:
    plain = [PYTHON, str(BENCH_DIR / "plain_loop.py"), "--config"]
    return [
        Contender(
            OURS,
            lambda config: [tool(OURS), "--config", str(config), "--catalog", str(catalog)],
            lambda stderr: sdk_record_count(stderr, "leads"),
        ),
        Contender(PLAIN, lambda config: [*plain, str(config)], _plain_count),
        Contender(PLAIN_MSGSPEC, lambda config: [*plain, str(config), "--msgspec"], _plain_count),
        Contender(
            STOCK,
            lambda config: [PYTHON, str(BENCH_DIR / "reference_tap.py"), "--config", str(config)],
            lambda stderr: sdk_record_count(stderr, "leads"),
        ),
    ]


def run(context: Context) -> Section:
    records = context.sizes.cpu_records
    section = Section(
        key="cpu",
        title=f"CPU-bound extraction: {records:,} leads, pages of 1,000, no latency",
        columns=[
            "contender",
            "records/s",
            "median wall",
            "runs",
            "CPU time",
            "startup",
            "records/s net of startup",
            "peak RSS",
            "tap-impact-crm ÷ this",
        ],
    )
    sandbox = context.sandbox(scale=records)
    workdir = context.workdir
    config = write_json(workdir / "cpu-config.json", impact_crm_config(sandbox))
    empty = write_json(workdir / "cpu-empty.json", impact_crm_config(sandbox, empty=True))
    catalog = single_stream_catalog(OURS, config, "leads", workdir / "cpu-catalog.json")
    lineup = contenders(catalog)
    for number in range(context.sizes.rounds):
        say(f"  round {number + 1} of {context.sizes.rounds}")
        shift = number % len(lineup)
        for contender in lineup[shift:] + lineup[:shift]:
            measured = context.run(contender.name, contender.command(config))
            if not measured.ok:
                section.errors.append(measured.failure(contender.name))
                continue
            contender.runs.append(measured)
            contender.records.append(contender.count(measured.stderr))
            startup = context.run(f"{contender.name} (empty window)", contender.command(empty))
            if startup.ok:
                contender.empty_runs.append(startup)
    for contender in lineup:
        if contender.records and set(contender.records) != {records}:
            section.notes.append(
                f"{contender.name} wrote {contender.records} records, not {records:,}"
            )
    ours = lineup[0]
    by_name = {contender.name: contender for contender in lineup}
    for contender in lineup:
        section.rows.append(
            [
                contender.name,
                fmt.count(contender.rate()),
                fmt.seconds(contender.median_seconds()),
                fmt.spread([run.seconds for run in contender.runs]),
                fmt.seconds(median([run.cpu_seconds for run in contender.runs])),
                fmt.seconds(contender.startup()),
                fmt.count(contender.net_rate()),
                fmt.megabytes(contender.peak_rss()),
                "-" if contender is ours else fmt.ratio(ours.rate() / contender.rate()),
            ]
        )
        section.data[contender.name] = {
            "records": contender.records,
            "seconds": [run.seconds for run in contender.runs],
            "cpu_seconds": [run.cpu_seconds for run in contender.runs],
            "empty_window_seconds": [run.seconds for run in contender.empty_runs],
            "peak_rss_mb": [run.peak_rss_mb for run in contender.runs],
            "records_per_second": contender.rate(),
            "records_per_second_net_of_startup": contender.net_rate(),
        }
    for other, required in ((PLAIN, 0.7), (STOCK, 4.0)):
        value = ours.rate() / by_name[other].rate()
        section.floors.append(
            Floor(
                f"tap-impact-crm ÷ {other}",
                f"≥ {required}x",
                fmt.ratio(value),
                None if math.isnan(value) else value >= required,
            )
        )
    section.notes.append(
        "Wall time is the whole process, interpreter start to exit; 'startup' is the median "
        "wall time of the same command on an empty window (one request, no records). "
        "CPU time is the process's user + system time (median); the sandbox runs on the other "
        "core."
    )
    section.notes.append(f"{PLAIN_MSGSPEC} is a reference line; no floor applies to it.")
    return section
