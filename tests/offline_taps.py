"""The three taps built in-process with no API behind them: for their streams and schemas.

Building a tap makes no request; these configs only satisfy what building needs. A test that
syncs a stream this way hands it the records itself.
"""

from __future__ import annotations

from typing import Any

from singer_sdk import Tap
from tap_impact_crm.tap import TapImpactCrm
from tap_trackfinity.tap import TapTrackfinity
from tap_tracksale.tap import TapTracksale

NOWHERE = "http://127.0.0.1:9"
"""No request is made: records come from the test, not from an API."""
TAPS: dict[str, tuple[type[Tap], dict[str, Any]]] = {
    "tap-tracksale": (TapTracksale, {"api_token": "t" * 32, "timezone": "UTC"}),
    "tap-impact-crm": (
        TapImpactCrm,
        {"x_domain": "d", "api_key": "k" * 16, "email": "a@b.test", "password": "p" * 12},
    ),
    "tap-trackfinity": (TapTrackfinity, {"api_username": "u", "api_key": "k" * 16}),
}


def offline_tap(tap: str, **overrides: Any) -> Tap:
    """`tap` (`tap-tracksale`, ...) built with a config pointing nowhere, plus `overrides`."""
    cls, settings = TAPS[tap]
    config = {"api_url": NOWHERE, "start_date": "2026-01-01", **settings, **overrides}
    return cls(config=config, validate_config=False)
