"""Variations of the API's responses, served for real by the sandbox: same records."""

from __future__ import annotations

import pytest
from api_sandbox import Sandbox

from tests.trackfinity.conftest import trackfinity_config
from tests.trackfinity.expectations import by_key

VARIATIONS = {
    "items-strings-extras": frozenset({"envelope-items", "string-numbers", "extra-fields"}),
    "bare-array-strings": frozenset({"envelope-array", "string-numbers"}),
}
START = "2026-09-15"


@pytest.mark.parametrize(
    "sandbox",
    [{"quirks": quirks, "scale": 60} for quirks in VARIATIONS.values()],
    indirect=True,
    ids=list(VARIATIONS),
)
def test_each_variation_yields_the_same_records(sandbox, run_trackfinity):
    run = run_trackfinity(trackfinity_config(sandbox, start_date=START)).check()
    canonical = Sandbox(seed=7, scale=60).trackfinity  # the same data, served as the contract says
    rows = canonical.profit_loss(start_date=START, end_date="2026-10-31")
    assert by_key("profit_loss", run.records["profit_loss"]) == by_key("profit_loss", rows)
    preview = canonical.payout_preview(payvia_type_id=1, rule_type="enabled")
    assert by_key("payout_preview", run.records["payout_preview"]) == by_key(
        "payout_preview", preview
    )
    if "extra-fields" not in sandbox.quirks:
        return
    for stream in ("profit_loss", "payout_preview"):
        for record in run.records[stream]:
            assert not {"riskScore", "audit"} & set(record), "an unknown field reached the top"
            assert set(record["_extra_fields"]) == {"riskScore", "audit"}
            assert record["_extra_fields"]["audit"] == {"source": "crm-sync", "revision": "2"}
    assert "kept a field the schema lacks under _extra_fields: 'riskScore'" in run.stderr
