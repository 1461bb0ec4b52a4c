"""The Trackfinity sandbox over real HTTP: access, endpoints, parameters, data, quirks, faults."""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
import sys

import pytest
import requests
from api_sandbox import Sandbox
from api_sandbox.trackfinity import API_KEY, API_USERNAME, CREDENTIALS
from api_sandbox.trackfinity.vocabulary import PREVIEW_CLICKS

from tests.sandbox.cli_process import serving

TIMEOUT = 10
AUTH = {"api-key": API_KEY, "api-username": API_USERNAME}
PROFIT_LOSS = "report/profitloss"
TRANSACTION = "report/transaction"
PAYOUT_PREVIEW = "transaction/transaction_payout_preview"
WHOLE_PERIOD = {"period": "8", "start": "2025-11-01", "end": "2026-10-31"}
LOGIN_DAY = {"view": "login", "params[period]": "8", "params[start]": "2026-01-10"}
LOGIN_DAY["params[end]"] = "2026-01-10"
STATS = [
    "page_view",
    "unique_visitor",
    "conversion",
    "conversion_amount",
    "advertiser_initial",
    "advertiser_initial_amount",
    "continuity",
    "continuity_amount",
    "affiliate_payout",
    "referral_payout",
    "affiliate_manager_payout",
    "partner_payout",
    "tier_adjustment_payout",
    "correction_payout",
]
TRANSACTION_FIELDS = [
    "time",
    "loginid",
    "amount",
    "trans_type",
    "transaction_hash",
    "orderid",
    "external_clickid",
    "offerid",
    "landing_pageid",
    "total_payout",
    "payouts",
]


class TrackfinityClient:
    """A minimal Trackfinity client: one keep-alive session with the header credentials."""

    def __init__(self, sandbox: Sandbox, headers: dict[str, str] | None = None) -> None:
        self.api = sandbox.trackfinity_url + "/api"
        self.session = requests.Session()
        self.session.headers.update(AUTH if headers is None else headers)

    def call(self, method: str, endpoint: str, **params: object) -> requests.Response:
        return self.session.request(
            method, f"{self.api}/{endpoint}", params=params, timeout=TIMEOUT
        )

    def get(self, endpoint: str, **params: object) -> requests.Response:
        return self.call("GET", endpoint, **params)

    def profit_loss(self, view: str, start: str, end: str, **params: object) -> dict:
        query = {"view": view, "params[period]": "8", "params[start]": start, "params[end]": end}
        query.update({f"params[{name}]": value for name, value in params.items()})
        response = self.get(PROFIT_LOSS, **query)
        assert response.status_code == 200, response.text
        return response.json()

    def transactions(self, **params: object) -> dict:
        response = self.get(TRANSACTION, **{**WHOLE_PERIOD, **params})
        assert response.status_code == 200, response.text
        return response.json()


@pytest.fixture(scope="module")
def sandbox():
    with Sandbox(seed=1, scale=100) as running:
        yield running


@pytest.fixture
def client(sandbox):
    return TrackfinityClient(sandbox)


@pytest.fixture
def fresh_sandbox():
    """A sandbox of its own, for tests that change the allow-list or queue faults."""
    with Sandbox(seed=1, scale=40) as running:
        yield running


# Access


@pytest.mark.parametrize("endpoint", ["service/ping", "ping"])
def test_both_pings_answer_true(client, endpoint):
    response = client.get(endpoint)
    assert response.status_code == 200
    assert response.json() is True


@pytest.mark.parametrize(
    "headers",
    [
        {"API-KEY": API_KEY, "API-USERNAME": API_USERNAME},
        {"Api-Key": API_KEY, "Api-Username": API_USERNAME},
        {"api-KEY": API_KEY, "API-username": API_USERNAME},
    ],
)
def test_header_names_are_case_insensitive(sandbox, headers):
    assert TrackfinityClient(sandbox, headers).get("service/ping").json() is True


