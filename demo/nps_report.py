"""The demo's NPS report: NPS per campaign over time, from the warehouse.

Reads `tap_tracksale.nps` (one row per campaign and period) and `tap_tracksale.campaigns` from
the DuckDB warehouse; renders a short terminal table and a self-contained HTML page with an
SVG line chart (no script, no network).
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from pathlib import Path

import duckdb

COLORS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf")
WIDTH, HEIGHT, MARGIN = 760, 360, 48
LEGEND_WIDTH = 200


@dataclass(frozen=True)
class NpsPoint:
    """One campaign's NPS over one period."""

    period: str
    nps: float | None
    answers: int


def load(warehouse: Path) -> dict[str, list[NpsPoint]]:
    """NPS per campaign name, oldest period first; periods without answers have no NPS."""
    query = """
        select coalesce(c.name, cast(n.campaign_code as varchar)) as campaign,
               strftime(n.period_start, '%Y-%m-%d') as period,
               n.nps,
               coalesce(n.promoters, 0) + coalesce(n.passives, 0) + coalesce(n.detractors, 0)
        from tap_tracksale.nps n
        left join tap_tracksale.campaigns c on c.code = n.campaign_code
        order by campaign, period
    """
    series: dict[str, list[NpsPoint]] = {}
    with duckdb.connect(str(warehouse), read_only=True) as db:
        for campaign, period, nps, answers in db.execute(query).fetchall():
            point = NpsPoint(period, float(nps) if answers else None, int(answers))
            series.setdefault(campaign, []).append(point)
    return series


def terminal_table(series: dict[str, list[NpsPoint]], last: int = 6) -> str:
    """NPS of each campaign over its `last` periods, one row per campaign."""
    periods = sorted({p.period for points in series.values() for p in points})[-last:]
    width = max((len(name) for name in series), default=8) + 2
    lines = [f"{'campaign':<{width}}" + "".join(f"{p[:7]:>9}" for p in periods)]
    for name, points in series.items():
        by_period = {p.period: p for p in points}
        cells = []
        for period in periods:
            point = by_period.get(period)
            cells.append(f"{point.nps:>9.1f}" if point and point.nps is not None else f"{'-':>9}")
        lines.append(f"{name:<{width}}" + "".join(cells))
    return "\n".join(lines)


def html_page(series: dict[str, list[NpsPoint]], title: str) -> str:
    """A page with one line per campaign: NPS (-100..100) over the periods."""
    periods = sorted({p.period for points in series.values() for p in points})
    if not periods:
        return f"<!doctype html><title>{html.escape(title)}</title><p>No NPS data.</p>"
    step = (WIDTH - 2 * MARGIN) / max(len(periods) - 1, 1)

    def x(period: str) -> float:
        return MARGIN + periods.index(period) * step

    def y(nps: float) -> float:
        return MARGIN + (100 - nps) / 200 * (HEIGHT - 2 * MARGIN)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH + LEGEND_WIDTH}" '
        f'height="{HEIGHT}" font-family="sans-serif" font-size="11">',
        f'<rect width="{WIDTH + LEGEND_WIDTH}" height="{HEIGHT}" fill="white"/>',
    ]
    for level in (-100, -50, 0, 50, 100):
        parts.append(
            f'<line x1="{MARGIN}" x2="{WIDTH - MARGIN}" y1="{y(level):.1f}" y2="{y(level):.1f}" '
            f'stroke="{"#888" if level == 0 else "#ddd"}"/>'
            f'<text x="{MARGIN - 6}" y="{y(level) + 4:.1f}" text-anchor="end">{level}</text>'
        )
    for period in periods:
        parts.append(
            f'<text x="{x(period):.1f}" y="{HEIGHT - MARGIN + 16}" text-anchor="middle">'
            f"{period[:7]}</text>"
        )
    for index, (name, points) in enumerate(series.items()):
        color = COLORS[index % len(COLORS)]
        coords = [f"{x(p.period):.1f},{y(p.nps):.1f}" for p in points if p.nps is not None]
        parts.append(
            f'<polyline fill="none" stroke="{color}" stroke-width="2" points="{" ".join(coords)}"/>'
        )
        parts.append(
            f'<text x="{WIDTH - MARGIN + 16}" y="{MARGIN + 16 * index}" fill="{color}">'
            f"{html.escape(name)}</text>"
        )
    parts.append("</svg>")
    return (
        f"<!doctype html><meta charset='utf-8'><title>{html.escape(title)}</title>"
        f"<h1 style='font-family:sans-serif'>{html.escape(title)}</h1>{''.join(parts)}"
    )


def write_report(warehouse: Path, destination: Path) -> str:
    """Write the HTML report to `destination`; return the terminal table."""
    series = load(warehouse)
    destination.write_text(html_page(series, "NPS per campaign"), encoding="utf-8")
    return terminal_table(series)
