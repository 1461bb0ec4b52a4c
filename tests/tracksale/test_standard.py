"""The Singer SDK's standard tap tests, against the sandbox."""

from __future__ import annotations

import atexit

from api_sandbox import Sandbox
from singer_sdk.testing import get_tap_test_class
from tap_tracksale.tap import TapTracksale

from tests.tracksale.helpers import tracksale_config

_sandbox = Sandbox(seed=5, scale=120).start()
atexit.register(_sandbox.stop)

TestTapTracksale = get_tap_test_class(
    TapTracksale,
    config=tracksale_config(
        _sandbox,
        widget_keys=_sandbox.tracksale.widget_keys(),
        report_granularity="month",
    ),
)