@pytest.mark.parametrize(
    ("headers", "message"),
    [
        ({}, "headers are required"),
        ({"api-key": API_KEY}, "headers are required"),
        ({"api-username": API_USERNAME}, "headers are required"),
        ({"api-key": "wrong", "api-username": API_USERNAME}, "invalid api-key or api-username"),
        ({"api-key": API_KEY, "api-username": "someone"}, "invalid api-key or api-username"),
        ({"api-key": "kéy", "api-username": API_USERNAME}, "invalid api-key or api-username"),
    ],
)
def test_missing_or_wrong_credentials_are_401(sandbox, headers, message):
    response = TrackfinityClient(sandbox, headers).get(PROFIT_LOSS, **LOGIN_DAY)
    assert response.status_code == 401
    assert message in response.json()["message"]


def test_the_allow_list_refuses_other_callers_first(fresh_sandbox):
    client = TrackfinityClient(fresh_sandbox)
    assert fresh_sandbox.trackfinity.allowed_ips == ["127.0.0.1", "::1"]
    fresh_sandbox.trackfinity.allow_only(["203.0.113.9", "10.0.0.0/8"])
    refused = client.get("service/ping")
    assert refused.status_code == 403
    assert "127.0.0.1 is not in ADMIN_API_ALLOWED_IPS" in refused.json()["message"]
    no_credentials = TrackfinityClient(fresh_sandbox, headers={}).get("no/such/endpoint")
    assert no_credentials.status_code == 403
    fresh_sandbox.trackfinity.allow_only(["127.0.0.0/8"])
    assert client.get("service/ping").status_code == 200


def test_the_allow_list_can_be_set_over_the_control_api(fresh_sandbox):
    control = f"{fresh_sandbox.base_url}/_sandbox/trackfinity/allowed-ips"
    changed = requests.post(control, json={"ips": ["192.0.2.7"]}, timeout=TIMEOUT)
    assert changed.json() == {"allowed_ips": ["192.0.2.7"]}
    assert TrackfinityClient(fresh_sandbox).get("ping").status_code == 403
    bad = requests.post(control, json={"ips": ["not-an-ip"]}, timeout=TIMEOUT)
    assert bad.status_code == 400
    assert "not-an-ip" in bad.json()["message"]
    assert requests.post(control, json={"ips": "x"}, timeout=TIMEOUT).status_code == 400
    requests.post(control, json={"ips": ["127.0.0.1"]}, timeout=TIMEOUT)
    assert TrackfinityClient(fresh_sandbox).get("ping").status_code == 200


def test_an_invalid_allow_list_is_refused_at_start():
    with pytest.raises(ValueError, match=r"999\.1\.1\.1"):
        Sandbox(scale=10, trackfinity_allowed_ips="127.0.0.1,999.1.1.1")


# Endpoints, methods and parameters


@pytest.mark.parametrize(
    "endpoint", ["report", "report/loss", "transaction/payout", "service", "api/ping", ""]
)
def test_unknown_endpoints_are_404(client, endpoint):
    response = client.get(endpoint)
    assert response.status_code == 404
    assert "invalid endpoint" in response.json()["message"]


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE"])
@pytest.mark.parametrize("endpoint", ["service/ping", PROFIT_LOSS, TRANSACTION, PAYOUT_PREVIEW])
def test_other_methods_are_405(client, method, endpoint):
    response = client.call(method, endpoint)
    assert response.status_code == 405
    assert "use GET" in response.json()["message"]


@pytest.mark.parametrize(
    ("endpoint", "params", "named"),
    [
        (PROFIT_LOSS, {"start_date": "2026-01-01", "end_date": "2026-01-01"}, "end_date"),
        (PROFIT_LOSS, {**LOGIN_DAY, "params[campaign]": "x"}, "params[campaign]"),
        (PROFIT_LOSS, {**LOGIN_DAY, "start": "2026-01-01"}, "start"),
        (PROFIT_LOSS, {**LOGIN_DAY, "view": "affiliate"}, "view='affiliate'"),
        (PROFIT_LOSS, {**LOGIN_DAY, "params[period]": "9"}, "params[period]"),
        (TRANSACTION, {**WHOLE_PERIOD, "start_date": "2026-01-01"}, "start_date"),
        (TRANSACTION, {**WHOLE_PERIOD, "trans_type": "refund"}, "trans_type"),
        (PAYOUT_PREVIEW, {"payvia_type_id": "1", "rule_type": "enabled"}, "payvia_type_id"),
        (PAYOUT_PREVIEW, {"transaction_hash": "nope.1"}, "transaction_hash='nope.1'"),
        (
            PAYOUT_PREVIEW,
            {"transaction_hash": PREVIEW_CLICKS[0], "transaction_type": "x"},
            "transaction_type",
        ),
    ],
)
def test_invalid_and_retired_parameters_are_404_naming_them(client, endpoint, params, named):
    response = client.get(endpoint, **params)
    assert response.status_code == 404
    message = response.json()["message"]
    assert message.startswith("invalid parameter")
    assert named in message


