"""Each report, each filter and setting, against the sandbox over real HTTP."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from connector_kit.windows import today_utc

from tests.impact_crm.expectations import KEYS, all_server_tags, by_key, expected
from tests.impact_crm.helpers import crm_config
from tests.tap_runner import parse_messages, run_tap

WINDOWED = ["leads", "registrations", "transactions", "positions"]


def requests_to(sandbox, endpoint: str) -> list[dict]:
    return [r for r in sandbox.requests if r["path"].endswith(f"/{endpoint}")]


@pytest.mark.parametrize("family", ["trackbox", "ib", "cellxpert"])
def test_full_sync_emits_every_record_of_every_report_once(sandbox, run_crm, family):
    run = run_crm(crm_config(sandbox, report_family=family)).check()
    for stream in KEYS:
        want = expected(sandbox, stream, family)
        assert want, f"the sandbox serves no {stream}: the test would prove nothing"
        assert by_key(stream, run.records.get(stream, [])) == want, stream


def test_registrations_carry_parsed_trading_accounts(sandbox, run_crm):
    run = run_crm(crm_config(sandbox)).check()
    with_accounts = 0
    for record in run.records["registrations"]:
        raw = record["userAdditionalId"] or ""
        accounts = record["tradingAccounts"]
        assert len(accounts) == raw.count("(")
        for account in accounts:
            assert f"({account['login']}, {account['server']}, {account['type']})" in raw
        with_accounts += bool(accounts)
    assert with_accounts > 0


def test_positions_have_one_partition_and_bookmark_per_server(sandbox, run_crm):
    run = run_crm(crm_config(sandbox)).check()
    partitions = run.final_state["bookmarks"]["positions"]["partitions"]
    tags = {p["context"]["serverTag"] for p in partitions}
    assert tags == set(all_server_tags(sandbox))
    for partition in partitions:
        assert partition["replication_key"] == "closeDate"
        assert partition["replication_key_value"] >= "2026-10-31"


def test_server_tags_limits_positions_to_those_servers(sandbox, run_crm):
    chosen = all_server_tags(sandbox)[0]
    run = run_crm(crm_config(sandbox, server_tags=[chosen])).check()
    assert {r["serverTag"] for r in run.records["positions"]} == {chosen}
    assert len(run.records["servers"]) == len(all_server_tags(sandbox))
    asked = {r["query"]["serverTag"] for r in requests_to(sandbox, "positions")}
    assert asked == {chosen}


def test_no_request_spans_more_than_window_days(sandbox, run_crm):
    run_crm(crm_config(sandbox, window_days=7)).check()
    spans = []
    for request in sandbox.requests:
        query = request["query"]
        for name in query:
            if name.endswith("From"):
                start = dt.date.fromisoformat(query[name])
                end = dt.date.fromisoformat(query[name[:-4] + "To"])
                spans.append((end - start).days + 1)
    assert spans
    assert max(spans) == 7


def test_small_pages_are_all_fetched(sandbox, run_crm):
    run = run_crm(crm_config(sandbox, page_size=7, window_days=90)).check()
    pages = [int(r["query"]["page"]) for r in requests_to(sandbox, "leads")]
    assert max(pages) > 3
    assert by_key("leads", run.records["leads"]) == expected(sandbox, "leads")


def test_one_page_at_a_time_gives_the_same_records(sandbox, run_crm):
    run = run_crm(crm_config(sandbox, page_size=9, max_concurrency=1)).check()
    assert by_key("transactions", run.records["transactions"]) == expected(sandbox, "transactions")


def test_ib_leaves_fake_transactions_out_unless_asked(sandbox, run_crm):
    default = run_crm(crm_config(sandbox, report_family="ib")).check()
    assert not any(r["isFake"] for r in default.records["transactions"])
    with_fake = run_crm(crm_config(sandbox, report_family="ib", include_fake=True)).check()
    assert any(r["isFake"] for r in with_fake.records["transactions"])
    assert by_key("transactions", with_fake.records["transactions"]) == expected(
        sandbox, "transactions", "ib", includeFake="true"
    )
    asked = {r["query"].get("includeFake") for r in requests_to(sandbox, "transactions")}
    assert asked == {"false", "true"}


def test_cellxpert_aff_id_filters_leads_and_registrations(sandbox, run_crm):
    aff_id = str(sandbox.impact_crm.records("leads", family="cellxpert")[0]["affId"])
    run = run_crm(crm_config(sandbox, report_family="cellxpert", aff_id=aff_id)).check()
    assert run.records["leads"]
    assert {r["affId"] for r in run.records["leads"]} == {aff_id}
    assert by_key("leads", run.records["leads"]) == expected(
        sandbox, "leads", "cellxpert", affId=aff_id
    )
    assert {r["affId"] for r in run.records.get("registrations", [])} <= {aff_id}


def test_aff_id_is_ignored_with_a_warning_outside_cellxpert(sandbox, run_crm):
    run = run_crm(crm_config(sandbox, aff_id="12")).check()
    assert "applies to the cellxpert family only" in run.stderr
    assert all("affId" not in r["query"] for r in sandbox.requests)


def test_end_date_defaults_to_today(sandbox, run_crm):
    config = crm_config(sandbox, start_date="2026-10-01")
    del config["end_date"]
    run_crm(config).check()
    last = max(r["query"]["lastModifiedDateTo"] for r in requests_to(sandbox, "leads"))
    assert last == today_utc().isoformat()


def test_records_are_typed_per_schema(sandbox, run_crm):
    run = run_crm(crm_config(sandbox)).check()
    stamp = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
    lead = run.records["leads"][0]
    assert isinstance(lead["leadId"], int)
    assert stamp.match(lead["lastModifiedDate"])
    assert isinstance(lead["utmDetails"], dict)
    assert isinstance(lead["tags"], list)
    transaction = run.records["transactions"][0]
    assert isinstance(transaction["amount"], (int, float))
    assert isinstance(transaction["productId"], str)
    schemas = {m["stream"]: m for m in run.messages if m["type"] == "SCHEMA"}
    assert schemas["leads"]["key_properties"] == ["leadId"]
    assert schemas["leads"]["bookmark_properties"] == ["lastModifiedDate"]
    props = schemas["transactions"]["schema"]["properties"]
    assert "number" in props["amount"]["type"]


def test_stream_maps_and_deselected_properties_still_apply(sandbox, run_crm, tmp_path):
    config = crm_config(
        sandbox, stream_maps={"leads": {"email": "__NULL__", "score": "leadId * 2"}}
    )
    mapped = run_crm(config).check()
    lead = mapped.records["leads"][0]
    assert "email" not in lead
    assert lead["score"] == lead["leadId"] * 2

    catalog = json.loads(run_crm(crm_config(sandbox), args=("--discover",)).stdout)
    for stream in catalog["streams"]:
        for entry in stream["metadata"]:
            if entry["breadcrumb"] == ["properties", "phone"]:
                entry["metadata"]["selected"] = False
    catalog_file = tmp_path / "catalog.json"
    catalog_file.write_text(json.dumps(catalog))
    run = run_tap(
        "tap-impact-crm", tmp_path, crm_config(sandbox), args=("--catalog", str(catalog_file))
    )
    records = parse_messages(run.stdout)
    leads = [m["record"] for m in records if m["type"] == "RECORD" and m["stream"] == "leads"]
    assert leads
    assert all("phone" not in r and "email" in r for r in leads)


def test_the_batch_path_writes_what_the_sdks_record_path_writes(sandbox, run_crm):
    """Records going out as they are take the batch path; a (no-op) stream map forces the
    SDK's own record-by-record path. Both must write the same records and the same states."""
    config = crm_config(sandbox, page_size=50, window_days=60)
    batched = run_crm(config).check()
    per_record = run_crm({**config, "stream_maps": {"leads": {"leadId": "leadId"}}}).check()

    signpost = re.compile(r'"replication_key_signpost": "[^"]*"')  # the run's own clock

    def lines(run, stream: str) -> list:
        return [
            (m["type"], m.get("record"), signpost.sub("", json.dumps(m.get("value"))))
            for m in run.messages
            if (m["type"] == "RECORD" and m["stream"] == stream) or m["type"] == "STATE"
        ]

    assert len(batched.records["leads"]) > 50 * 3
    assert lines(batched, "leads") == lines(per_record, "leads")
    states = [m["value"] for m in batched.messages if m["type"] == "STATE"]
    assert len(states) > 3  # one per completed window, at least
