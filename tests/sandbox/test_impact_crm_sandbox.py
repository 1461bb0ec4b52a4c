"""The Impact CRM sandbox over real HTTP: auth, endpoints, filters, paging, quirks, faults."""

from __future__ import annotations

import json
import re
import subprocess
import threading
import time
from collections import Counter
from datetime import datetime, timezone

import pytest
import requests
from api_sandbox import Sandbox
from api_sandbox.impact_crm import CREDENTIALS, TRACKBOX_ONLY_CREDENTIALS

from tests.sandbox.cli_process import SERVE, serving

WHOLE_PERIOD = {"registrationDateFrom": "2025-11-01", "registrationDateTo": "2026-10-31"}
ALL_TRANSACTIONS = {"transactionDateFrom": "2025-11-01", "transactionDateTo": "2026-10-31"}
ALL_CLOSED = {"positionCloseDateFrom": "2025-11-01", "positionCloseDateTo": "2026-10-31"}
ISO_UTC = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z")
TIMEOUT = 10


class CrmClient:
    """A minimal Impact CRM client: one keep-alive session, login, GET with paging."""

    def __init__(self, sandbox: Sandbox, email: str = CREDENTIALS.email) -> None:
        self.api = sandbox.impact_crm_url + "/api/v1"
        self.session = requests.Session()
        self.session.headers.update(
            {"X-Api-Key": CREDENTIALS.api_key, "X-DOMAIN": CREDENTIALS.x_domain}
        )
        self.email = email

    def login(self) -> requests.Response:
        body = {"email": self.email, "password": CREDENTIALS.password, "rememberMe": True}
        response = self.session.post(f"{self.api}/auth/login", json=body, timeout=TIMEOUT)
        if response.status_code == 200:
            self.session.headers["X-Auth-Token"] = response.json()["token"]
        return response

    def get(self, family: str, endpoint: str, **params: object) -> requests.Response:
        return self.session.get(f"{self.api}/{family}/{endpoint}", params=params, timeout=TIMEOUT)

    def fetch_all(
        self, family: str, endpoint: str, page_size: int = 1000, **params: object
    ) -> list:
        records, page = [], 1
        while True:
            response = self.get(family, endpoint, page=page, pageSize=page_size, **params)
            assert response.status_code == 200, response.text
            body = response.json()
            records += body["data"]
            if page * page_size >= body["total"]:
                assert len(records) == body["total"]
                return records
            page += 1


@pytest.fixture(scope="module")
def sandbox():
    with Sandbox(seed=1, scale=300) as running:
        yield running


@pytest.fixture
def client(sandbox):
    crm = CrmClient(sandbox)
    assert crm.login().status_code == 200
    return crm


@pytest.fixture
def fresh_sandbox():
    """A sandbox of its own, for tests that change data or fault settings."""
    with Sandbox(seed=1, scale=100) as running:
        yield running


def day(timestamp: str) -> str:
    return timestamp[:10]


# Auth


def test_login_gives_a_fresh_token_each_time(sandbox):
    crm = CrmClient(sandbox)
    first, second = crm.login(), crm.login()
    assert first.status_code == second.status_code == 200
    assert first.json()["token"] != second.json()["token"]
    assert sandbox.impact_crm.issued_tokens()[-2:] == [
        first.json()["token"],
        second.json()["token"],
    ]


@pytest.mark.parametrize(
    ("email", "password"),
    [(CREDENTIALS.email, "wrong-password"), ("nobody@sandbox.test", CREDENTIALS.password)],
)
def test_login_with_bad_credentials_is_401(sandbox, email, password):
    response = requests.post(
        f"{sandbox.impact_crm_url}/api/v1/auth/login",
        json={"email": email, "password": password, "rememberMe": True},
        headers={"X-Api-Key": CREDENTIALS.api_key, "X-DOMAIN": CREDENTIALS.x_domain},
        timeout=TIMEOUT,
    )
    assert response.status_code == 401
    assert response.json() == {"message": "invalid credentials"}


@pytest.mark.parametrize(
    "headers",
    [
        {"X-Api-Key": "not-a-key", "X-DOMAIN": CREDENTIALS.x_domain},
        {"X-Api-Key": CREDENTIALS.api_key, "X-DOMAIN": "other.example"},
        {"X-Api-Key": CREDENTIALS.api_key},
    ],
)
def test_login_with_bad_api_key_or_domain_is_403_before_credentials(sandbox, headers):
    response = requests.post(
        f"{sandbox.impact_crm_url}/api/v1/auth/login",
        json={"email": CREDENTIALS.email, "password": "wrong-password", "rememberMe": True},
        headers=headers,
        timeout=TIMEOUT,
    )
    assert response.status_code == 403
    assert response.json() == {"message": "invalid or expired API key"}


