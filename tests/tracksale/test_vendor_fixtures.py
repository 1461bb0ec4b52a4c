"""The vendor's and public clients' answer shapes, replayed through the tap's parsing.

Each file of tests/fixtures/vendor/tracksale/ sits beside a `.source` note saying where its
shape comes from (the vendor's page, or public client code).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from connector_kit.errors import ConnectorError
from tap_tracksale.campaign_answers import campaign_in
from tap_tracksale.tap import TapTracksale

FIXTURES = Path(__file__).parents[1] / "fixtures" / "vendor" / "tracksale"
CONFIG = {
    "api_url": "https://api.tracksale.co/v2",
    "api_token": "fixture-token",
    "start_date": "2024-01-01",
}


def fixture(name: str) -> object:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def emitted(stream_name: str, rows: list[dict], **config: object) -> list[dict]:
    """The records the tap emits for these rows of an API answer."""
    tap = TapTracksale(config={**CONFIG, **config}, validate_config=True)
    stream = tap.streams[stream_name]
    return [stream.post_process(json.loads(json.dumps(row))) for row in rows]


def test_every_fixture_has_its_source():
    names = sorted(path.stem for path in FIXTURES.glob("*.json"))
    assert names
    for name in names:
        assert (FIXTURES / f"{name}.source").read_text().strip(), name


def test_one_campaign_in_an_array_as_a_public_client_stubs_it():
    campaign = campaign_in(fixture("campaign_one_array.json"), 7)
    assert campaign == {
        "name": "random - name",
        "code": 7,
        "detractors": 1,
        "passives": 2,
        "promoters": 3,
    }
    (record,) = emitted("campaigns", [campaign])
    assert record["code"] == 7
    assert "_extra_fields" not in record


def test_one_campaign_as_the_vendor_page_shows_it_with_a_local_creation_time():
    campaign = campaign_in(fixture("campaign_one_object.json"), 101)
    (record,) = emitted("campaigns", [campaign])
    # 14:22:10 in America/Sao_Paulo (UTC-3, the default `timezone`) is 17:22:10 UTC.
    assert record["create_time"] == "2024-03-05T17:22:10Z"
    assert record["dispatch_limits"]["daily"] == {"limit": None, "remaining": None}
    (in_utc,) = emitted("campaigns", [campaign], timezone="UTC")
    assert in_utc["create_time"] == "2024-03-05T14:22:10Z"


@pytest.mark.parametrize(
    "body",
    [[], [{"code": 8, "name": "another"}], {"message": "not found"}, "campaign"],
    ids=["empty", "another-campaign", "no-code", "text"],
)
def test_a_campaign_answer_without_the_campaign_names_the_endpoint(body):
    with pytest.raises(ConnectorError, match=r"GET /campaign/7 did not answer campaign 7"):
        campaign_in(body, 7)


def test_level_justifications_with_i18n_names_and_unix_times():
    (answer,) = emitted("answers", fixture("answer_report_level_i18n.json"))
    assert answer["justifications"] == [
        {
            "name": "foo",
            "name_i18n": {"pt-br": "foo"},
            "children": [
                {"name": "bar", "name_i18n": {"pt-br": "bar"}},
                {"name": "bar2", "name_i18n": {"pt-br": "bar2"}},
                {"name": "bar3", "name_i18n": {"pt-br": "bar3"}},
            ],
        }
    ]
    assert answer["time"] == "2018-07-26T13:27:26Z"  # Unix seconds: no time zone involved
    assert (answer["id"], answer["campaign_code"]) == (11112222, 7)
    assert answer["tags"] == [
        {"name": "test1", "value": "test2"},
        {"name": "test3", "value": "test4"},
    ]
    assert "_extra_fields" not in answer


def test_level_justifications_with_plain_names():
    (answer,) = emitted("answers", fixture("answer_report_level_plain.json"))
    assert answer["justifications"] == [
        {
            "name": "foo2",
            "name_i18n": None,
            "children": [
                {"name": "bar5", "name_i18n": None},
                {"name": "bar6", "name_i18n": None},
                {"name": "bar7", "name_i18n": None},
            ],
        }
    ]


def test_dispatch_report_texts_flags_and_local_times():
    (lot,) = emitted("dispatches", fixture("dispatch_report.json"))
    assert lot["campaign_code"] == 101
    assert lot["create_time"] == "2024-03-05T17:22:10Z"
    first, second = lot["customers"]
    assert (first["has_answered"], second["has_answered"]) == (True, False)
    assert first["dispatch_time"] == "2024-03-05T17:30:00Z"
    assert second["dispatch_time"] == "2024-03-05T17:30:00Z"
