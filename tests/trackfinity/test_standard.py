"""The Singer SDK's standard tap tests, against the sandbox."""

from __future__ import annotations

import atexit

from api_sandbox import Sandbox
from singer_sdk.testing import get_tap_test_class
from tap_trackfinity.tap import TapTrackfinity

from tests.trackfinity.helpers import trackfinity_config

_sandbox = Sandbox(seed=11, scale=60).start()
atexit.register(_sandbox.stop)

TestTrackfinity = get_tap_test_class(
    TapTrackfinity,
    config=trackfinity_config(
        _sandbox, payout_preview_hashes=list(_sandbox.trackfinity.preview_clicks)
    ),
)