@pytest.mark.parametrize(
    ("endpoint", "params", "named"),
    [
        (PROFIT_LOSS, {"view": "login"}, "params[start] is required"),
        (PROFIT_LOSS, {**LOGIN_DAY, "params[end]": "01/11/2026"}, "params[end]"),
        (PROFIT_LOSS, {**LOGIN_DAY, "params[end]": "2026-01-09"}, "after"),
        (PROFIT_LOSS, {**LOGIN_DAY, "params[period]": "2"}, "not emulated"),
        (PROFIT_LOSS, {**LOGIN_DAY, "view": "subid1"}, "no data for it"),
        (PROFIT_LOSS, {**LOGIN_DAY, "params[filter_loginid]": "abc"}, "filter_loginid"),
        (TRANSACTION, {"period": "8"}, "start is required"),
        (TRANSACTION, {**WHOLE_PERIOD, "trans_count": "-1"}, "trans_count"),
        (PAYOUT_PREVIEW, {}, "transaction_hash is required"),
        (PAYOUT_PREVIEW, {"transaction_hash": PREVIEW_CLICKS[0], "amount": "ten"}, "amount"),
    ],
)
def test_missing_or_malformed_parameters_are_400(client, endpoint, params, named):
    response = client.get(endpoint, **params)
    assert response.status_code == 400
    assert named in response.json()["message"]


# Data


def test_profit_loss_answers_total_and_rows_with_integer_stats(client, sandbox):
    report = client.profit_loss("login", "2026-01-10", "2026-01-10")
    assert list(report) == ["total", "rows"]
    assert report["total"]["breakdown"] == "login"
    rows = report["rows"]
    assert len(rows) > 3
    for row in rows:
        assert list(row) == ["break", "stats"]
        assert list(row["stats"]) == STATS
        assert all(type(value) is int for value in row["stats"].values())
    logins = {a.loginid for a in sandbox.trackfinity.dataset.affiliates}
    assert {row["break"] for row in rows} <= logins
    assert [row["break"] for row in rows] == sorted(row["break"] for row in rows)
    for stat in STATS:
        assert report["total"]["row"][stat] == sum(row["stats"][stat] for row in rows)


def test_views_break_the_same_figures_down_differently(client):
    reports = {
        view: client.profit_loss(view, "2026-01-01", "2026-02-28")
        for view in ("login", "offer", "offer_group", "landing_page", "period", "month", "year")
    }
    totals = {view: report["total"]["row"] for view, report in reports.items()}
    assert all(total == totals["login"] for total in totals.values())
    starts = [row["break"] for row in reports["period"]["rows"]]
    assert starts[0] == int(dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc).timestamp())
    assert len(starts) == 59
    assert len(reports["month"]["rows"]) == 2
    assert len(reports["year"]["rows"]) == 1
    assert {row["break"] for row in reports["offer"]["rows"]} <= set(range(11, 19))


def test_stats_add_up_from_the_transactions(client, sandbox):
    day = "2026-01-10"
    report = client.profit_loss("login", day, day)
    listed = client.transactions(start=day, end=day, trans_count=1000)
    for row in report["rows"]:
        mine = [t for t in listed.values() if t["loginid"] == row["break"]]
        initials = [t for t in mine if t["trans_type"] == "initial"]
        assert row["stats"]["conversion"] == len(initials)
        assert row["stats"]["conversion_amount"] == sum(t["amount"] for t in initials)
        paid = [p for t in mine for p in t["payouts"] if p["type"] == "affiliate"]
        assert row["stats"]["affiliate_payout"] == sum(p["amount"] for p in paid)


