"""Answer shapes and the `timezone` setting, against the sandbox over real HTTP and in units."""

from __future__ import annotations

import datetime as dt

import pytest
from connector_kit.errors import ConnectorError
from tap_tracksale.justifications import read_justifications
from tap_tracksale.local_time import LocalTimes, last_day_to_read, zone_of
from tap_tracksale.tap import TapTracksale

from tests.tracksale.helpers import tracksale_config


def test_configured_campaigns_are_read_one_by_one_from_their_arrays(sandbox, run_tracksale):
    campaigns = sandbox.tracksale.campaigns()
    codes = [campaigns[0]["code"], campaigns[2]["code"]]
    run = run_tracksale(tracksale_config(sandbox, campaign_codes=codes)).check()
    got = run.records["campaigns"]
    assert [c["code"] for c in got] == codes
    assert got[0]["questions"] == campaigns[0]["questions"]
    asked = [r["path"] for r in sandbox.requests if "/campaign/" in r["path"]]
    assert {p.rsplit("/", 1)[-1] for p in asked if not p.endswith("draft-lot")} == {
        str(code) for code in codes
    }


@pytest.mark.parametrize("sandbox", [{"quirks": {"tracksale-campaign-object"}}], indirect=True)
def test_configured_campaigns_answered_as_objects(sandbox, run_tracksale):
    code = sandbox.tracksale.campaigns()[1]["code"]
    run = run_tracksale(tracksale_config(sandbox, campaign_codes=[code])).check()
    assert [c["code"] for c in run.records["campaigns"]] == [code]


def test_justifications_are_emitted_in_one_shape_from_the_level_form(sandbox, run_tracksale):
    run = run_tracksale(tracksale_config(sandbox)).check()
    groups = [g for a in run.records["answers"] for g in a["justifications"] or []]
    assert groups
    assert all(set(g) == {"name", "name_i18n", "children"} for g in groups)
    with_map = [g for g in groups if g["name_i18n"]]
    plain = [g for g in groups if g["name_i18n"] is None]
    assert with_map
    assert plain
    assert all(g["name"] == g["name_i18n"]["pt-br"] for g in with_map)
    assert all(not g["name"].startswith("{") for g in groups)
    children = [c for g in groups for c in g["children"]]
    assert children
    assert all(set(c) == {"name", "name_i18n"} for c in children)
    asked = [r["query"] for r in sandbox.requests if r["path"].endswith("/report/answer")]
    assert all(q.get("justifReturn") == "level" for q in asked)


def test_read_justifications_forms():
    assert read_justifications(['{"en":"Fast","pt-br":"Rápido"}', "Plain"]) == [
        {"name": "Fast", "name_i18n": {"en": "Fast", "pt-br": "Rápido"}, "children": []},
        {"name": "Plain", "name_i18n": None, "children": []},
    ]
    assert read_justifications([{"name": "{not json", "children": None}]) == [
        {"name": "{not json", "name_i18n": None, "children": []}
    ]
    assert read_justifications([]) == []
    for unknown in ({"name": "x"}, [{"title": "x"}], [{"name": "x", "children": [1]}], [3]):
        assert read_justifications(unknown) is None


def test_justifications_the_tap_cannot_read_are_kept_not_lost():
    tap = TapTracksale(config={"api_token": "t", "start_date": "2024-01-01"}, validate_config=True)
    row = {"id": 5, "time": 1_700_000_000, "justifications": [{"title": "odd"}]}
    record = tap.streams["answers"].post_process(row)
    assert record["justifications"] is None
    assert record["_extra_fields"]["justifications"] == [{"title": "odd"}]


@pytest.mark.parametrize("name", ["Mars/Olympus", "", "../etc/passwd", "not a zone"])
def test_a_bad_timezone_is_a_clear_error(name):
    with pytest.raises(ConnectorError, match="`timezone` must be an IANA time zone name"):
        zone_of(name)


def test_a_bad_timezone_stops_the_run_before_any_request(sandbox, run_tracksale):
    run = run_tracksale(tracksale_config(sandbox, timezone="Mars/Olympus"))
    assert run.returncode != 0
    assert "`timezone` must be an IANA time zone name" in run.stderr
    assert sandbox.requests == []


def test_zone_less_times_are_read_in_the_zone_and_emitted_in_utc():
    sao_paulo = LocalTimes(zone_of("America/Sao_Paulo"))
    assert sao_paulo.to_utc("2024-03-05 14:22:10") == "2024-03-05T17:22:10Z"
    assert sao_paulo.to_utc("2024-03-05T23:30:00") == "2024-03-06T02:30:00Z"
    assert sao_paulo.to_utc("2024-03-05T14:22:10Z") == "2024-03-05T14:22:10Z"
    assert sao_paulo.to_utc("2024-03-05T14:22:10-02:00") == "2024-03-05T14:22:10-02:00"
    assert sao_paulo.to_utc("1709659330") == "1709659330"
    assert sao_paulo.to_utc(1709659330) == 1709659330
    assert sao_paulo.to_utc("Time_of_creation") == "Time_of_creation"
    tokyo = LocalTimes(zone_of("Asia/Tokyo"))
    assert tokyo.to_utc("2024-03-05 08:00:00") == "2024-03-04T23:00:00Z"


def test_the_default_last_day_is_the_later_of_today_there_and_today_in_utc():
    for name in ("Pacific/Kiritimati", "Pacific/Pago_Pago", "America/Sao_Paulo", "UTC"):
        zone = zone_of(name)
        last = last_day_to_read(zone)
        assert last == max(dt.datetime.now(zone).date(), dt.datetime.now(dt.timezone.utc).date())
        assert last >= dt.datetime.now(dt.timezone.utc).date()
