"""The Impact CRM guides' own examples (tests/fixtures/vendor/impact_crm), through the tap."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest
from connector_kit.errors import AuthenticationError
from tap_impact_crm.auth import token_of
from tap_impact_crm.servers import server_records

from tests.impact_crm.helpers import crm_config

FIXTURES = Path(__file__).parents[1] / "fixtures" / "vendor" / "impact_crm"
THREE_SERVERS = [
    {"platform": "mt4", "serverTag": "MT4-Live-1"},
    {"platform": "mt4", "serverTag": "MT4-Live-2"},
    {"platform": "mt5", "serverTag": "MT5-Live-1"},
]


def fixture(name: str):
    return json.loads((FIXTURES / name).read_text())


def test_every_fixture_names_its_source():
    for path in FIXTURES.glob("*.json"):
        sibling = path.with_suffix(".source")
        assert sibling.exists() or "_source" in fixture(path.name), path.name


def test_the_guides_login_answer_gives_its_token():
    assert token_of(fixture("login.json")) == "TOKEN_RESPONSE"


@pytest.mark.parametrize(
    ("body", "seen"),
    [
        (
            {"accessToken": "s3cret-value", "expires": 60},
            "an object with ['accessToken', 'expires']",
        ),
        ({"token": ""}, "an object with ['token']"),
        (["TOKEN_RESPONSE"], "a JSON list"),
        (None, "no JSON"),
    ],
)
def test_a_login_answer_without_the_guides_token_names_what_it_holds(body, seen):
    with pytest.raises(AuthenticationError, match="answered the login without a token") as error:
        token_of(body)
    assert seen in str(error.value)
    assert "s3cret-value" not in str(error.value)  # keys only, never values


@pytest.mark.parametrize("name", ["servers_by_platform.json", "servers_groups.json"])
@pytest.mark.parametrize("wrapped", [False, True])
def test_servers_grouped_by_platform_give_one_record_per_tag(name, wrapped):
    body = fixture(name)
    assert server_records({"data": body} if wrapped else body) == THREE_SERVERS


@pytest.mark.parametrize("family", ["trackbox", "ib", "cellxpert"])
def test_the_tap_asks_as_the_guides_example_requests_do(sandbox, run_crm, family):
    examples = [e for e in fixture("request_examples.json")["examples"] if e["family"] == family]
    config = crm_config(
        sandbox,
        report_family=family,
        start_date="2017-04-01",
        end_date="2019-12-31",
        window_days=1100,
        page_size=500,
        max_concurrency=1,
        include_fake=family == "ib",
    )
    run_crm(config).check()
    asked: dict[str, list[dict]] = {}
    for request in sandbox.requests:
        if request["query"].get("page") == "1":
            path = request["path"].removeprefix("/impact-crm")
            asked.setdefault(path, []).append(dict(request["query"]))
    assert len(asked["/api/v1/" + family + "/positions"]) > 1  # one per server tag
    for example in examples:
        url = urlsplit(example["example"])
        wanted = dict(parse_qsl(url.query))
        if example["endpoint"] in ("leads", "registrations"):
            # Either date filter is documented; the tap reads by last modification.
            wanted = {
                k.replace("registrationDate", "lastModifiedDate"): v for k, v in wanted.items()
            }
        for query in asked[url.path]:
            if example["endpoint"] == "positions":
                # Required by the same section, yet left out of its example.
                assert query.pop("serverTag")
            assert query == wanted, example["section"]
