"""Reverse ETL: target-tracksale dispatching generated customers to an e-mail campaign.

The customers (SCHEMA, RECORDs with a name and a unique e-mail, a STATE) are written to a file
before the clock starts, then fed to the target on stdin; each run has its own e-mail domain,
so no customer was surveyed before, and its own ledger. The dispatch requests are counted from
the sandbox's log of accepted writes; the requests made (retries included) from its request
log. At 100 ms the ideal is `ceil(customers / 500 / max_concurrency) * latency`.
"""

from __future__ import annotations

import math

from harness import fmt
from harness.configs import target_config, write_json
from harness.context import Context, median, say, tool
from harness.customers import write_customers
from harness.logs import (
    Served,
    answer_times,
    mean_in_flight,
    peak_in_flight,
    served_requests,
)
from harness.report import Floor, Section
from harness.sandbox import SandboxProcess

CAMPAIGN = 101
STREAM = "customers"
PER_REQUEST = 500
MAX_CONCURRENCY = 8
MIN_RATE = 20_000
SANDBOX_SCALE = 1000


def run(context: Context) -> Section:
    customers = context.sizes.customers
    expected_requests = math.ceil(customers / PER_REQUEST)
    section = Section(
        key="reverse-etl",
        title=f"Reverse ETL: target-tracksale dispatching {customers:,} customers "
        f"to campaign {CAMPAIGN}, max_concurrency {MAX_CONCURRENCY}",
        columns=[
            "latency",
            "customers/s",
            "median wall",
            "runs",
            "CPU time",
            "startup",
            "ideal",
            "wall ÷ ideal",
            "dispatch requests",
            "requests made",
            "peak in flight",
            "mean in flight",
            "peak RSS",
        ],
    )
    request_counts: list[int] = []
    for latency_ms in (0, 100):
        sandbox = context.sandbox(scale=SANDBOX_SCALE, latency_ms=latency_ms)
        walls, cpu, dispatches, made, peaks, means, rss = [], [], [], [], [], [], []
        answered: list[Served] = []
        for number in range(context.sizes.rounds):
            workdir = context.workdir / f"target-{latency_ms}ms-{number}"
            workdir.mkdir()
            domain = f"run{number}.latency{latency_ms}.bench.example.com"
            stream = write_customers(
                workdir / "customers.jsonl", stream=STREAM, count=customers, domain=domain
            )
            config = write_json(
                workdir / "config.json",
                target_config(sandbox, workdir, stream=STREAM, campaign_code=CAMPAIGN),
            )
            before = len(sandbox.tracksale_writes())
            sandbox.clear_requests()
            label = f"{latency_ms} ms, run {number + 1}"
            measured = context.run(
                label, [tool("target-tracksale"), "--config", str(config)], stdin=stream
            )
            if not measured.ok:
                section.errors.append(measured.failure(label))
                continue
            writes = sandbox.tracksale_writes()[before:]
            log = served_requests(sandbox.requests_log())
            walls.append(measured.seconds)
            cpu.append(measured.cpu_seconds)
            dispatches.append(sum(1 for w in writes if str(w["path"]).endswith("/dispatch")))
            made.append(len(log))
            peaks.append(peak_in_flight(log))
            posts = [served for served in log if served.method == "POST"]
            answered += posts
            if posts:
                since, until = min(p.start for p in posts), max(p.end for p in posts)
                means.append(mean_in_flight(log, since, until))
            rss.append(measured.peak_rss_mb)
        request_counts += dispatches
        startup = _startup(context, sandbox, latency_ms)
        wall = median(walls)
        ideal = math.ceil(customers / PER_REQUEST / MAX_CONCURRENCY) * latency_ms / 1000
        ratio = wall / ideal if ideal else math.nan
        section.rows.append(
            [
                f"{latency_ms} ms",
                fmt.count(customers / wall),
                fmt.seconds(wall),
                fmt.spread(walls),
                fmt.seconds(median(cpu)),
                fmt.seconds(startup),
                fmt.seconds(ideal) if ideal else "-",
                fmt.ratio(ratio) if ideal else "-",
                "/".join(map(str, dispatches)) or "n/a",
                "/".join(map(str, made)) or "n/a",
                str(max(peaks, default=0)) if latency_ms else "-",
                f"{median(means):.1f}" if latency_ms else "-",
                fmt.megabytes(max(rss, default=math.nan)),
            ]
        )
        section.data[f"{latency_ms}ms"] = {
            "seconds": walls,
            "cpu_seconds": cpu,
            "empty_stream_seconds": startup,
            "customers_per_second": customers / wall,
            "ideal_seconds": ideal,
            "dispatch_requests": dispatches,
            "requests_made": made,
            "peak_in_flight": peaks,
            "mean_in_flight_while_dispatching": means,
            "peak_rss_mb": rss,
        }
        if latency_ms == 0:
            rate = customers / wall
            section.floors.append(
                Floor(
                    "customers/s at 0 ms",
                    f"≥ {MIN_RATE:,}",
                    fmt.count(rate),
                    None if math.isnan(rate) else rate >= MIN_RATE,
                )
            )
        else:
            section.floors.append(
                Floor(
                    f"wall ÷ ideal at {latency_ms} ms",
                    "≤ 1.3x",
                    fmt.ratio(ratio),
                    None if math.isnan(ratio) else ratio <= 1.3,
                )
            )
        if latency_ms and answered:
            fastest, slowest = answer_times(answered)
            section.notes.append(
                f"At {latency_ms} ms the sandbox answered each dispatch {fastest * 1000:.0f} to "
                f"{slowest * 1000:.0f} ms after reading it."
            )
        say(f"  {latency_ms} ms: median {wall:.2f} s")
    section.floors.append(
        Floor(
            "dispatch requests per run",
            f"= ceil({customers:,} / {PER_REQUEST}) = {expected_requests}",
            ", ".join(sorted({str(n) for n in request_counts})) or "n/a",
            None if not request_counts else set(request_counts) == {expected_requests},
        )
    )
    section.notes.append(
        "Wall time is the whole target process, from start to exit, reading the file on stdin. "
        "'Requests made' counts every API request the sandbox logged, GET /campaign included. "
        "'Startup' is one run of the same target on a stream with no records (SCHEMA, STATE). "
        "'Mean in flight' is over the span from the first dispatch sent to the last answered."
    )
    return section


def _startup(context: Context, sandbox: SandboxProcess, latency_ms: int) -> float:
    """Wall time of a run with no records: start, config checks, GET /campaign, exit."""
    workdir = context.workdir / f"target-{latency_ms}ms-empty"
    workdir.mkdir()
    stream = write_customers(workdir / "empty.jsonl", stream=STREAM, count=0, domain="x.test")
    config = write_json(
        workdir / "config.json",
        target_config(sandbox, workdir, stream=STREAM, campaign_code=CAMPAIGN),
    )
    measured = context.run(
        f"{latency_ms} ms, no records",
        [tool("target-tracksale"), "--config", str(config)],
        stdin=stream,
    )
    return measured.seconds if measured.ok else math.nan
