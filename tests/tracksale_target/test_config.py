"""Configuration: a stream with no action, dry runs, and settings that cannot work."""

from __future__ import annotations

import pytest
from singer_sdk.exceptions import ConfigValidationError
from target_tracksale.target import TargetTracksale

from tests.tracksale_target.helpers import (
    STREAM,
    campaign_code,
    customers,
    messages,
    target_config,
)
from tests.tracksale_target.target_runner import ledger_rows, record, schema


def test_a_stream_with_no_action_stops_the_run_when_its_schema_arrives(sandbox, tmp_path, run):
    mixed = [*messages(customers(3))[:-1], schema("leads"), record("leads", {"email": "x@y.z"})]
    result = run(target_config(sandbox, tmp_path), mixed)
    assert result.returncode != 0
    assert "Stream 'leads' has no action" in result.stderr
    assert "Add it to `stream_actions`" in result.stderr
    assert "Configured streams: customers" in result.stderr
    assert sandbox.tracksale.received() == []  # nothing read so far had been sent


def test_a_stream_removed_by_stream_maps_needs_no_action(sandbox, tmp_path, run):
    config = target_config(sandbox, tmp_path, stream_maps={"leads": None})
    mixed = [*messages(customers(3)), schema("leads"), record("leads", {"email": "x@y.z"})]
    result = run(config, mixed).check()
    assert result.counts(STREAM)["sent"] == 3


def test_dry_run_checks_and_counts_and_sends_nothing(sandbox, tmp_path, run):
    config = target_config(sandbox, tmp_path, dry_run=True, batch_size=100)
    records = [*customers(250), {"name": "no e-mail"}]
    result = run(config, messages(records, state_every=100)).check()
    assert sandbox.tracksale.writes() == []
    assert all(r["method"] == "GET" for r in sandbox.requests)
    counts = result.counts(STREAM)
    assert (counts["would_send"], counts["rejected"], counts["sent"]) == (250, 1, 0)
    assert counts["requests"] == 3
    assert result.summary["dry_run"] is True
    assert result.states == []  # a later real run must still send everything
    assert ledger_rows(config) == []
    assert "Dry run, nothing sent." in result.stderr
    real = run({**config, "dry_run": False}, messages(records)).check()
    assert real.counts(STREAM)["sent"] == 250


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"batch_size": 501}, "501 is greater than the maximum of 500 in config['batch_size']"),
        ({"stream_actions": {STREAM: {"action": "survey"}}}, "'survey' is not one of ['dispatch'"),
        (
            {"stream_actions": {STREAM: {"action": "dispatch", "campain_code": 1}}},
            "('campain_code' was unexpected) in config['stream_actions']['customers']",
        ),
        (
            {"stream_actions": {STREAM: {"action": "dispatch", "send": "lot", "schedule_time": 1}}},
            "takes no schedule_time; use send: lot_then_send",
        ),
    ],
    ids=["batch-size", "action", "typo", "lot-with-time"],
)
def test_settings_that_cannot_work_are_refused_before_any_input(
    sandbox, tmp_path, overrides, message
):
    with pytest.raises(ConfigValidationError) as refused:
        TargetTracksale(config=target_config(sandbox, tmp_path, **overrides))
    assert any(message in error for error in refused.value.errors), refused.value.errors


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (
            {"stream_actions": {STREAM: {"action": "dispatch", "campaign_code": 999}}},
            "`stream_actions.customers.campaign_code` is 999, which is not a campaign",
        ),
        ({"api_url": "http://tracksale.example.com/v2"}, "uses plain HTTP"),
    ],
    ids=["campaign", "plain-http"],
)
def test_bad_settings_stop_the_run_and_name_the_setting(sandbox, tmp_path, run, overrides, message):
    result = run(target_config(sandbox, tmp_path, **overrides), messages(customers(2)))
    assert result.returncode != 0
    assert message in result.stderr
    assert sandbox.tracksale.writes() == []


def test_the_90_day_rule_is_checked_when_asked(sandbox, tmp_path, run):
    code = campaign_code(sandbox)
    config = target_config(sandbox, tmp_path)
    run(config, messages(customers(2))).check()  # surveyed now
    other_ledger = target_config(sandbox, tmp_path / "b", check_can_impact=True)
    result = run(other_ledger, messages(customers(4))).check()
    counts = result.counts(STREAM)
    assert (counts["sent"], counts["rejected"]) == (2, 2)
    assert all("90-day rule" in r["reason"] for r in result.rejects)
    assert len([w for w in sandbox.tracksale.writes() if "can-impact" in w["path"]]) == 4
    assert sum(1 for e in sandbox.tracksale.received(code) if "nps-test" in str(e)) == 4