@pytest.mark.parametrize("body", [b"not json", b"{}", b'{"email": 1, "password": "x"}'])
def test_login_with_malformed_body_is_400(sandbox, body):
    response = requests.post(
        f"{sandbox.impact_crm_url}/api/v1/auth/login",
        data=body,
        headers={
            "X-Api-Key": CREDENTIALS.api_key,
            "X-DOMAIN": CREDENTIALS.x_domain,
            "Content-Type": "application/json",
        },
        timeout=TIMEOUT,
    )
    assert response.status_code == 400
    assert "email" in response.json()["message"]


def test_report_call_needs_a_known_token(sandbox):
    crm = CrmClient(sandbox)
    assert crm.get("trackbox", "servers").json() == {"message": "invalid token"}
    crm.session.headers["X-Auth-Token"] = "made-up"
    response = crm.get("trackbox", "servers")
    assert response.status_code == 401
    assert response.json() == {"message": "invalid token"}


def test_report_call_with_bad_api_key_is_403(client):
    client.session.headers["X-Api-Key"] = "not-a-key"
    response = client.get("trackbox", "servers")
    assert response.status_code == 403
    assert response.json() == {"message": "invalid or expired API key"}


def test_token_expires_after_its_ttl():
    with Sandbox(scale=20, token_ttl=1) as short_lived:
        crm = CrmClient(short_lived)
        crm.login()
        assert crm.get("trackbox", "servers").status_code == 200
        time.sleep(1.2)
        expired = crm.get("trackbox", "servers")
        assert expired.status_code == 401
        assert expired.json() == {"message": "token expired"}
        crm.login()
        assert crm.get("trackbox", "servers").status_code == 200


def test_a_token_serves_token_ttl_requests_report_calls():
    with Sandbox(scale=20, token_ttl_requests=3) as short_lived:
        crm = CrmClient(short_lived)
        crm.login()
        assert [crm.get("trackbox", "servers").status_code for _ in range(4)] == [200] * 3 + [401]
        assert crm.get("trackbox", "servers").json() == {"message": "token expired"}
        crm.login()
        assert crm.get("trackbox", "servers").status_code == 200


def test_token_ttl_requests_zero_refuses_every_token():
    with Sandbox(scale=20, token_ttl_requests=0) as refusing:
        crm = CrmClient(refusing)
        for _ in range(2):
            assert crm.login().status_code == 200
            assert crm.get("trackbox", "servers").status_code == 401
    with pytest.raises(ValueError, match="token_ttl_requests"):
        Sandbox(scale=20, token_ttl_requests=-1)


def test_user_without_family_permission_is_403(sandbox):
    crm = CrmClient(sandbox, email=TRACKBOX_ONLY_CREDENTIALS.email)
    assert crm.login().status_code == 200
    assert crm.get("trackbox", "leads", **WHOLE_PERIOD).status_code == 200
    for family, permission in (("ib", "IB Reports"), ("cellxpert", "Cellxpert Reports")):
        response = crm.get(family, "leads", **WHOLE_PERIOD)
        assert response.status_code == 403
        assert response.json() == {"message": f"missing permission: {permission}"}


@pytest.mark.parametrize("path", ["/api/v1/other/leads", "/api/v1/trackbox/customers", "/api/v2"])
def test_unknown_family_or_endpoint_is_404(client, path):
    response = client.session.get(client.api.removesuffix("/api/v1") + path, timeout=TIMEOUT)
    assert response.status_code == 404


def test_wrong_method_is_405(client):
    assert client.session.post(f"{client.api}/trackbox/leads", timeout=TIMEOUT).status_code == 405
    assert client.session.get(f"{client.api}/auth/login", timeout=TIMEOUT).status_code == 405


# Endpoints and filters


def test_servers_group_tags_by_platform(client, sandbox):
    for family in ("trackbox", "ib", "cellxpert"):
        response = client.get(family, "servers")
        assert response.status_code == 200
        assert response.json() == sandbox.impact_crm.server_tags()
    tags = sandbox.impact_crm.server_tags()
    assert set(tags) == {"mt4", "mt5"}
    assert all(tag.lower().startswith(platform) for platform in tags for tag in tags[platform])


def test_leads_by_registration_date(client, sandbox):
    everything = client.fetch_all("trackbox", "leads", **WHOLE_PERIOD)
    assert len(everything) == 300
    window = {"registrationDateFrom": "2026-01-10", "registrationDateTo": "2026-03-20"}
    served = client.fetch_all("trackbox", "leads", page_size=17, **window)
    expected = [r for r in everything if "2026-01-10" <= day(r["registrationDate"]) <= "2026-03-20"]
    assert served == expected
    assert 0 < len(served) < len(everything)
    assert served == sandbox.impact_crm.records("leads", **window)


def test_one_day_window_includes_both_ends(client):
    everything = client.fetch_all("trackbox", "leads", **WHOLE_PERIOD)
    some_day = day(everything[100]["registrationDate"])
    served = client.fetch_all(
        "trackbox", "leads", registrationDateFrom=some_day, registrationDateTo=some_day
    )
    assert served == [r for r in everything if day(r["registrationDate"]) == some_day]


