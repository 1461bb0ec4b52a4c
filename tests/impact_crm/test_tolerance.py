"""Every variation docs/apis.md allows for Impact CRM, served for real by the sandbox."""

from __future__ import annotations

import pytest
from api_sandbox import Sandbox

from tests.impact_crm.expectations import by_key, expected
from tests.impact_crm.helpers import crm_config

QUIRKS = [
    "envelope-items",
    "envelope-results",
    "envelope-records",
    "envelope-array",
    "no-total",
    "string-numbers",
    "naive-timestamps",
    "extra-fields",
]


@pytest.mark.parametrize(
    "sandbox", [{"quirks": frozenset({q}), "scale": 120} for q in QUIRKS], indirect=True, ids=QUIRKS
)
def test_each_variation_yields_the_same_records(sandbox, run_crm):
    run = run_crm(crm_config(sandbox, page_size=15)).check()
    canonical = Sandbox(seed=7, scale=120)  # the same data, served as the contract says
    for stream in ("leads", "registrations", "transactions", "positions", "servers"):
        want = expected(canonical, stream)
        have = {
            key: without_unknown_nested(record, want.get(key, {}))
            for key, record in by_key(stream, run.records[stream]).items()
        }
        assert have == want, stream


def without_unknown_nested(record: dict, canonical: dict) -> dict:
    """`record` with nested keys the canonical record lacks taken out (checked elsewhere)."""
    out = dict(record)
    for name, value in record.items():
        if isinstance(value, dict) and isinstance(canonical.get(name), dict):
            out[name] = {k: v for k, v in value.items() if k in canonical[name]}
    return out


@pytest.mark.parametrize("sandbox", [{"quirks": frozenset({"extra-fields"})}], indirect=True)
def test_unknown_fields_are_kept_and_reported(sandbox, run_crm):
    run = run_crm(crm_config(sandbox)).check()
    canonical = {r["leadId"]: r for r in Sandbox(seed=7, scale=300).impact_crm.records("leads")}
    for record in run.records["leads"]:
        unknown = set(record) - set(canonical[record["leadId"]]) - {"_extra_fields"}
        assert not unknown, "an unknown field reached the record's top level"
        assert record["_extra_fields"], "an unknown top-level field was dropped"
        nested = set(record["utmDetails"]) - set(canonical[record["leadId"]]["utmDetails"])
        assert nested, "an unknown nested field was dropped"
    assert "_extra_fields" in run.stderr
