"""Settings turned into queries, without HTTP: passthrough, views, payout preview lookups."""

from __future__ import annotations

import pytest
from connector_kit.errors import ConnectorError
from tap_trackfinity.parameters import (
    PROFITLOSS_VIEWS,
    TRANSACTION_RESERVED,
    PreviewLookup,
    passthrough_params,
    preview_lookups,
    profitloss_params,
    profitloss_views,
)


def test_values_become_query_text():
    params = {"offer_id": 12, "ratio": 2.0, "rate": 0.5, "paid": True, "ids": [1, "2", False]}
    assert passthrough_params(params, setting="s") == {
        "offer_id": "12",
        "ratio": "2",
        "rate": "0.5",
        "paid": "true",
        "ids": ["1", "2", "false"],
    }


def test_nothing_configured_is_no_parameters_and_null_leaves_one_out():
    assert passthrough_params(None, setting="s") == {}
    assert passthrough_params({}, setting="s") == {}
    assert passthrough_params({"a": None, "b": 1}, setting="s") == {"b": "1"}


def test_profitloss_params_go_inside_the_params_array():
    assert profitloss_params({"filter_loginid": 12, "params[limit_inhouse]": 2}) == {
        "params[filter_loginid]": "12",
        "params[limit_inhouse]": "2",
    }


@pytest.mark.parametrize(
    ("configured", "message"),
    [
        ({"end": "2026-01-01"}, "`profitloss_params` must not set end"),
        ({"params[period]": 7}, "`profitloss_params` must not set period"),
        ("filter_loginid=3", "`profitloss_params` must be an object"),
        ({"filter": {"a": 1}}, "`profitloss_params.filter` must be a string"),
    ],
)
def test_bad_profitloss_params_are_refused_with_the_setting_named(configured, message):
    with pytest.raises(ConnectorError, match=message.replace("(", r"\(").replace("[", r"\[")):
        profitloss_params(configured)


@pytest.mark.parametrize("name", TRANSACTION_RESERVED)
def test_the_tap_owns_the_transaction_dates_and_paging(name):
    with pytest.raises(ConnectorError, match=f"must not set {name}"):
        passthrough_params({name: 1}, setting="transaction_params", reserved=TRANSACTION_RESERVED)


def test_views_default_to_login_and_are_checked_against_the_documented_list():
    assert profitloss_views(None) == ("login",)
    assert profitloss_views(["offer", "login", "offer"]) == ("offer", "login")
    assert len(PROFITLOSS_VIEWS) == 19
    with pytest.raises(ConnectorError, match=r"'day'.*choose from: period, month, year"):
        profitloss_views(["login", "day"])
    with pytest.raises(ConnectorError, match="non-empty list"):
        profitloss_views("login")


def test_preview_lookups_take_hashes_or_objects():
    lookups = preview_lookups(
        ["a.1", {"transaction_hash": "b.2", "amount": 50.25, "transaction_type": "rebill"}]
    )
    assert lookups == [PreviewLookup("a.1"), PreviewLookup("b.2", 50.25, "rebill")]
    assert lookups[0].query() == {"transaction_hash": "a.1"}
    assert lookups[1].query() == {
        "transaction_hash": "b.2",
        "amount": "50.25",
        "transaction_type": "rebill",
    }
    assert preview_lookups(None) == []
    assert PreviewLookup("c.3", 100.0).key == "transaction_hash=c.3&amount=100"


@pytest.mark.parametrize(
    ("configured", "message"),
    [
        ("a.1", "must be a list"),
        ([3], r"`payout_preview_hashes\[0\]` must be a click hash"),
        ([{"hash": "a"}], "needs `transaction_hash`"),
        ([{"transaction_hash": "a", "amount": "5"}], r"\.amount` must be a number"),
        ([{"transaction_hash": "a", "transaction_type": ""}], "must be a text"),
        (["a", {"transaction_hash": "a"}], "the same lookup twice: transaction_hash=a"),
    ],
)
def test_bad_lookups_are_refused_saying_what_to_fix(configured, message):
    with pytest.raises(ConnectorError, match=message):
        preview_lookups(configured)