def test_profit_loss_filters(client):
    everything = client.profit_loss("offer", "2026-01-01", "2026-01-31")["rows"]
    offer = everything[0]["break"]
    only = client.profit_loss("offer", "2026-01-01", "2026-01-31", filter_offerid=offer)["rows"]
    assert only == [everything[0]]
    logins = client.profit_loss("login", "2026-01-01", "2026-01-31")["rows"]
    login = logins[1]["break"]
    one = client.profit_loss("login", "2026-01-01", "2026-01-31", filter_loginid=login)["rows"]
    assert one == [logins[1]]


def test_all_time_and_the_data_bounds(client, sandbox):
    everything = client.get(PROFIT_LOSS, view="year", **{"params[period]": "7"}).json()
    wide = client.profit_loss("year", "2020-01-01", "2030-12-31")
    assert everything == wide
    assert client.profit_loss("login", "2024-01-01", "2024-12-31")["rows"] == []


def test_transactions_are_keyed_by_id_in_time_order(client, sandbox):
    page = client.transactions(start="2026-01-01", end="2026-01-31", trans_count=1000)
    assert 50 < len(page) < 1000
    for txn_id, txn in page.items():
        assert re.fullmatch(r"\d{20}", txn_id)
        assert int(txn_id) > 2**63  # as in the vendor's example: no 64-bit integer holds it
        assert list(txn) == TRANSACTION_FIELDS
        assert txn["total_payout"] == sum(p["amount"] for p in txn["payouts"])
        assert all(re.fullmatch(r"\d{20}", p["id"]) for p in txn["payouts"])
        day = dt.datetime.fromtimestamp(txn["time"], dt.timezone.utc).date()
        assert dt.date(2026, 1, 1) <= day <= dt.date(2026, 1, 31)
    times = [txn["time"] for txn in page.values()]
    assert times == sorted(times)
    assert {txn["trans_type"] for txn in page.values()} == {"initial", "rebill"}


def test_transactions_page_by_offset_and_count(client, sandbox):
    window = {"start": "2026-01-01", "end": "2026-01-31"}
    everything = list(client.transactions(**window, trans_count=1000).items())
    assert len(client.transactions(**window)) == 100  # the documented default count
    pages = [
        list(client.transactions(**window, trans_start=offset, trans_count=40).items())
        for offset in range(0, len(everything) + 40, 40)
    ]
    assert [item for page in pages for item in page] == everything
    assert pages[-1] == []
    sandbox.trackfinity.transaction_cap = 7
    try:
        assert len(client.transactions(**window, trans_count=40)) == 7
    finally:
        sandbox.trackfinity.transaction_cap = None


def test_transaction_filters(client):
    window = {"start": "2026-01-01", "end": "2026-01-31", "trans_count": 1000}
    everything = client.transactions(**window)
    txn_id, txn = next(iter(everything.items()))
    assert client.transactions(**window, filter_transaction_hash=txn["transaction_hash"]) == {
        txn_id: txn
    }
    assert client.transactions(**window, filter_orderid=txn["orderid"])[txn_id] == txn
    rebills = client.transactions(**window, trans_type="rebill")
    assert rebills == {k: v for k, v in everything.items() if v["trans_type"] == "rebill"}
    mine = client.transactions(**window, filter_loginid=txn["loginid"])
    assert mine == {k: v for k, v in everything.items() if v["loginid"] == txn["loginid"]}


def test_payout_preview_looks_up_one_click(client, sandbox):
    click = PREVIEW_CLICKS[0]
    default = client.get(PAYOUT_PREVIEW, transaction_hash=click).json()
    assert default["amount"] == 10000  # % commissions on 100 when no amount is sent
    assert default["transaction_type"] == "initial"
    half = client.get(PAYOUT_PREVIEW, transaction_hash=click, amount="50").json()
    assert half["amount"] == 5000
    assert half["total_payout"] == sum(p["amount"] for p in half["payouts"])
    assert half["payouts"][0]["amount"] * 2 in range(
        default["payouts"][0]["amount"] - 1, default["payouts"][0]["amount"] + 2
    )
    assert sandbox.trackfinity.payout_preview(click, amount=50) == half
    listed = client.transactions(start="2026-01-10", end="2026-01-10")
    known = next(iter(listed.values()))["transaction_hash"]
    assert client.get(PAYOUT_PREVIEW, transaction_hash=known).status_code == 200