def test_leads_by_last_modified_date_are_ordered_by_it(client):
    window = {"lastModifiedDateFrom": "2026-02-01", "lastModifiedDateTo": "2026-05-31"}
    served = client.fetch_all("trackbox", "leads", page_size=10, **window)
    assert served
    assert all("2026-02-01" <= day(r["lastModifiedDate"]) <= "2026-05-31" for r in served)
    keys = [(r["lastModifiedDate"], r["leadId"]) for r in served]
    assert keys == sorted(keys)
    everything = client.fetch_all("trackbox", "leads", **WHOLE_PERIOD)
    assert len(served) == sum(
        "2026-02-01" <= day(r["lastModifiedDate"]) <= "2026-05-31" for r in everything
    )


def test_both_date_pairs_apply_together(client):
    both = {
        "registrationDateFrom": "2025-11-01",
        "registrationDateTo": "2026-01-31",
        "lastModifiedDateFrom": "2026-01-01",
        "lastModifiedDateTo": "2026-10-31",
    }
    served = client.fetch_all("ib", "leads", **both)
    everything = client.fetch_all("ib", "leads", **WHOLE_PERIOD)
    expected = {
        r["leadId"]
        for r in everything
        if day(r["registrationDate"]) <= "2026-01-31" and day(r["lastModifiedDate"]) >= "2026-01-01"
    }
    assert {r["leadId"] for r in served} == expected
    assert expected


def test_lead_records_are_well_formed(client):
    leads = client.fetch_all("trackbox", "leads", **WHOLE_PERIOD)
    for lead in leads:
        assert isinstance(lead["leadId"], int)
        assert isinstance(lead["affId"], int)
        assert isinstance(lead["campaignId"], int)
        assert re.fullmatch(r"[A-Z]{2}", lead["country"])
        assert ISO_UTC.fullmatch(lead["registrationDate"])
        assert ISO_UTC.fullmatch(lead["lastModifiedDate"])
        assert lead["registrationDate"] <= lead["lastModifiedDate"] <= "2026-10-31T23:59:59Z"
        assert set(lead["utmDetails"]) == {
            "utmSource",
            "utmMedium",
            "utmCampaign",
            "utmTerm",
            "utmContent",
        }
        assert 0 <= len(lead["tags"]) <= 3
        assert all(set(tag) == {"category", "tags"} for tag in lead["tags"])
    assert len({lead["leadId"] for lead in leads}) == len(leads)
    assert any(lead["lastModifiedDate"] > lead["registrationDate"] for lead in leads)


def test_registrations_belong_to_real_leads(client):
    leads = {r["leadId"]: r for r in client.fetch_all("trackbox", "leads", **WHOLE_PERIOD)}
    registrations = client.fetch_all("trackbox", "registrations", **WHOLE_PERIOD)
    assert 0.2 * len(leads) < len(registrations) < 0.4 * len(leads)
    for customer in registrations:
        lead = leads[customer["leadId"]]
        for field in ("firstName", "lastName", "email", "phone", "country", "affId", "utmDetails"):
            assert customer[field] == lead[field]
        assert lead["status"] == "converted"
        assert customer["ftdDate"] is None or ISO_UTC.fullmatch(customer["ftdDate"])
        accounts = customer["userAdditionalId"]
        assert accounts == "" or re.fullmatch(
            r"\(\d+, mt[45], live\)(,\(\d+, mt[45], live\))*", accounts
        )
    assert any(c["userAdditionalId"] == "" for c in registrations)
    assert any("," in c["userAdditionalId"] for c in registrations)


def test_cellxpert_registrations_filter_by_user_and_affiliate(client):
    registrations = client.fetch_all("cellxpert", "registrations", **WHOLE_PERIOD)
    target = registrations[5]
    by_user = client.fetch_all(
        "cellxpert", "registrations", userId=target["userId"], **WHOLE_PERIOD
    )
    assert by_user == [target]
    affiliate = Counter(r["affId"] for r in registrations).most_common(1)[0][0]
    by_affiliate = client.fetch_all("cellxpert", "registrations", affId=affiliate, **WHOLE_PERIOD)
    assert by_affiliate == [r for r in registrations if r["affId"] == affiliate]
    # Other families do not know these filters and ignore them.
    trackbox = client.fetch_all("trackbox", "registrations", affId=affiliate, **WHOLE_PERIOD)
    assert len(trackbox) == len(registrations)


def test_cellxpert_leads_filter_by_lead_and_affiliate(client):
    leads = client.fetch_all("cellxpert", "leads", **WHOLE_PERIOD)
    target = leads[42]
    assert client.fetch_all("cellxpert", "leads", leadId=target["leadId"], **WHOLE_PERIOD) == [
        target
    ]
    outside = {"registrationDateFrom": "2000-01-01", "registrationDateTo": "2000-01-02"}
    assert client.fetch_all("cellxpert", "leads", leadId=target["leadId"], **outside) == []
    by_affiliate = client.fetch_all("cellxpert", "leads", affId=target["affId"], **WHOLE_PERIOD)
    assert by_affiliate == [r for r in leads if r["affId"] == target["affId"]]
    assert client.fetch_all("ib", "leads", leadId=target["leadId"], **WHOLE_PERIOD) == leads


