"""Every `servers` shape docs/apis.md allows, and answers of no known shape."""

from __future__ import annotations

import json

import pytest
from api_sandbox import Sandbox
from tap_impact_crm.servers import server_records

from tests.impact_crm.expectations import by_key, expected
from tests.impact_crm.helpers import crm_config
from tests.tap_runner import run_tap

REPLICATION_KEYS = {
    "leads": "lastModifiedDate",
    "registrations": "lastModifiedDate",
    "transactions": "transactionDate",
}
SERVER_SHAPES = ["", "servers-wrapped", "servers-groups", "servers-wrapped,servers-groups"]


@pytest.mark.parametrize(
    "sandbox",
    [{"quirks": quirks, "scale": 120} for quirks in SERVER_SHAPES],
    indirect=True,
    ids=["platform-map", "wrapped", "groups", "groups-wrapped"],
)
def test_each_servers_shape_gives_every_server_and_its_positions(sandbox, run_crm):
    run = run_crm(crm_config(sandbox)).check()
    assert by_key("servers", run.records["servers"]) == expected(sandbox, "servers")
    assert by_key("positions", run.records["positions"]) == expected(sandbox, "positions")
    tags = {r["query"]["serverTag"] for r in sandbox.requests if r["path"].endswith("/positions")}
    assert tags == {tag for _, tag in expected(sandbox, "servers")}
    check = run_crm(crm_config(sandbox), args=("--test",))
    assert check.returncode == 0, check.stderr
    assert f"({len(tags)} servers)" in check.stderr


def only_catalog(tmp_path, config: dict, stream_id: str) -> str:
    discovered = run_tap("tap-impact-crm", tmp_path, config, args=("--discover",))
    catalog = json.loads(discovered.stdout)
    for stream in catalog["streams"]:
        for entry in stream["metadata"]:
            if entry["breadcrumb"] == []:
                entry["metadata"]["selected"] = stream["tap_stream_id"] == stream_id
    path = tmp_path / f"{stream_id}-catalog.json"
    path.write_text(json.dumps(catalog))
    return str(path)


@pytest.mark.parametrize("sandbox", [{"quirks": "keyed-records", "scale": 60}], indirect=True)
@pytest.mark.parametrize(
    "endpoint", ["leads", "registrations", "transactions", "servers", "positions"]
)
def test_an_answer_of_no_known_shape_stops_the_run_naming_endpoint_and_keys(
    sandbox, tmp_path, endpoint
):
    config = crm_config(sandbox)
    catalog = only_catalog(tmp_path, config, endpoint)
    run = run_tap("tap-impact-crm", tmp_path, config, args=("--catalog", catalog))
    assert run.returncode != 0
    if endpoint in ("servers", "positions"):  # positions read the servers answer first
        assert '"type":"STATE"' not in run.stdout.replace(" ", "")
        assert "The Impact CRM servers response has a shape the tap does not know" in run.stderr
        assert "it has: ['mt4', 'mt5']" in run.stderr
    else:
        # Windows before the first record may be read as empty (`"total": 0`); no bookmark
        # may pass the first record the answer held.
        key = REPLICATION_KEYS[endpoint]
        first_day = min(str(r[key])[:10] for r in sandbox.impact_crm.records(endpoint))
        states = [json.loads(line) for line in run.stdout.splitlines() if '"STATE"' in line]
        for state in states:
            bookmark = state["value"]["bookmarks"][endpoint]["replication_key_value"]
            assert bookmark[:10] < first_day, bookmark
        message = next(
            line for line in run.stderr.splitlines() if f"Impact CRM {endpoint} response" in line
        )
        assert all(key in message for key in ("data", "page", "pageSize", "total")), message


def test_the_connection_test_names_a_servers_answer_of_no_known_shape(run_crm):
    with Sandbox(seed=7, scale=30, quirks="keyed-records") as sandbox:
        run = run_crm(crm_config(sandbox), args=("--test",))
    assert run.returncode != 0
    assert "The Impact CRM servers response has a shape the tap does not know" in run.stderr
    assert "the tags of platform 'mt4' are a dict" in run.stderr


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        ({"mt4": ["A"], "total": 1}, "the tags of platform 'total' are a int"),
        ({"data": "mt4"}, "neither an object nor a list"),
        ([{"name": "mt4", "servers": ["A"]}], "an item has no `platform`: ['name', 'servers']"),
        ([{"platform": "mt4", "servers": [{"login": 1}]}], "a server has no tag"),
        ([{"platform": "mt4"}], "a server has no tag"),
        ({"mt4": [None]}, "a server tag is a NoneType"),
        ("mt4", "neither an object nor a list"),
    ],
)
def test_servers_shapes_the_tap_does_not_know_are_errors(body, detail):
    with pytest.raises(Exception, match="servers response has a shape") as error:
        server_records(body)
    assert detail in str(error.value)
    assert "it has:" in str(error.value)


def test_servers_given_as_records_with_their_platform_are_read():
    body = {"data": [{"platform": "mt5", "serverTag": "MT5-Live-1"}, {"platform": 4, "tag": 7}]}
    assert server_records(body) == [
        {"platform": "mt5", "serverTag": "MT5-Live-1"},
        {"platform": "4", "serverTag": "7"},
    ]
