"""Scale: tap-impact-crm's peak resident memory reading 100,000 and 1,000,000 leads.

Each size gets its own sandbox at no latency, the tap reads leads only, in one window, pages
of 1,000, default `max_concurrency`. The peak RSS is the tap process's own `ru_maxrss`.
"""

from __future__ import annotations

import math

from harness import fmt
from harness.configs import impact_crm_config, single_stream_catalog, write_json
from harness.context import Context, tool
from harness.logs import sdk_record_count
from harness.report import Floor, Section

CEILING_MB = 150
FLAT_RATIO = 1.2


def run(context: Context) -> Section:
    small, large = context.sizes.memory_records
    section = Section(
        key="memory",
        title="Scale: peak memory of tap-impact-crm (leads)",
        columns=["leads", "peak RSS", "wall", "records/s", "sandbox start"],
    )
    peaks: dict[int, float] = {}
    for records in (small, large):
        sandbox = context.sandbox(scale=records)
        config = write_json(context.workdir / f"memory-{records}.json", impact_crm_config(sandbox))
        catalog = single_stream_catalog(
            "tap-impact-crm", config, "leads", context.workdir / f"memory-{records}-catalog.json"
        )
        command = [tool("tap-impact-crm"), "--config", str(config), "--catalog", str(catalog)]
        measured = context.run(f"{records:,} leads", command)
        context.stop_sandbox()
        if not measured.ok:
            section.errors.append(measured.failure(f"{records:,} leads"))
            continue
        written = sdk_record_count(measured.stderr, "leads")
        peaks[records] = measured.peak_rss_mb
        section.rows.append(
            [
                fmt.count(written),
                fmt.megabytes(measured.peak_rss_mb),
                fmt.seconds(measured.seconds),
                fmt.count(written / measured.seconds),
                fmt.seconds(sandbox.started_seconds),
            ]
        )
        section.data[str(records)] = {
            "records": written,
            "peak_rss_mb": measured.peak_rss_mb,
            "seconds": measured.seconds,
            "sandbox_start_seconds": sandbox.started_seconds,
        }
    largest = peaks.get(large, math.nan)
    growth = largest / peaks[small] if small in peaks else math.nan
    section.floors += [
        Floor(
            f"peak RSS at {large:,} leads",
            f"< {CEILING_MB} MB",
            fmt.megabytes(largest),
            None if math.isnan(largest) else largest < CEILING_MB,
        ),
        Floor(
            f"flat: peak at {large:,} ÷ peak at {small:,}",
            f"≤ {FLAT_RATIO}x",
            fmt.ratio(growth),
            None if math.isnan(growth) else growth <= FLAT_RATIO,
        ),
    ]
    section.notes.append(
        f"'Flat' is taken as growing by at most {FLAT_RATIO - 1:.0%} for "
        f"{large // small}x the records."
    )
    return section