def test_transactions_and_fake_ones(client, sandbox):
    trackbox = client.fetch_all("trackbox", "transactions", **ALL_TRANSACTIONS)
    ib_default = client.fetch_all("ib", "transactions", **ALL_TRANSACTIONS)
    ib_false = client.fetch_all("ib", "transactions", includeFake="false", **ALL_TRANSACTIONS)
    ib_all = client.fetch_all("ib", "transactions", includeFake="true", **ALL_TRANSACTIONS)
    assert all("isFake" not in t for t in trackbox)
    assert all(t["isFake"] is False for t in ib_default)
    assert ib_default == ib_false
    fakes = [t for t in ib_all if t["isFake"]]
    assert fakes
    assert len(ib_all) == len(ib_default) + len(fakes)
    assert [{k: v for k, v in t.items() if k != "isFake"} for t in ib_default] == trackbox
    registrations = client.fetch_all("trackbox", "registrations", **WHOLE_PERIOD)
    assert 2 < len(ib_all) / len(registrations) < 4
    users = {r["userId"] for r in registrations}
    for transaction in ib_all:
        assert transaction["userId"] in users
        assert transaction["type"] in {"deposit", "withdrawal", "credit", "bonus"}
        assert isinstance(transaction["amount"], float)
        assert round(transaction["amount"], 2) == transaction["amount"]
        assert isinstance(transaction["productId"], str)
    assert Counter(t["productId"] == "N/A" for t in ib_all)[True] > len(ib_all) / 2
    keys = [(t["transactionDate"], t["transactionId"]) for t in ib_all]
    assert keys == sorted(keys)
    assert (
        sandbox.impact_crm.records("transactions", "ib", includeFake=True, **ALL_TRANSACTIONS)
        == ib_all
    )


def test_first_deposit_date_is_the_first_transaction(client):
    transactions = client.fetch_all("trackbox", "transactions", **ALL_TRANSACTIONS)
    first = {}
    for transaction in transactions:
        first.setdefault(transaction["userId"], transaction)
    for customer in client.fetch_all("trackbox", "registrations", **WHOLE_PERIOD):
        if customer["userId"] in first:
            assert customer["ftdDate"] == first[customer["userId"]]["transactionDate"]
            assert first[customer["userId"]]["type"] == "deposit"
        else:
            assert customer["ftdDate"] is None


def test_cellxpert_transactions_filter_by_user(client):
    transactions = client.fetch_all("cellxpert", "transactions", **ALL_TRANSACTIONS)
    user = transactions[3]["userId"]
    by_user = client.fetch_all("cellxpert", "transactions", userId=user, **ALL_TRANSACTIONS)
    assert by_user == [t for t in transactions if t["userId"] == user]


def test_positions_per_server(client, sandbox):
    tags = [tag for group in sandbox.impact_crm.server_tags().values() for tag in group]
    registrations = client.fetch_all("trackbox", "registrations", **WHOLE_PERIOD)
    logins = {
        c["userId"]: {int(login) for login in re.findall(r"\((\d+),", c["userAdditionalId"])}
        for c in registrations
    }
    every_position = []
    for tag in tags:
        positions = client.fetch_all("trackbox", "positions", serverTag=tag, **ALL_CLOSED)
        assert positions == sandbox.impact_crm.records("positions", serverTag=tag, **ALL_CLOSED)
        assert all(p["serverTag"] == tag for p in positions)
        keys = [(p["closeDate"], p["positionId"]) for p in positions]
        assert keys == sorted(keys)
        every_position += positions
    assert all(
        tag_count > 0 for tag_count in Counter(p["serverTag"] for p in every_position).values()
    )
    assert 3 < len(every_position) / len(registrations) < 5
    for position in every_position:
        assert position["login"] in logins[position["userId"]]
        assert position["side"] in {"buy", "sell"}
        assert position["openDate"] <= position["closeDate"]
    assert sorted(p["positionId"] for p in every_position) == sorted(
        p["positionId"] for p in sandbox.impact_crm.records("positions")
    )


def test_cellxpert_positions_filter_by_user(client, sandbox):
    tag = sandbox.impact_crm.server_tags()["mt4"][0]
    positions = client.fetch_all("cellxpert", "positions", serverTag=tag, **ALL_CLOSED)
    user = positions[0]["userId"]
    by_user = client.fetch_all("cellxpert", "positions", serverTag=tag, userId=user, **ALL_CLOSED)
    assert by_user == [p for p in positions if p["userId"] == user]