def test_same_seed_serves_identical_bytes():
    bodies = []
    for seed in (3, 3, 4):
        with Sandbox(seed=seed, scale=50) as running:
            client = TrackfinityClient(running)
            bodies.append(
                [
                    client.get(PROFIT_LOSS, **LOGIN_DAY).content,
                    client.get(TRANSACTION, **WHOLE_PERIOD).content,
                    client.get(PAYOUT_PREVIEW, transaction_hash=PREVIEW_CLICKS[1]).content,
                ]
            )
    assert bodies[0] == bodies[1]
    assert all(a != b for a, b in zip(bodies[0][:2], bodies[2][:2], strict=True))


def test_scale_sizes_the_data():
    small = Sandbox(seed=1, scale=30).trackfinity.counts()
    large = Sandbox(seed=1, scale=300).trackfinity.counts()
    assert large["profit_loss"] > 5 * small["profit_loss"]
    assert large["transactions"] > 5 * small["transactions"]


# Quirks


def quirky(quirk: str, endpoint: str = TRANSACTION, **params: object):
    with Sandbox(scale=30, quirks={quirk}) as running:
        query = params or {"start": "2026-01-01", "end": "2026-01-31", "period": "8"}
        response = TrackfinityClient(running).get(endpoint, **query)
        assert response.status_code == 200
        return response.json()


def test_envelope_quirks_list_transactions_with_their_id():
    items = quirky("envelope-items")
    assert set(items) == {"items"}
    bare = quirky("envelope-array")
    assert isinstance(bare, list)
    assert bare == items["items"]
    keyed = Sandbox(scale=30).trackfinity.transactions("2026-01-01", "2026-01-31")[:100]
    assert bare == keyed
    profit_loss = quirky("envelope-array", PROFIT_LOSS, **LOGIN_DAY)
    assert set(profit_loss) == {"total", "rows"}  # the report's own shape stays


def test_string_numbers_quirk():
    txn = next(iter(quirky("string-numbers").values()))
    assert txn["loginid"].isdigit()
    assert txn["payouts"][0]["amount"].isdigit()
    row = quirky("string-numbers", PROFIT_LOSS, **LOGIN_DAY)["rows"][0]
    assert row["stats"]["page_view"].isdigit()


def test_extra_fields_quirk():
    row = quirky("extra-fields", PROFIT_LOSS, **LOGIN_DAY)["rows"][0]
    assert set(row) == {"break", "stats", "riskScore", "audit"}
    assert row["stats"]["sourceSystem"] == "legacy"
    txn = next(iter(quirky("extra-fields").values()))
    assert {"riskScore", "audit"} <= set(txn)


# Faults, request log, control API, CLI


def test_faults_apply_to_trackfinity(fresh_sandbox):
    client = TrackfinityClient(fresh_sandbox)
    fresh_sandbox.queue_faults(
        path_contains="/trackfinity/api/report",
        faults=[{"status": 429, "retry_after": 3}, {"status": 503}, {"drop": True}],
    )
    assert client.get("ping").status_code == 200
    limited = client.get(PROFIT_LOSS, **LOGIN_DAY)
    assert limited.status_code == 429
    assert limited.headers["Retry-After"] == "3"
    assert client.get(PROFIT_LOSS, **LOGIN_DAY).status_code == 503
    with pytest.raises(requests.ConnectionError):
        client.get(PROFIT_LOSS, **LOGIN_DAY)
    assert client.get(PROFIT_LOSS, **LOGIN_DAY).status_code == 200
    statuses = [r["status"] for r in fresh_sandbox.requests if r["path"].endswith("/profitloss")]
    assert statuses == [429, 503, None, 200]


def test_rate_faults_reach_trackfinity():
    with Sandbox(scale=20, seed=3, rate_429=0.5, retry_after=2) as flaky:
        client = TrackfinityClient(flaky)
        seen = [client.get("ping") for _ in range(30)]
    assert {r.status_code for r in seen} == {200, 429}
    assert all(r.headers["Retry-After"] == "2" for r in seen if r.status_code == 429)


