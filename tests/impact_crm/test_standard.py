"""The Singer SDK's standard tap tests, for each report family, against the sandbox."""

from __future__ import annotations

import atexit

from api_sandbox import Sandbox
from singer_sdk.testing import get_tap_test_class
from tap_impact_crm.tap import TapImpactCrm

from tests.impact_crm.helpers import crm_config

_sandbox = Sandbox(seed=11, scale=60).start()
atexit.register(_sandbox.stop)

TestTrackbox = get_tap_test_class(TapImpactCrm, config=crm_config(_sandbox))
TestIb = get_tap_test_class(TapImpactCrm, config=crm_config(_sandbox, report_family="ib"))
TestCellxpert = get_tap_test_class(
    TapImpactCrm, config=crm_config(_sandbox, report_family="cellxpert")
)