@pytest.mark.parametrize(
    ("endpoint", "params", "named"),
    [
        ("leads", {}, "registrationDateFrom"),
        ("leads", {"registrationDateFrom": "2026-01-01"}, "registrationDateTo"),
        ("registrations", {"lastModifiedDateTo": "2026-01-01"}, "lastModifiedDateFrom"),
        ("leads", {**WHOLE_PERIOD, "registrationDateTo": "2026-13-01"}, "registrationDateTo"),
        ("leads", {**WHOLE_PERIOD, "registrationDateFrom": "01/01/2026"}, "registrationDateFrom"),
        ("leads", {**WHOLE_PERIOD, "registrationDateFrom": "2026-12-01"}, "registrationDateFrom"),
        ("transactions", {}, "transactionDateFrom"),
        ("positions", ALL_CLOSED, "serverTag"),
        ("positions", {**ALL_CLOSED, "serverTag": "MT9-Nowhere"}, "serverTag"),
        ("positions", {"serverTag": "MT4-Live-1"}, "positionCloseDateFrom"),
        ("leads", {**WHOLE_PERIOD, "page": "two"}, "page"),
        ("leads", {**WHOLE_PERIOD, "page": "0"}, "page"),
        ("leads", {**WHOLE_PERIOD, "pageSize": "10001"}, "pageSize"),
        ("leads", {**WHOLE_PERIOD, "pageSize": "-5"}, "pageSize"),
    ],
)
def test_bad_query_is_400_naming_the_parameter(client, endpoint, params, named):
    response = client.get("trackbox", endpoint, **params)
    assert response.status_code == 400
    assert named in response.json()["message"]


@pytest.mark.parametrize(
    ("endpoint", "params", "named"),
    [
        ("leads", {**WHOLE_PERIOD, "leadId": "abc"}, "leadId"),
        ("registrations", {**WHOLE_PERIOD, "affId": "1.5"}, "affId"),
        ("transactions", {**ALL_TRANSACTIONS, "userId": "x"}, "userId"),
    ],
)
def test_malformed_cellxpert_ids_are_400(client, endpoint, params, named):
    response = client.get("cellxpert", endpoint, **params)
    assert response.status_code == 400
    assert named in response.json()["message"]


def test_include_fake_must_be_a_boolean(client):
    response = client.get("ib", "transactions", includeFake="maybe", **ALL_TRANSACTIONS)
    assert response.status_code == 400
    assert "includeFake" in response.json()["message"]


def test_max_page_size_is_accepted(client):
    response = client.get("trackbox", "leads", pageSize=10_000, **WHOLE_PERIOD)
    assert response.status_code == 200
    assert len(response.json()["data"]) == 300


# Paging and determinism


def test_pages_add_up_to_the_total(client):
    first = client.get("trackbox", "leads", pageSize=7, **WHOLE_PERIOD).json()
    assert first["total"] == 300
    assert (first["page"], first["pageSize"]) == (1, 7)
    pages = [
        client.get("trackbox", "leads", page=p, pageSize=7, **WHOLE_PERIOD).json()
        for p in range(1, 44)
    ]
    assert [len(page["data"]) for page in pages] == [7] * 42 + [6]
    assert all(page["total"] == 300 for page in pages)
    ids = [record["leadId"] for page in pages for record in page["data"]]
    assert len(set(ids)) == 300
    beyond = client.get("trackbox", "leads", page=50, pageSize=7, **WHOLE_PERIOD).json()
    assert beyond == {"total": 300, "page": 50, "pageSize": 7, "data": []}
    default = client.get("trackbox", "leads", **WHOLE_PERIOD).json()
    assert (default["page"], default["pageSize"], len(default["data"])) == (1, 1000, 300)


def test_same_seed_serves_identical_bytes():
    paths = [
        ("leads", WHOLE_PERIOD),
        ("registrations", WHOLE_PERIOD),
        ("transactions", ALL_TRANSACTIONS),
        ("positions", {**ALL_CLOSED, "serverTag": "MT5-Live-1"}),
    ]
    bodies = []
    for seed in (7, 7, 8):
        with Sandbox(seed=seed, scale=150) as running:
            crm = CrmClient(running)
            crm.login()
            bodies.append([crm.get("ib", endpoint, **params).content for endpoint, params in paths])
    assert bodies[0] == bodies[1]
    assert all(a != b for a, b in zip(bodies[0], bodies[2], strict=True))


# Quirks


def quirky_page(quirk: str, endpoint: str = "leads", family: str = "trackbox", **params: object):
    with Sandbox(scale=30, quirks={quirk}) as running:
        crm = CrmClient(running)
        crm.login()
        query = params or WHOLE_PERIOD
        response = crm.get(family, endpoint, pageSize=10, **query)
        assert response.status_code == 200
        return response.json(), running.impact_crm.records(endpoint, family, **query)[:10]


@pytest.mark.parametrize(
    ("quirk", "key"),
    [("envelope-items", "items"), ("envelope-results", "results"), ("envelope-records", "records")],
)
def test_envelope_key_quirks(quirk, key):
    body, expected = quirky_page(quirk)
    assert set(body) == {"total", "page", "pageSize", key}
    assert body[key] == expected
    assert body["total"] == 30


