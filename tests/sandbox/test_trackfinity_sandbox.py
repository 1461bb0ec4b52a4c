"""The Trackfinity sandbox over real HTTP: access, endpoints, parameters, data, quirks, faults."""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
import sys
from collections import Counter

import pytest
import requests
from api_sandbox import Sandbox
from api_sandbox.trackfinity import API_KEY, API_USERNAME, CREDENTIALS

from tests.sandbox.cli_process import serving

TIMEOUT = 10
AUTH = {"api-key": API_KEY, "api-username": API_USERNAME}
WHOLE_PERIOD = {"start_date": "2025-11-01", "end_date": "2026-10-31"}
SEED_EXAMPLE = {"payvia_type_id": 1, "rule_type": "enabled"}
PROFIT_LOSS_FIELDS = [
    "date",
    "affiliate_id",
    "affiliate_name",
    "offer_id",
    "offer_name",
    "clicks",
    "conversions",
    "revenue",
    "payout",
    "profit",
    "currency",
]
PAYOUT_FIELDS = [
    "affiliate_id",
    "affiliate_name",
    "payvia_type_id",
    "rule_type",
    "amount",
    "currency",
    "transaction_count",
    "period_start",
    "period_end",
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

    def profit_loss(self, **params: object) -> list[dict]:
        response = self.get("report/profitloss", **{**WHOLE_PERIOD, **params})
        assert response.status_code == 200, response.text
        return response.json()["data"]


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
    response = TrackfinityClient(sandbox, headers).get("report/profitloss", **WHOLE_PERIOD)
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
@pytest.mark.parametrize(
    "endpoint", ["service/ping", "report/profitloss", "transaction/transaction_payout_preview"]
)
def test_other_methods_are_405(client, method, endpoint):
    response = client.call(method, endpoint)
    assert response.status_code == 405
    assert "use GET" in response.json()["message"]


@pytest.mark.parametrize(
    ("endpoint", "params", "named"),
    [
        ("report/profitloss", {**WHOLE_PERIOD, "campaign": "x"}, "campaign"),
        ("report/profitloss", {**WHOLE_PERIOD, "payvia_type_id": "1"}, "payvia_type_id"),
        (
            "transaction/transaction_payout_preview",
            {**SEED_EXAMPLE, "start_date": "x"},
            "start_date",
        ),
        (
            "transaction/transaction_payout_preview",
            {**SEED_EXAMPLE, "rule_type": "some"},
            "rule_type",
        ),
    ],
)
def test_invalid_parameters_are_404_naming_them(client, endpoint, params, named):
    response = client.get(endpoint, **params)
    assert response.status_code == 404
    message = response.json()["message"]
    assert message.startswith("invalid parameter")
    assert named in message


@pytest.mark.parametrize(
    ("endpoint", "params", "named"),
    [
        ("report/profitloss", {}, "start_date"),
        ("report/profitloss", {"start_date": "2026-01-01"}, "end_date"),
        ("report/profitloss", {"start_date": "01/01/2026", "end_date": "2026-01-02"}, "start_date"),
        ("report/profitloss", {"start_date": "2026-01-03", "end_date": "2026-01-02"}, "after"),
        ("report/profitloss", {**WHOLE_PERIOD, "affiliate_id": "abc"}, "affiliate_id"),
        ("report/profitloss", {**WHOLE_PERIOD, "offer_id": "1.5"}, "offer_id"),
        ("transaction/transaction_payout_preview", {"rule_type": "all"}, "payvia_type_id"),
        ("transaction/transaction_payout_preview", {"payvia_type_id": "one"}, "payvia_type_id"),
    ],
)
def test_missing_or_malformed_parameters_are_400(client, endpoint, params, named):
    response = client.get(endpoint, **params)
    assert response.status_code == 400
    assert named in response.json()["message"]


# Data


def test_profit_loss_rows_follow_the_contract(client):
    rows = client.profit_loss()
    assert len(rows) > 1000
    keys = Counter((r["date"], r["affiliate_id"], r["offer_id"]) for r in rows)
    assert max(keys.values()) == 1, "one row per day, affiliate and offer"
    for row in rows:
        assert list(row) == PROFIT_LOSS_FIELDS
        assert re.fullmatch(r"\d{4}-\d\d-\d\d", row["date"])
        assert all(type(row[k]) is int for k in ("affiliate_id", "offer_id", "clicks"))
        assert 0 <= row["conversions"] <= row["clicks"]
        assert round(row["revenue"] - row["payout"], 2) == row["profit"]
        assert row["currency"] in {"USD", "EUR", "GBP"}
    assert [r["date"] for r in rows] == sorted(r["date"] for r in rows)
    assert {r["date"] for r in rows} >= {"2025-11-01", "2026-10-31"}
    assert any(r["profit"] < 0 for r in rows)


def test_the_date_range_is_inclusive_and_bounded_by_the_data(client, sandbox):
    days = client.profit_loss(start_date="2026-01-10", end_date="2026-01-12")
    assert {r["date"] for r in days} == {"2026-01-10", "2026-01-11", "2026-01-12"}
    assert days == sandbox.trackfinity.profit_loss(start_date="2026-01-10", end_date="2026-01-12")
    assert client.profit_loss(start_date="2024-01-01", end_date="2025-10-31") == []
    assert len(client.profit_loss(start_date="2020-01-01", end_date="2030-01-01")) == len(
        client.profit_loss()
    )


def test_profit_loss_filters(client):
    everything = client.profit_loss()
    affiliate = everything[0]["affiliate_id"]
    offer = everything[0]["offer_id"]
    assert client.profit_loss(affiliate_id=affiliate) == [
        r for r in everything if r["affiliate_id"] == affiliate
    ]
    assert client.profit_loss(offer_id=offer) == [r for r in everything if r["offer_id"] == offer]
    euros = client.profit_loss(currency="eur")
    assert euros == [r for r in everything if r["currency"] == "EUR"]
    assert 0 < len(euros) < len(everything)


def test_payout_preview_rows_follow_the_contract(client, sandbox):
    response = client.get("transaction/transaction_payout_preview", **SEED_EXAMPLE)
    assert response.status_code == 200
    rows = response.json()["data"]
    assert rows == sandbox.trackfinity.payout_preview(**SEED_EXAMPLE)
    assert len(rows) == sandbox.trackfinity.counts()["payout_preview"] > 0
    for row in rows:
        assert list(row) == PAYOUT_FIELDS
        assert (row["payvia_type_id"], row["rule_type"]) == (1, "enabled")
        assert row["amount"] > 0
        assert (row["period_start"], row["period_end"]) == ("2026-10-01", "2026-10-31")
    october = client.profit_loss(start_date="2026-10-01", affiliate_id=rows[0]["affiliate_id"])
    assert rows[0]["amount"] == round(sum(r["payout"] for r in october), 2)
    assert rows[0]["transaction_count"] == sum(r["conversions"] for r in october)


def test_payout_preview_filters(sandbox, client):
    def preview(**params: object) -> list[dict]:
        return client.get("transaction/transaction_payout_preview", **params).json()["data"]

    everything = preview(payvia_type_id=1, rule_type="all")
    assert {r["rule_type"] for r in everything} == {"enabled", "disabled"}
    assert preview(payvia_type_id=1, rule_type="disabled") == [
        r for r in everything if r["rule_type"] == "disabled"
    ]
    assert {r["payvia_type_id"] for r in preview(payvia_type_id=2, rule_type="all")} == {2}
    one = everything[0]["affiliate_id"]
    assert preview(payvia_type_id=1, rule_type="all", affiliate_id=one) == [everything[0]]
    assert preview(payvia_type_id=1) == preview(**SEED_EXAMPLE)  # rule_type defaults to enabled
    by_method = [row for p in (1, 2, 3) for row in preview(payvia_type_id=p, rule_type="all")]
    assert sandbox.trackfinity.payout_preview(rule_type="all") == sorted(
        by_method, key=lambda r: r["affiliate_id"]
    )


def test_same_seed_serves_identical_bytes():
    bodies = []
    for seed in (3, 3, 4):
        with Sandbox(seed=seed, scale=50) as running:
            client = TrackfinityClient(running)
            bodies.append(
                [
                    client.get("report/profitloss", **WHOLE_PERIOD).content,
                    client.get("transaction/transaction_payout_preview", **SEED_EXAMPLE).content,
                ]
            )
    assert bodies[0] == bodies[1]
    assert all(a != b for a, b in zip(bodies[0], bodies[2], strict=True))


def test_scale_sizes_the_data():
    small = Sandbox(seed=1, scale=30).trackfinity.counts()["profit_loss"]
    large = Sandbox(seed=1, scale=300).trackfinity.counts()["profit_loss"]
    assert large > 5 * small


# Quirks


def quirky(quirk: str, endpoint: str = "report/profitloss", **params: object):
    with Sandbox(scale=30, quirks={quirk}) as running:
        response = TrackfinityClient(running).get(endpoint, **(params or WHOLE_PERIOD))
        assert response.status_code == 200
        return response.json()


def test_envelope_quirks():
    assert set(quirky("envelope-items")) == {"items"}
    assert set(quirky("envelope-records")) == {"records"}
    bare = quirky("envelope-array")
    assert isinstance(bare, list)
    assert bare == Sandbox(scale=30).trackfinity.profit_loss()


def test_string_numbers_quirk():
    row = quirky("string-numbers")["data"][0]
    assert row["affiliate_id"].isdigit()
    assert re.fullmatch(r"-?\d+\.\d\d", row["revenue"])
    payout = quirky("string-numbers", "transaction/transaction_payout_preview", **SEED_EXAMPLE)
    assert payout["data"][0]["payvia_type_id"] == "1"


def test_extra_fields_quirk():
    plain = Sandbox(scale=30).trackfinity.profit_loss()
    for row, original in zip(quirky("extra-fields")["data"], plain, strict=True):
        assert set(row) - set(original) == {"riskScore", "audit"}


# Faults, request log, control API, CLI


def test_faults_apply_to_trackfinity(fresh_sandbox):
    client = TrackfinityClient(fresh_sandbox)
    fresh_sandbox.queue_faults(
        path_contains="/trackfinity/api/report",
        faults=[{"status": 429, "retry_after": 3}, {"status": 503}, {"drop": True}],
    )
    assert client.get("ping").status_code == 200
    limited = client.get("report/profitloss", **WHOLE_PERIOD)
    assert limited.status_code == 429
    assert limited.headers["Retry-After"] == "3"
    assert client.get("report/profitloss", **WHOLE_PERIOD).status_code == 503
    with pytest.raises(requests.ConnectionError):
        client.get("report/profitloss", **WHOLE_PERIOD)
    assert client.get("report/profitloss", **WHOLE_PERIOD).status_code == 200
    statuses = [r["status"] for r in fresh_sandbox.requests if r["path"].endswith("/profitloss")]
    assert statuses == [429, 503, None, 200]


def test_rate_faults_reach_trackfinity():
    with Sandbox(scale=20, seed=3, rate_429=0.5, retry_after=2) as flaky:
        client = TrackfinityClient(flaky)
        seen = [client.get("ping") for _ in range(30)]
    assert {r.status_code for r in seen} == {200, 429}
    assert all(r.headers["Retry-After"] == "2" for r in seen if r.status_code == 429)


def test_request_log_never_holds_credentials(fresh_sandbox):
    TrackfinityClient(fresh_sandbox).get("report/profitloss", **WHOLE_PERIOD)
    (entry,) = fresh_sandbox.requests
    assert entry["path"] == "/trackfinity/api/report/profitloss"
    assert entry["query"] == WHOLE_PERIOD
    assert entry["status"] == 200
    text = json.dumps(fresh_sandbox.requests)
    assert API_KEY not in text
    assert API_USERNAME not in text


def test_counts_over_the_control_api(fresh_sandbox):
    response = requests.post(
        f"{fresh_sandbox.base_url}/_sandbox/trackfinity/counts", timeout=TIMEOUT
    )
    assert response.json() == fresh_sandbox.trackfinity.counts()
    unknown = requests.post(f"{fresh_sandbox.base_url}/_sandbox/trackfinity/nope", timeout=TIMEOUT)
    assert unknown.status_code == 404


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
        rows = TrackfinityClient(s).profit_loss(start_date="2020-01-01", end_date="2030-01-01")
        preview = s.trackfinity.payout_preview(rule_type="all")
    assert min(r["date"] for r in rows) == "2026-01-01"
    assert max(r["date"] for r in rows) == "2026-02-10"
    assert {(r["period_start"], r["period_end"]) for r in preview} == {("2026-02-01", "2026-02-10")}
