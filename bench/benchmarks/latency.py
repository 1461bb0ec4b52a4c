"""Latency-bound extraction: tap-impact-crm leads when every request takes 200 ms.

The sandbox holds exactly `pages` pages of leads in one window and answers each API request
after 200 ms, once with pages of 1,000 (the API's default, which also makes the run heavy on
CPU) and once with pages of 100 (the latency alone). The ideal is
`ceil(pages / max_concurrency) * latency`: every page fetched `max_concurrency` at a time and
nothing else costing time. The tap's wall time is the whole process; the sandbox's request log
says where the time went and how many requests were in flight (see `harness.logs` for why that
count is a lower bound).

A last run, with pages of 1,000, has the sandbox answer one page in the middle with a 429
(`Retry-After: 1`), to see whether the tap lowers its concurrency while it waits.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from harness import fmt
from harness.configs import impact_crm_config, single_stream_catalog, write_json
from harness.context import Context, median, say, tool
from harness.logs import (
    Served,
    answer_times,
    first_logged,
    mean_in_flight,
    peak_in_flight,
    sdk_record_count,
    served_requests,
)
from harness.process import Measured
from harness.report import Floor, Section

LATENCY_MS = 200
PAGE_SIZE = 1000
SMALL_PAGE_SIZE = 100
PAGE_SIZES = (PAGE_SIZE, SMALL_PAGE_SIZE)
MAX_CONCURRENCY = 8
RETRY_AFTER = 1


@dataclass
class LatencyRun:
    """One run of the tap and what the request log says about it."""

    measured: Measured
    requests: list[Served]
    records: int

    @property
    def page_requests(self) -> list[Served]:
        return [served for served in self.requests if served.path.endswith("/leads")]

    def mean_in_flight(self) -> float:
        """Requests in flight on average from the first page asked to the last answered."""
        pages = self.page_requests
        first_start = min(served.start for served in pages)
        return mean_in_flight(self.requests, first_start, max(served.end for served in pages))

    def phases(self) -> dict[str, float]:
        """Seconds to the first request, logging in, from login to the last page, the end."""
        login = next(served for served in self.requests if served.path.endswith("/login"))
        pages = self.page_requests
        last_end = max(served.end for served in pages)
        return {
            "before the first request": login.start - self.measured.started_at,
            "login": login.end - login.start,
            "pages": last_end - login.end,
            "after the last page": self.measured.ended_at - last_end,
        }


def run(context: Context) -> Section:
    pages = context.sizes.latency_pages
    ideal = math.ceil(pages / MAX_CONCURRENCY) * LATENCY_MS / 1000
    section = Section(
        key="latency",
        title=f"Latency-bound extraction: {pages} pages of leads, {LATENCY_MS} ms per request, "
        f"max_concurrency {MAX_CONCURRENCY}",
        columns=[
            "page size",
            "run",
            "wall",
            "CPU time",
            "ideal",
            "wall ÷ ideal",
            "requests",
            "peak in flight",
            "mean in flight",
        ],
    )
    runs: dict[int, list[LatencyRun]] = {}
    faulted: LatencyRun | None = None
    for page_size in PAGE_SIZES:
        done, with_429 = _scenario(context, section, page_size, ideal, fault=page_size == PAGE_SIZE)
        runs[page_size] = done
        faulted = with_429 or faulted
    every = [r for done in runs.values() for r in done]
    peaks = [peak_in_flight(r.requests) for r in every]
    reached = max(peaks, default=0)
    peak = max(reached, peak_in_flight(faulted.requests) if faulted else 0)
    for page_size, done in runs.items():
        wall = median([r.measured.seconds for r in done])
        section.floors.append(
            Floor(
                f"wall ÷ ideal (median), pages of {page_size:,}",
                "≤ 1.3x",
                fmt.ratio(wall / ideal),
                None if not done else wall / ideal <= 1.3,
            )
        )
    section.floors += [
        Floor(
            "pages in flight reach max_concurrency",
            f"= {MAX_CONCURRENCY}",
            str(reached),
            None if not every else reached >= MAX_CONCURRENCY,
        ),
        Floor(
            "requests in flight, every run (429 run included)",
            f"≤ {MAX_CONCURRENCY}",
            str(peak),
            None if not every and faulted is None else peak <= MAX_CONCURRENCY,
        ),
    ]
    section.floors.append(_backoff_floor(faulted, section))
    for page_size, done in runs.items():
        if not done:
            continue
        typical = sorted(done, key=lambda r: r.measured.seconds)[len(done) // 2]
        phases = "; ".join(f"{name} {value:.2f} s" for name, value in typical.phases().items())
        section.notes.append(
            f"Pages of {page_size:,} ({pages * page_size:,} leads), where the median run's time "
            f"went: {phases}; CPU time {typical.measured.cpu_seconds:.2f} s on the one core "
            "the tap is pinned to."
        )
        counts = {len(r.page_requests) for r in done}
        highest = max(int(s.query.get("page", 0)) for s in typical.page_requests)
        section.notes.append(
            f"Pages of {page_size:,}: {', '.join(map(str, sorted(counts)))} page requests per "
            f"run for {pages} pages (highest page asked for: {highest}; a full last page is "
            "followed by one more request, in case the total grew)."
        )
        section.data[f"runs_page_size_{page_size}"] = [_data(r, ideal) for r in done]
    if faulted is not None:
        section.data["run_with_429"] = _data(faulted, ideal)
    section.data["ideal_seconds"] = ideal
    section.notes.append(
        f"ideal = ceil({pages} / {MAX_CONCURRENCY}) x {LATENCY_MS} ms = {ideal:.2f} s; it "
        "leaves out the process start and the login, which the wall time includes (see where "
        "the time went, above)."
    )
    fastest, slowest = answer_times(s for r in every for s in r.requests)
    section.notes.append(
        f"The sandbox answered each request {fastest * 1000:.0f} to {slowest * 1000:.0f} ms "
        f"after reading it (latency {LATENCY_MS} ms; 429 run left out)."
    )
    section.notes.append(
        f"Pages of {PAGE_SIZE:,} are the API's default; with them the run is as much CPU-bound "
        "as latency-bound (the CPU time is close to the ideal). Pages of "
        f"{SMALL_PAGE_SIZE} show the latency alone."
    )
    section.notes.append(
        "In flight: from the sandbox's request log, each request from the moment it was read "
        "to the moment its answer was ready (a lower bound of what the tap had in flight)."
    )
    return section


def _scenario(
    context: Context, section: Section, page_size: int, ideal: float, *, fault: bool
) -> tuple[list[LatencyRun], LatencyRun | None]:
    """Runs of the tap at one page size (and, with `fault`, one run with a 429)."""
    pages = context.sizes.latency_pages
    sandbox = context.sandbox(scale=pages * page_size, latency_ms=LATENCY_MS)
    config = write_json(
        context.workdir / f"latency-config-{page_size}.json",
        {**impact_crm_config(sandbox, page_size=page_size), "max_concurrency": MAX_CONCURRENCY},
    )
    catalog = single_stream_catalog(
        "tap-impact-crm", config, "leads", context.workdir / f"latency-catalog-{page_size}.json"
    )
    command = [tool("tap-impact-crm"), "--config", str(config), "--catalog", str(catalog)]

    def one_run(label: str) -> LatencyRun | None:
        sandbox.clear_requests()
        measured = context.run(label, command)
        if not measured.ok:
            section.errors.append(measured.failure(label))
            return None
        log = served_requests(sandbox.requests_log())
        return LatencyRun(measured, log, sdk_record_count(measured.stderr, "leads"))

    runs = [one_run(f"pages of {page_size}, run {n + 1}") for n in range(context.sizes.rounds)]
    done = [r for r in runs if r is not None]
    for number, latency_run in enumerate(done, start=1):
        section.rows.append(_row(f"{page_size:,}", f"run {number}", latency_run, ideal))
    if not fault:
        return done, None
    fault_page = max(2, pages * 2 // 5)
    sandbox.queue_faults(f"&page={fault_page}&", [{"status": 429, "retry_after": RETRY_AFTER}])
    say(f"  one 429 (Retry-After: {RETRY_AFTER}) on page {fault_page}")
    faulted = one_run(f"429 on page {fault_page}")
    sandbox.clear_faults()
    if faulted is not None:
        section.rows.append(_row(f"{page_size:,}", f"429 on page {fault_page}", faulted, ideal))
    return done, faulted


def _row(page_size: str, label: str, latency_run: LatencyRun, ideal: float) -> list[str]:
    return [
        page_size,
        label,
        fmt.seconds(latency_run.measured.seconds),
        fmt.seconds(latency_run.measured.cpu_seconds),
        fmt.seconds(ideal),
        fmt.ratio(latency_run.measured.seconds / ideal),
        str(len(latency_run.requests)),
        str(peak_in_flight(latency_run.requests)),
        f"{latency_run.mean_in_flight():.1f}",
    ]


def _data(latency_run: LatencyRun, ideal: float) -> dict:
    return {
        "seconds": latency_run.measured.seconds,
        "cpu_seconds": latency_run.measured.cpu_seconds,
        "ratio_to_ideal": latency_run.measured.seconds / ideal,
        "records": latency_run.records,
        "requests": len(latency_run.requests),
        "page_requests": len(latency_run.page_requests),
        "statuses": sorted({str(served.status) for served in latency_run.requests}),
        "peak_in_flight": peak_in_flight(latency_run.requests),
        "mean_in_flight_after_first_page": latency_run.mean_in_flight(),
        "phases_seconds": latency_run.phases(),
        "peak_rss_mb": latency_run.measured.peak_rss_mb,
    }


def _backoff_floor(faulted: LatencyRun | None, section: Section) -> Floor:
    """After a 429, does the tap lower its concurrency (at least halve it) while it waits?"""
    name = "in flight while a 429 waits its Retry-After"
    required = f"≤ {MAX_CONCURRENCY // 2} (halved)"
    if faulted is None:
        return Floor(name, required, "n/a", None)
    answered = [served for served in faulted.requests if served.status == 429]
    if not answered:
        section.notes.append("the queued 429 was not served: no back-off figure")
        return Floor(name, required, "n/a", None)
    t429 = answered[0].end
    # Requests sent before the tap lowered its limit (its log line says when; requests of
    # the same round may have been sent after the 429 was answered and before the tap read
    # it) cannot be called back. Once the last of them has ended, only what the tap sent
    # under the lowered limit is in flight.
    lowered = first_logged(faulted.measured.stderr, "concurrency lowered from") or t429
    settled = max(served.end for served in faulted.requests if served.start < lowered)
    during = peak_in_flight(faulted.requests, since=settled, until=t429 + RETRY_AFTER)
    after = peak_in_flight(faulted.requests, since=t429 + RETRY_AFTER, until=t429 + 2 * RETRY_AFTER)
    section.notes.append(
        f"429 run: peak in flight {during} during the {RETRY_AFTER} s Retry-After after the "
        f"429 (from {settled - t429:.2f} s after it, once the requests sent before the tap "
        f"lowered its limit, {(lowered - t429) * 1000:.0f} ms after the 429, had ended), "
        f"{after} in the second after it."
    )
    section.data["backoff"] = {"during_retry_after": during, "second_after": after}
    return Floor(name, required, str(during), during <= MAX_CONCURRENCY // 2)