def test_envelope_array_quirk():
    body, expected = quirky_page("envelope-array")
    assert isinstance(body, list)
    assert body == expected
    assert len(body) == 10


def test_no_total_quirk():
    body, _ = quirky_page("no-total")
    assert set(body) == {"page", "pageSize", "data"}


def test_string_numbers_quirk():
    body, _ = quirky_page("string-numbers", "transactions", "ib", **ALL_TRANSACTIONS)
    transaction = body["data"][0]
    assert isinstance(transaction["transactionId"], str)
    assert isinstance(transaction["userId"], str)
    assert re.fullmatch(r"-?\d+\.\d\d", transaction["amount"])
    assert re.fullmatch(r"-?\d+\.\d\d", transaction["amountUsd"])
    assert isinstance(transaction["isFake"], bool)
    leads, _ = quirky_page("string-numbers")
    assert leads["data"][0]["leadId"].isdigit()


def test_naive_timestamps_quirk():
    body, _ = quirky_page("naive-timestamps", "registrations")
    for customer in body["data"]:
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}", customer["registrationDate"])
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}", customer["lastModifiedDate"])


def test_extra_fields_quirk():
    body, _ = quirky_page("extra-fields")
    plain, _ = quirky_page("no-total")
    for lead, original in zip(body["data"], plain["data"], strict=True):
        assert set(lead) - set(original) == {"riskScore", "audit"}
        assert isinstance(lead["riskScore"], int)
        assert set(lead["utmDetails"]) - set(original["utmDetails"]) == {"sourceSystem"}


def test_page_ignored_quirk_answers_page_one_for_every_page():
    with Sandbox(scale=60, quirks={"page-ignored"}) as running:
        crm = CrmClient(running)
        crm.login()
        pages = [
            crm.get("trackbox", "leads", page=n, pageSize=10, **WHOLE_PERIOD).json()
            for n in (1, 2, 3)
        ]
        everything = crm.get("trackbox", "leads", page=2, pageSize=1000, **WHOLE_PERIOD).json()
        expected = running.impact_crm.records("leads", **WHOLE_PERIOD)
    assert pages[0]["data"] == pages[1]["data"] == pages[2]["data"] == expected[:10]
    assert pages[1]["total"] == 60
    assert everything["data"] == expected


SERVER_SHAPES = {
    "servers-wrapped": lambda grouped: {"data": grouped},
    "servers-groups": lambda grouped: [
        {"platform": platform, "servers": tags} for platform, tags in grouped.items()
    ],
    "servers-wrapped,servers-groups": lambda grouped: {
        "data": [{"platform": platform, "servers": tags} for platform, tags in grouped.items()]
    },
    "keyed-records": lambda grouped: {
        platform: {str(n): tag for n, tag in enumerate(tags)} for platform, tags in grouped.items()
    },
}


@pytest.mark.parametrize("quirks", list(SERVER_SHAPES))
def test_servers_shape_quirks(quirks):
    with Sandbox(scale=20, quirks=quirks) as running:
        crm = CrmClient(running)
        crm.login()
        body = crm.get("ib", "servers").json()
        grouped = running.impact_crm.server_tags()
    assert {"mt4", "mt5"} <= set(grouped)
    assert body == SERVER_SHAPES[quirks](grouped)


def test_keyed_records_quirk_keys_each_record_by_its_position():
    with Sandbox(scale=30, quirks={"keyed-records"}) as running:
        crm = CrmClient(running)
        crm.login()
        body = crm.get("trackbox", "leads", page=2, pageSize=10, **WHOLE_PERIOD).json()
        expected = running.impact_crm.records("leads", **WHOLE_PERIOD)[10:20]
    assert body["total"] == 30
    assert body["data"] == {str(10 + n): record for n, record in enumerate(expected)}


def test_unknown_quirk_is_refused():
    with pytest.raises(ValueError, match="no-such-quirk"):
        Sandbox(scale=10, quirks={"no-such-quirk"})


# Faults


def test_latency_does_not_serialize_concurrent_requests():
    with Sandbox(scale=20, latency_ms=200) as slow:
        token = CrmClient(slow).login().json()["token"]
        durations: list[float] = []

        def call() -> None:
            crm = CrmClient(slow)
            crm.session.headers["X-Auth-Token"] = token
            started = time.monotonic()
            assert crm.get("trackbox", "servers").status_code == 200
            durations.append(time.monotonic() - started)

        threads = [threading.Thread(target=call) for _ in range(8)]
        started = time.monotonic()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.monotonic() - started
        served = [entry for entry in slow.requests if entry["path"].endswith("/servers")]
    assert len(durations) == 8
    assert min(durations) >= 0.19
    assert elapsed < 0.8
    # The log gives each request's time on the server: read, then answered a latency later.
    spans = [(_epoch(entry["received"]), _epoch(entry["time"])) for entry in served]
    assert len(spans) == 8
    assert all(end - start >= 0.199 for start, end in spans)


