"""The other taps, one stream each: tap-tracksale answers and tap-trackfinity profit_loss.

Both read from the same sandbox as the CPU benchmark, at no latency, the whole data period in
one window, only the one stream selected, with their default settings otherwise (so
tap-trackfinity asks for the profit/loss report once per day, by login, `max_concurrency` days
at a time). The Trackfinity sandbox builds its days on the first request, so one unmeasured
run goes first.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

from harness import fmt
from harness.configs import (
    single_stream_catalog,
    trackfinity_config,
    tracksale_config,
    write_json,
)
from harness.context import Context, median, say, tool
from harness.logs import sdk_record_count
from harness.report import Section


@dataclass
class TapStream:
    """One tap and the stream it is measured on, with what its runs measured."""

    tap: str
    stream: str
    warm_up: bool
    seconds: list[float] = field(default_factory=list)
    records: list[int] = field(default_factory=list)
    requests: list[int] = field(default_factory=list)
    rss: list[float] = field(default_factory=list)


def run(context: Context) -> Section:
    scale = context.sizes.cpu_records
    section = Section(
        key="other-taps",
        title=f"Other taps, one stream each (sandbox scale {scale:,}, no latency)",
        columns=[
            "tap",
            "stream",
            "records",
            "records/s",
            "median wall",
            "runs",
            "requests",
            "peak RSS",
        ],
    )
    sandbox = context.sandbox(scale=scale)
    lineup = [
        TapStream("tap-tracksale", "answers", warm_up=False),
        TapStream("tap-trackfinity", "profit_loss", warm_up=True),
    ]
    configs = {
        "tap-tracksale": tracksale_config(sandbox),
        "tap-trackfinity": trackfinity_config(sandbox),
    }
    commands: dict[str, list[str]] = {}
    for entry in lineup:
        config = write_json(context.workdir / f"{entry.tap}.json", configs[entry.tap])
        catalog = single_stream_catalog(
            entry.tap, config, entry.stream, context.workdir / f"{entry.tap}-catalog.json"
        )
        commands[entry.tap] = _command(entry.tap, config, catalog)
        if entry.warm_up:
            say(f"  warming up {entry.tap} (not measured)")
            context.run(f"{entry.tap} warm-up", commands[entry.tap])
    for number in range(context.sizes.rounds):
        say(f"  round {number + 1} of {context.sizes.rounds}")
        for entry in lineup:
            sandbox.clear_requests()
            measured = context.run(f"{entry.tap} {entry.stream}", commands[entry.tap])
            if not measured.ok:
                section.errors.append(measured.failure(entry.tap))
                continue
            entry.seconds.append(measured.seconds)
            entry.records.append(sdk_record_count(measured.stderr, entry.stream))
            entry.requests.append(len(sandbox.requests_log()))
            entry.rss.append(measured.peak_rss_mb)
    for entry in lineup:
        wall = median(entry.seconds)
        records = median([float(n) for n in entry.records])
        section.rows.append(
            [
                entry.tap,
                entry.stream,
                fmt.count(records),
                fmt.count(records / wall),
                fmt.seconds(wall),
                fmt.spread(entry.seconds),
                "/".join(map(str, sorted(set(entry.requests)))) or "n/a",
                fmt.megabytes(max(entry.rss, default=math.nan)),
            ]
        )
        section.data[f"{entry.tap}/{entry.stream}"] = {
            "seconds": entry.seconds,
            "records": entry.records,
            "requests": entry.requests,
            "peak_rss_mb": entry.rss,
            "records_per_second": records / wall,
        }
    section.notes.append("The work item sets no floor for these; figures only.")
    return section


def _command(tap: str, config: Path, catalog: Path) -> list[str]:
    return [tool(tap), "--config", str(config), "--catalog", str(catalog)]
