"""Variations of the API's answers, served for real by the sandbox: same records."""

from __future__ import annotations

import pytest
from api_sandbox import Sandbox

from tests.trackfinity.expectations import (
    expected_profit_loss,
    expected_transactions,
    profit_loss_by_key,
    transactions_by_id,
)
from tests.trackfinity.helpers import trackfinity_config

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
    config = trackfinity_config(sandbox, start_date=START, profitloss_views=["login", "period"])
    run = run_trackfinity(config).check()
    canonical = Sandbox(seed=7, scale=60)  # the same data, served as documented
    want = expected_profit_loss(canonical, ("login", "period"), START)
    assert profit_loss_by_key(run.records["profit_loss"]) == want
    assert transactions_by_id(run.records["transactions"]) == expected_transactions(
        canonical, START
    )
    if "extra-fields" not in sandbox.quirks:
        return
    for record in run.records["profit_loss"]:
        assert record["_extra_fields"]["row.audit"] == {"source": "crm-sync", "revision": "2"}
        assert set(record["_extra_fields"]) == {"row.riskScore", "row.audit", "sourceSystem"}
        assert record["_extra_fields"]["sourceSystem"] == "legacy"  # a stat the schema lacks
        assert "sourceSystem" not in record
    for record in run.records["transactions"]:
        assert set(record["_extra_fields"]) == {"riskScore", "audit"}
    assert "kept a field the schema lacks under _extra_fields: 'riskScore'" in run.stderr