def _epoch(stamp: str) -> float:
    return datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp()


def statuses_under_rates(**rates: float) -> list[tuple[int, str | None]]:
    with Sandbox(scale=20, seed=3, retry_after=3, **rates) as flaky:
        crm = CrmClient(flaky)
        token = None
        while token is None:
            response = crm.login()
            token = response.json().get("token") if response.status_code == 200 else None
        seen = []
        for _ in range(60):
            response = crm.get("trackbox", "servers")
            seen.append((response.status_code, response.headers.get("Retry-After")))
            if response.status_code != 200:
                assert "message" in response.json()
        return seen


def test_rate_faults_are_deterministic_and_carry_retry_after():
    seen = statuses_under_rates(rate_429=0.3, rate_5xx=0.2)
    counts = Counter(status for status, _ in seen)
    assert counts[429] > 5
    assert counts[500] + counts[503] > 3
    assert counts[200] > 15
    assert all(retry == "3" for status, retry in seen if status == 429)
    assert seen == statuses_under_rates(rate_429=0.3, rate_5xx=0.2)


def test_queued_faults_answer_the_next_matching_requests(fresh_sandbox):
    crm = CrmClient(fresh_sandbox)
    crm.login()
    queued = fresh_sandbox.queue_faults(
        path_contains="/leads",
        faults=[{"status": 429, "retry_after": 2}, {"status": 503}, {"drop": True}],
    )
    assert queued == 3
    assert crm.get("trackbox", "servers").status_code == 200
    limited = crm.get("trackbox", "leads", **WHOLE_PERIOD)
    assert limited.status_code == 429
    assert limited.headers["Retry-After"] == "2"
    assert crm.get("trackbox", "leads", **WHOLE_PERIOD).status_code == 503
    with pytest.raises(requests.ConnectionError):
        crm.get("trackbox", "leads", **WHOLE_PERIOD)
    assert crm.get("trackbox", "leads", **WHOLE_PERIOD).status_code == 200
    statuses = [
        entry["status"] for entry in fresh_sandbox.requests if entry["path"].endswith("/leads")
    ]
    assert statuses == [429, 503, None, 200]


def test_faults_queued_over_the_control_api(fresh_sandbox):
    crm = CrmClient(fresh_sandbox)
    crm.login()
    response = requests.post(
        f"{fresh_sandbox.base_url}/_sandbox/faults",
        json={"path_contains": "page=2", "faults": [{"status": 500}]},
        timeout=TIMEOUT,
    )
    assert response.json() == {"ok": True, "queued": 1}
    assert crm.get("trackbox", "leads", page=1, pageSize=10, **WHOLE_PERIOD).status_code == 200
    assert crm.get("trackbox", "leads", page=2, pageSize=10, **WHOLE_PERIOD).status_code == 500
    assert crm.get("trackbox", "leads", page=2, pageSize=10, **WHOLE_PERIOD).status_code == 200
    bad = requests.post(
        f"{fresh_sandbox.base_url}/_sandbox/faults",
        json={"faults": [{"status": 99}]},
        timeout=TIMEOUT,
    )
    assert bad.status_code == 400


def test_control_api_is_never_faulted():
    with Sandbox(scale=10, rate_5xx=1.0) as broken:
        for _ in range(5):
            assert requests.get(f"{broken.base_url}/_sandbox/health", timeout=TIMEOUT).json() == {
                "ok": True
            }
        assert CrmClient(broken).login().status_code in (500, 503)


# Mutations


def test_edit_touches_a_lead_now(fresh_sandbox):
    crm = CrmClient(fresh_sandbox)
    crm.login()
    before = crm.fetch_all("cellxpert", "leads", leadId=1010, **WHOLE_PERIOD)[0]
    edited = fresh_sandbox.impact_crm.edit("leads", 1010)
    today = datetime.now(timezone.utc).date().isoformat()
    assert day(edited["lastModifiedDate"]) == today
    assert edited["status"] != before["status"]
    touched = crm.fetch_all(
        "trackbox", "leads", lastModifiedDateFrom=today, lastModifiedDateTo=today
    )
    assert touched == [edited]


