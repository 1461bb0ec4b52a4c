"""Passthrough query parameters and profit/loss dates, without HTTP."""

from __future__ import annotations

import pytest
from connector_kit.errors import ConnectorError
from tap_trackfinity.parameters import PAYOUT_PREVIEW_DEFAULTS, WINDOW_PARAMS, passthrough_params
from tap_trackfinity.streams import calendar_date


def test_values_become_query_text():
    params = {"offer_id": 12, "ratio": 2.0, "rate": 0.5, "paid": True, "ids": [1, "2", False]}
    assert passthrough_params(params, setting="s") == {
        "offer_id": "12",
        "ratio": "2",
        "rate": "0.5",
        "paid": "true",
        "ids": ["1", "2", "false"],
    }


def test_nothing_configured_is_no_parameters():
    assert passthrough_params(None, setting="s") == {}
    assert passthrough_params({}, setting="s") == {}


def test_configured_values_merge_over_defaults_and_null_leaves_one_out():
    defaults = PAYOUT_PREVIEW_DEFAULTS
    assert passthrough_params(None, setting="s", defaults=defaults) == {
        "payvia_type_id": "1",
        "rule_type": "enabled",
    }
    merged = passthrough_params({"rule_type": "all", "x": "y"}, setting="s", defaults=defaults)
    assert merged == {"payvia_type_id": "1", "rule_type": "all", "x": "y"}
    dropped = passthrough_params({"payvia_type_id": None}, setting="s", defaults=defaults)
    assert dropped == {"rule_type": "enabled"}


@pytest.mark.parametrize(
    ("configured", "message"),
    [
        ({"end_date": "2026-01-01"}, "`profitloss_params` must not set end_date"),
        ("offer_id=3", "`profitloss_params` must be an object"),
        ({"filter": {"a": 1}}, "`profitloss_params.filter` must be a string"),
        ({"ids": [[1]]}, "`profitloss_params.ids` must be a string"),
    ],
)
def test_bad_parameters_are_refused_with_the_setting_named(configured, message):
    with pytest.raises(ConnectorError, match=message.replace("(", r"\(")):
        passthrough_params(configured, setting="profitloss_params", reserved=WINDOW_PARAMS)


@pytest.mark.parametrize(
    ("served", "emitted"),
    [
        ("2026-03-05", "2026-03-05"),
        ("2026-03-05 00:00:00", "2026-03-05"),
        ("2026-03-05T23:30:00-02:00", "2026-03-06"),
        ("2026-03-05T10:00:00Z", "2026-03-05"),
        ("05/03/2026", "05/03/2026"),
        (None, None),
    ],
)
def test_profit_loss_dates_are_calendar_days(served, emitted):
    assert calendar_date(served) == emitted


def test_a_day_sorts_before_its_window_end_bookmark():
    # The bookmark is `YYYY-MM-DDT00:00:00Z` (the end of a window), the field `YYYY-MM-DD`.
    assert "2026-03-05" < "2026-03-05T00:00:00Z" < "2026-03-06"
    assert max("2026-03-05", "2026-03-05T00:00:00Z", "2026-03-04T00:00:00Z") == (
        "2026-03-05T00:00:00Z"
    )