def test_request_log_never_holds_credentials(fresh_sandbox):
    TrackfinityClient(fresh_sandbox).get(PROFIT_LOSS, **LOGIN_DAY)
    (entry,) = fresh_sandbox.requests
    assert entry["path"] == "/trackfinity/api/report/profitloss"
    assert entry["query"] == LOGIN_DAY
    assert entry["status"] == 200
    text = json.dumps(fresh_sandbox.requests)
    assert API_KEY not in text
    assert API_USERNAME not in text


def control(sandbox: Sandbox, action: str, body: object = None) -> requests.Response:
    url = f"{sandbox.base_url}/_sandbox/trackfinity/{action}"
    return requests.post(url, json=body or {}, timeout=60)


def test_counts_over_the_control_api(fresh_sandbox):
    counts = control(fresh_sandbox, "counts").json()
    assert counts == fresh_sandbox.trackfinity.counts()
    assert counts["payout_preview"] == len(PREVIEW_CLICKS)
    assert counts["transactions"] == len(fresh_sandbox.trackfinity.transactions())
    both = control(fresh_sandbox, "counts", {"views": ["login", "period"]}).json()
    logins = fresh_sandbox.trackfinity.profit_loss_records(["login"])
    assert len(logins) == counts["profit_loss"]
    days = {r["date"] for r in logins}
    assert 300 < len(days) <= 365
    assert both["profit_loss"] == counts["profit_loss"] + len(days)  # a period row a busy day
    assert control(fresh_sandbox, "counts", {"views": ["nope"]}).status_code == 400
    assert control(fresh_sandbox, "nope").status_code == 404


def test_transaction_cap_and_queued_answers_over_the_control_api(fresh_sandbox):
    client = TrackfinityClient(fresh_sandbox)
    assert control(fresh_sandbox, "transaction-cap", {"cap": 5}).json() == {"cap": 5}
    assert len(client.transactions(trans_count=50)) == 5
    assert control(fresh_sandbox, "transaction-cap", {"cap": 0}).status_code == 400
    control(fresh_sandbox, "transaction-cap", {"cap": None})
    assert len(client.transactions(trans_count=50)) == 50
    queued = control(fresh_sandbox, "queue-answers", {"endpoint": TRANSACTION, "bodies": [[]]})
    assert queued.json() == {"queued": 1}
    assert client.transactions() == []
    assert len(client.transactions()) == 100
    bad = control(fresh_sandbox, "queue-answers", {"endpoint": "nope", "bodies": []})
    assert bad.status_code == 400
    assert control(fresh_sandbox, "preview-clicks").json() == list(PREVIEW_CLICKS)


def test_cli_announces_trackfinity_and_takes_an_allow_list():
    allowed = ("--trackfinity-allowed-ips", "203.0.113.0/24,::1")
    with serving("--scale", "30", "--no-prerender", *allowed) as served:
        settings = served.settings("api_username=")
        assert settings == {
            "api_url": served.base_url + "/trackfinity",
            "api_username": CREDENTIALS.api_username,
            "api_key": CREDENTIALS.api_key,
        }
        assert any("203.0.113.0/24,::1" in line for line in served.lines)
        assert any(
            f"payout preview clicks: {','.join(PREVIEW_CLICKS)}" in line for line in served.lines
        )
        refused = requests.get(f"{settings['api_url']}/api/ping", headers=AUTH, timeout=TIMEOUT)
        assert refused.status_code == 403  # 127.0.0.1 is not on the list given


def test_cli_refuses_a_bad_allow_list():
    done = subprocess.run(
        [sys.executable, "-m", "api_sandbox.cli", "serve", "--trackfinity-allowed-ips", "nope"],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert done.returncode == 2
    assert "nope" in done.stderr


def test_data_period_follows_the_sandbox_options():
    with Sandbox(scale=100, data_start=dt.date(2026, 1, 1), data_end=dt.date(2026, 2, 10)) as s:
        rows = TrackfinityClient(s).profit_loss("period", "2020-01-01", "2030-01-01")["rows"]
    days = [dt.datetime.fromtimestamp(r["break"], dt.timezone.utc).date() for r in rows]
    assert (min(days), max(days)) == (dt.date(2026, 1, 1), dt.date(2026, 2, 10))
