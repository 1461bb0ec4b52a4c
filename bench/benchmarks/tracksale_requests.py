"""Requests per tap-tracksale stream for a one-year backfill of the sandbox's default world.

Tracksale locks an account past 1000 requests in five minutes (HTTP 405 and a CAPTCHA), so the
number of requests a backfill takes is budget: it decides how many five-minute windows the
tap's request budget (900 by default) spreads the run over. The tap runs once per
`report_granularity` with its default settings otherwise (every stream but widgets, which
need keys), over the sandbox's whole data period; the sandbox's request log is counted per
endpoint, which is per stream. The tap's budget is raised for these runs and the sandbox's
CAPTCHA solved before each, so that the figures are counts, not waits; each run must end with
no 405 served.
"""

from __future__ import annotations

import math
from collections import Counter
from typing import Any

from harness.configs import tracksale_config, write_json
from harness.context import Context, say, tool
from harness.report import Floor, Section

DEFAULT_WORLD_SCALE = 200
"""`api-sandbox serve`'s default scale."""
DEFAULT_BUDGET = 900
GRANULARITIES = ("week", "month")
STREAM_OF_ENDPOINT = {
    "report/answer": "answers",
    "report/dispatch": "dispatches",
    "report/nps": "nps",
    "report/category": "categories",
    "report/status": "statuses",
    "campaign/{code}/draft-lot": "draft_lots",
    "campaign": "campaigns, and the reports' campaign list",
    "campaign/{code}": "campaigns (with campaign_codes)",
    "widget/{key}": "widgets",
}


def run(context: Context) -> Section:
    sandbox = context.sandbox(scale=DEFAULT_WORLD_SCALE)
    section = Section(
        key="tracksale-requests",
        title=(
            f"tap-tracksale: requests for a one-year backfill of the sandbox's default world "
            f"({sandbox.data_start}..{sandbox.data_end}, scale {DEFAULT_WORLD_SCALE})"
        ),
        columns=["stream", "endpoint", *(f"requests ({g})" for g in GRANULARITIES)],
    )
    counts: dict[str, Counter[str]] = {}
    for granularity in GRANULARITIES:
        config = {
            **tracksale_config(sandbox),
            "window_days": 30,
            "report_granularity": granularity,
            "max_requests_per_window": 1_000_000,
        }
        path = write_json(context.workdir / f"tracksale-requests-{granularity}.json", config)
        sandbox.clear_requests()
        _control(sandbox, "tracksale/solve-captcha")
        command = [tool("tap-tracksale"), "--config", str(path)]
        measured = context.run(f"tap-tracksale, {granularity}ly reports", command)
        if not measured.ok:
            section.errors.append(measured.failure("tap-tracksale"))
            continue
        served = [r for r in sandbox.requests_log() if r["path"].startswith("/tracksale/")]
        refused = sum(1 for r in served if r["status"] == 405)
        if refused:
            section.errors.append(f"{granularity}: the sandbox's lock answered {refused} 405s")
        counts[granularity] = Counter(_endpoint(str(r["path"])) for r in served)
        say(f"    {granularity}: {sum(counts[granularity].values())} requests")
    endpoints = sorted({e for c in counts.values() for e in c}, key=_order)
    for endpoint in endpoints:
        section.rows.append(
            [
                STREAM_OF_ENDPOINT.get(endpoint, "?"),
                endpoint,
                *(str(counts.get(g, Counter())[endpoint]) for g in GRANULARITIES),
            ]
        )
    totals = {g: sum(c.values()) for g, c in counts.items()}
    section.rows.append(["all", "", *(str(totals.get(g, "n/a")) for g in GRANULARITIES)])
    section.rows.append(
        [
            f"5-minute windows at the default budget ({DEFAULT_BUDGET})",
            "",
            *(_windows(totals.get(g)) for g in GRANULARITIES),
        ]
    )
    section.data = {g: dict(c) for g, c in counts.items()}
    for granularity, total in totals.items():
        section.floors.append(
            Floor(
                f"no 405 served ({granularity})",
                "0",
                "0" if not section.errors else "see errors",
                not section.errors,
            )
        )
        say(f"  {granularity}: {total} requests in all")
    section.notes.append(
        "Counted from the sandbox's request log; the tap's budget was raised for these runs, "
        "so they did not wait. With the default budget, a run of more than 900 requests waits "
        "for the oldest of its last 900 to be 5 minutes old."
    )
    return section


def _windows(total: int | None) -> str:
    return "n/a" if total is None else str(math.ceil(total / DEFAULT_BUDGET))


def _endpoint(path: str) -> str:
    parts = path.split("/tracksale/v2/", 1)[-1].strip("/").split("/")
    if parts[0] == "report":
        return "/".join(parts[:2])
    if parts[0] == "campaign":
        if len(parts) == 1:
            return "campaign"
        return "campaign/{code}" + ("/" + "/".join(parts[2:]) if len(parts) > 2 else "")
    if parts[0] == "widget":
        return "widget/{key}"
    return parts[0]


def _order(endpoint: str) -> int:
    names = list(STREAM_OF_ENDPOINT)
    return names.index(endpoint) if endpoint in names else len(names)


def _control(sandbox: Any, route: str) -> None:
    response = sandbox.session.post(f"{sandbox.base_url}/_sandbox/{route}", timeout=60)
    response.raise_for_status()