def test_edit_and_add_over_the_control_api(fresh_sandbox):
    crm = CrmClient(fresh_sandbox)
    crm.login()
    control = f"{fresh_sandbox.base_url}/_sandbox/impact-crm"
    customer = crm.fetch_all("trackbox", "registrations", **WHOLE_PERIOD)[0]
    response = requests.post(
        f"{control}/edit",
        json={"stream": "registrations", "id": customer["userId"]},
        timeout=TIMEOUT,
    )
    assert response.status_code == 200
    edited = response.json()["record"]
    assert edited["phone"] != customer["phone"]
    assert edited["lastModifiedDate"] > customer["lastModifiedDate"]

    added = requests.post(
        f"{control}/add", json={"stream": "registrations", "n": 3}, timeout=TIMEOUT
    ).json()["ids"]
    assert len(added) == 3
    today = datetime.now(timezone.utc).date().isoformat()
    new = crm.fetch_all(
        "trackbox", "registrations", registrationDateFrom=today, registrationDateTo=today
    )
    assert [r["userId"] for r in new] == added
    new_leads = crm.fetch_all(
        "trackbox", "leads", registrationDateFrom=today, registrationDateTo=today
    )
    assert [lead["leadId"] for lead in new_leads] == [r["leadId"] for r in new]
    assert all(lead["status"] == "converted" for lead in new_leads)

    lead_ids = fresh_sandbox.impact_crm.add("leads", 2)
    assert lead_ids == [new_leads[-1]["leadId"] + 1, new_leads[-1]["leadId"] + 2]
    assert (
        requests.post(
            f"{control}/edit", json={"stream": "leads", "id": 1}, timeout=TIMEOUT
        ).status_code
        == 404
    )
    assert (
        requests.post(
            f"{control}/edit", json={"stream": "positions", "id": 30000001}, timeout=TIMEOUT
        ).status_code
        == 400
    )


# Request log, control API, CLI


def test_request_log_never_holds_secrets(fresh_sandbox):
    crm = CrmClient(fresh_sandbox)
    token = crm.login().json()["token"]
    crm.get("trackbox", "leads", pageSize=5, **WHOLE_PERIOD)
    log = fresh_sandbox.requests
    assert [entry["method"] for entry in log] == ["POST", "GET"]
    assert log[1]["path"] == "/impact-crm/api/v1/trackbox/leads"
    assert log[1]["query"] == {**WHOLE_PERIOD, "pageSize": "5"}
    assert log[1]["status"] == 200
    assert set(log[0]) == {"method", "path", "query", "status", "time", "received"}
    assert log[1]["received"] <= log[1]["time"]
    served = requests.get(f"{fresh_sandbox.base_url}/_sandbox/requests", timeout=TIMEOUT).json()
    assert served == log
    text = json.dumps(served)
    for secret in (
        token,
        CREDENTIALS.api_key,
        CREDENTIALS.password,
        CREDENTIALS.x_domain,
        CREDENTIALS.email,
    ):
        assert secret not in text
    assert (
        requests.delete(f"{fresh_sandbox.base_url}/_sandbox/requests", timeout=TIMEOUT).status_code
        == 200
    )
    assert fresh_sandbox.requests == []
    crm.get("trackbox", "servers")
    fresh_sandbox.clear_requests()
    assert fresh_sandbox.requests == []


def test_unserved_prefixes_are_404(sandbox):
    for prefix in ("/tracksale/v1/campaign", "/nowhere"):
        response = requests.get(sandbox.base_url + prefix, timeout=TIMEOUT)
        assert response.status_code == 404
        assert "no API is served" in response.json()["message"]


def test_stop_closes_the_socket():
    running = Sandbox(scale=10).start()
    url = f"{running.base_url}/_sandbox/health"
    session = requests.Session()
    assert session.get(url, timeout=TIMEOUT).json() == {"ok": True}
    running.stop()
    with pytest.raises(requests.ConnectionError):
        requests.get(url, timeout=TIMEOUT)


def test_cli_serves_and_stops_on_sigterm():
    with serving("--scale", "50") as served:
        settings = served.settings("x_domain=")
        assert settings["api_url"] == served.base_url + "/impact-crm"
        assert settings["api_key"] == CREDENTIALS.api_key
        assert settings["email"] == CREDENTIALS.email
        health = requests.get(f"{served.base_url}/_sandbox/health", timeout=TIMEOUT)
        assert health.json() == {"ok": True}


def test_cli_token_ttl_requests_and_impact_crm_quirks():
    args = ("--scale", "30", "--no-prerender", "--token-ttl-requests", "2")
    with serving(*args, "--quirks", "servers-groups,page-ignored") as served:
        api = served.settings("x_domain=")["api_url"] + "/api/v1"
        session = requests.Session()
        session.headers.update({"X-Api-Key": CREDENTIALS.api_key, "X-DOMAIN": CREDENTIALS.x_domain})
        body = {"email": CREDENTIALS.email, "password": CREDENTIALS.password, "rememberMe": True}
        token = session.post(f"{api}/auth/login", json=body, timeout=TIMEOUT).json()["token"]
        session.headers["X-Auth-Token"] = token
        answers = [session.get(f"{api}/ib/servers", timeout=TIMEOUT) for _ in range(3)]
        assert [a.status_code for a in answers] == [200, 200, 401]
        assert answers[0].json()[0]["platform"] == "mt4"


def test_cli_refuses_a_negative_token_ttl_requests():
    done = subprocess.run(
        [*SERVE, "--token-ttl-requests", "-1"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert "token_ttl_requests must be 0 or more" in done.stderr
