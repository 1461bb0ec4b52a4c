"""How figures are written in the tables."""

from __future__ import annotations

import math


def count(value: float) -> str:
    return "n/a" if math.isnan(value) else f"{value:,.0f}"


def seconds(value: float) -> str:
    return "n/a" if math.isnan(value) else f"{value:.2f} s"


def megabytes(value: float) -> str:
    return "n/a" if math.isnan(value) else f"{value:.0f} MB"


def ratio(value: float) -> str:
    return "n/a" if math.isnan(value) else f"{value:.2f}x"


def spread(values: list[float]) -> str:
    """The range of the runs behind a median, e.g. `6.41-6.90 s`."""
    if len(values) < 2:
        return "-"
    return f"{min(values):.2f}-{max(values):.2f} s"
