"""The account's survey widgets, as `GET /widget/{key}` serves them."""

from __future__ import annotations

import random

# key, name, and the daily, weekly and monthly opening limits (None: the widget has none)
_WIDGETS = (
    ("wdg-home", "Home page", None),
    ("wdg-checkout", "Checkout", (50, 300, 1000)),
    ("wdg-app", "Mobile app", None),
)


def build_widgets(seed: int) -> dict[str, dict[str, object]]:
    """Two or three widgets by key; one has opening limits, reached today."""
    rng = random.Random(f"tracksale:widgets:{seed}")
    widgets = {}
    for number, (key, name, limits) in enumerate(_WIDGETS[: rng.randint(2, 3)], start=1):
        if limits:
            daily = limits[0]
            weekly = rng.randint(daily, limits[1] - 1)
            monthly = rng.randint(weekly, limits[2] - 1)
        else:
            daily = rng.randint(20, 400)
            weekly = daily + rng.randint(50, 2000)
            monthly = weekly + rng.randint(200, 8000)
        limit_values = limits or (0, 0, 0)
        widgets[key] = {
            "id": number,
            "name": name,
            "views": {"daily": daily, "weekly": weekly, "monthly": monthly},
            "limits": {
                "daily": limit_values[0],
                "weekly": limit_values[1],
                "monthly": limit_values[2],
                "has_limit": limits is not None,
                "limit_reached": "daily" if limits else None,
            },
        }
    return widgets
