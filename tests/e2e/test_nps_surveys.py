"""The nps-surveys job: new CRM customers to Tracksale dispatch, exactly once."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from tests.e2e.meltano_runner import meltano_run

pytestmark = pytest.mark.slow
CAMPAIGN = 101


@pytest.mark.parametrize("sandbox", [{"scale": 600}], indirect=True)
def test_every_new_customer_gets_one_survey_mapped_by_stream_maps(sandbox, tmp_path):
    outputs = {
        "TARGET_TRACKSALE_API_URL": sandbox.tracksale_url,
        "TARGET_TRACKSALE_LEDGER_PATH": str(tmp_path / "ledger.sqlite"),
        "TARGET_TRACKSALE_REJECTS_PATH": str(tmp_path / "rejects.jsonl"),
        "TARGET_TRACKSALE_SUMMARY_PATH": str(tmp_path / "summary.json"),
        "TARGET_TRACKSALE_SURVEY_LINKS_PATH": str(tmp_path / "links.jsonl"),
    }
    meltano_run(sandbox, tmp_path, "nps-surveys", env=outputs)
    registrations = {r["userId"]: r for r in sandbox.impact_crm.records("registrations")}
    received = sandbox.tracksale.received(CAMPAIGN)
    identifications = Counter(r["customer"]["identification"] for r in received)
    assert set(identifications) == {str(user) for user in registrations}
    assert max(identifications.values()) == 1, "a customer was surveyed twice"
    customer = received[0]["customer"]
    source = registrations[int(customer["identification"])]
    assert customer["name"] == f"{source['firstName']} {source['lastName']}"
    assert customer["email"] == source["email"]
    tags = customer["tags"]
    tag_values = tags if isinstance(tags, dict) else {t["name"]: t["value"] for t in tags}
    assert tag_values["country"] == source["country"]

    sandbox.impact_crm.add("registrations", 3)
    meltano_run(sandbox, tmp_path, "nps-surveys", env=outputs)
    again = sandbox.tracksale.received(CAMPAIGN)
    assert len(again) == len(received) + 3, "only the three new customers are sent"
    assert max(Counter(r["customer"]["identification"] for r in again).values()) == 1


@pytest.mark.parametrize("sandbox", [{"scale": 300}], indirect=True)
def test_in_batch_mode_every_new_customer_gets_one_survey(sandbox, tmp_path):
    """The tap writes batch files (stream maps applied), the target reads them; twice."""
    batches = tmp_path / "batches"
    batch_config = {
        "encoding": {"format": "jsonl", "compression": "gzip"},
        "storage": {"root": batches.as_uri(), "prefix": "nps-"},
        "batch_size": 25,
    }
    outputs = {
        "TAP_IMPACT_CRM__NPS_CUSTOMERS_BATCH_CONFIG": json.dumps(batch_config),
        "TARGET_TRACKSALE_API_URL": sandbox.tracksale_url,
        "TARGET_TRACKSALE_LEDGER_PATH": str(tmp_path / "ledger.sqlite"),
        "TARGET_TRACKSALE_REJECTS_PATH": str(tmp_path / "rejects.jsonl"),
        "TARGET_TRACKSALE_SUMMARY_PATH": str(tmp_path / "summary.json"),
        "TARGET_TRACKSALE_SURVEY_LINKS_PATH": str(tmp_path / "links.jsonl"),
    }
    meltano_run(sandbox, tmp_path, "nps-surveys", env=outputs)
    assert len(list(batches.glob("nps-*.json.gz"))) >= 2, "the tap wrote too few batch files"
    registrations = {r["userId"]: r for r in sandbox.impact_crm.records("registrations")}
    received = sandbox.tracksale.received(CAMPAIGN)
    identifications = Counter(r["customer"]["identification"] for r in received)
    assert set(identifications) == {str(user) for user in registrations}
    assert max(identifications.values()) == 1, "a customer was surveyed twice"
    source = registrations[int(received[0]["customer"]["identification"])]
    assert received[0]["customer"]["name"] == f"{source['firstName']} {source['lastName']}"
    rejects = tmp_path / "rejects.jsonl"
    assert not rejects.exists() or not rejects.read_text().strip(), "records were rejected"

    sandbox.impact_crm.add("registrations", 3)
    meltano_run(sandbox, tmp_path, "nps-surveys", env=outputs)
    again = sandbox.tracksale.received(CAMPAIGN)
    assert len(again) == len(received) + 3, "only the three new customers are sent"
