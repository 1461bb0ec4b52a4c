"""Login, token expiry, permissions, retries and every kind of API failure."""

from __future__ import annotations

import datetime as dt

import pytest
from api_sandbox.impact_crm import CREDENTIALS

from tests.impact_crm.expectations import by_key, expected
from tests.impact_crm.helpers import crm_config


def seconds(stamp: str) -> float:
    return dt.datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp()


def logins(sandbox) -> int:
    return sum(r["path"].endswith("/auth/login") for r in sandbox.requests)


def test_one_login_per_run_shared_by_every_stream(sandbox, run_crm):
    run_crm(crm_config(sandbox)).check()
    assert logins(sandbox) == 1
    assert len({r["path"] for r in sandbox.requests}) >= 6


@pytest.mark.parametrize("sandbox", [{"token_ttl": 1, "latency_ms": 40}], indirect=True)
def test_an_expired_token_is_renewed_and_nothing_is_lost(sandbox, run_crm):
    run = run_crm(crm_config(sandbox, page_size=40, max_concurrency=2)).check()
    assert logins(sandbox) > 1
    assert any(r["status"] == 401 for r in sandbox.requests)
    assert by_key("leads", run.records["leads"]) == expected(sandbox, "leads")


@pytest.mark.parametrize("sandbox", [{"token_ttl_requests": 3, "scale": 200}], indirect=True)
def test_tokens_that_serve_three_requests_at_eight_in_flight_lose_nothing(sandbox, run_crm):
    config = crm_config(sandbox, page_size=10, max_concurrency=8, window_days=120)
    run = run_crm(config).check()
    report_calls = [r for r in sandbox.requests if not r["path"].endswith("/auth/login")]
    assert sum(r["status"] == 401 for r in report_calls) > 8
    served = sum(r["status"] == 200 for r in report_calls)
    assert served <= 3 * logins(sandbox)  # every token served at most 3, so many logins
    for stream in ("leads", "registrations", "transactions", "positions", "servers"):
        assert by_key(stream, run.records[stream]) == expected(sandbox, stream), stream


@pytest.mark.parametrize("sandbox", [{"token_ttl_requests": 1}], indirect=True)
def test_a_token_that_served_once_is_renewed_however_often(sandbox, run_crm):
    run = run_crm(crm_config(sandbox, page_size=50, max_concurrency=4)).check()
    assert logins(sandbox) > 10
    assert by_key("leads", run.records["leads"]) == expected(sandbox, "leads")


@pytest.mark.parametrize("sandbox", [{"token_ttl_requests": 0}], indirect=True)
def test_three_fresh_tokens_refused_before_serving_fail_the_run(sandbox, run_crm):
    run = run_crm(crm_config(sandbox, max_concurrency=8))
    assert run.returncode != 0
    assert logins(sandbox) == 3
    assert "refused 3 fresh session tokens in a row" in run.stderr
    assert "each before it served any request" in run.stderr
    assert "User Management > Users" in run.stderr
    for token in sandbox.impact_crm.issued_tokens():
        assert token not in run.stderr


def test_a_missing_family_permission_names_it_and_where_to_grant_it(sandbox, run_crm):
    config = crm_config(sandbox, email="trackbox-only@sandbox.test", report_family="ib")
    run = run_crm(config)
    assert run.returncode != 0
    assert "lacks the 'IB Reports' permission" in run.stderr
    assert "Settings > System > User Management > Roles" in run.stderr


def test_a_bad_api_key_says_to_check_the_key_and_domain(sandbox, run_crm):
    run = run_crm(crm_config(sandbox, api_key="not-a-real-key"))
    assert run.returncode != 0
    assert "refused the API key" in run.stderr
    assert "`api_key` and `x_domain`" in run.stderr


def test_a_bad_password_says_to_check_the_credentials(sandbox, run_crm):
    run = run_crm(crm_config(sandbox, password="wrong-password-123"))
    assert run.returncode != 0
    assert "refused the login" in run.stderr
    assert "`email` and `password`" in run.stderr


def test_429_waits_what_retry_after_asks(sandbox, run_crm):
    sandbox.queue_faults(path_contains="/leads", faults=[{"status": 429, "retry_after": 2}])
    run = run_crm(crm_config(sandbox)).check()
    assert "retrying in 2.0s" in run.stderr
    leads = [r for r in sandbox.requests if r["path"].endswith("/leads")]
    refused = next(i for i, r in enumerate(leads) if r["status"] == 429)
    retried = next(r for r in leads[refused + 1 :] if r["query"] == leads[refused]["query"])
    waited = seconds(retried["time"]) - seconds(leads[refused]["time"])
    assert waited >= 1.9
    assert by_key("leads", run.records["leads"]) == expected(sandbox, "leads")


def test_5xx_and_dropped_connections_are_retried(sandbox, run_crm):
    sandbox.queue_faults(
        path_contains="/transactions",
        faults=[{"status": 503}, {"status": 500}, {"drop": True}],
    )
    run = run_crm(crm_config(sandbox)).check()
    statuses = [r["status"] for r in sandbox.requests if r["path"].endswith("/transactions")]
    assert 503 in statuses
    assert 500 in statuses
    assert by_key("transactions", run.records["transactions"]) == expected(sandbox, "transactions")


@pytest.mark.parametrize("sandbox", [{"rate_5xx": 1.0}], indirect=True)
def test_a_persistent_outage_fails_after_the_retry_budget(sandbox, run_crm):
    run = run_crm(crm_config(sandbox, max_retries=2))
    assert run.returncode != 0
    assert "Gave up after 3 attempts" in run.stderr


@pytest.mark.parametrize(
    "sandbox", [{"rate_429": 0.2, "rate_5xx": 0.1, "retry_after": 0, "scale": 150}], indirect=True
)
def test_random_rate_limits_and_errors_lose_nothing(sandbox, run_crm):
    run = run_crm(crm_config(sandbox, window_days=90)).check()
    assert any(r["status"] == 429 for r in sandbox.requests)
    for stream in ("leads", "registrations", "transactions", "positions"):
        assert by_key(stream, run.records[stream]) == expected(sandbox, stream), stream


def test_a_rejected_parameter_names_the_settings_behind_it(sandbox, run_crm):
    run = run_crm(crm_config(sandbox, page_size=50_000))
    assert run.returncode != 0
    assert "HTTP 400" in run.stderr
    assert "`page_size`" in run.stderr


def test_a_wrong_api_url_says_so(sandbox, run_crm):
    run = run_crm(crm_config(sandbox, api_url=sandbox.base_url + "/not-the-crm"))
    assert run.returncode != 0
    assert "check `api_url`" in run.stderr


def test_plain_http_to_a_remote_host_is_refused(run_crm):
    config = {
        "api_url": "http://crm.example.com",
        "x_domain": "x",
        "api_key": "k" * 8,
        "email": CREDENTIALS.email,
        "password": "p" * 8,
        "start_date": "2025-11-01",
    }
    run = run_crm(config)
    assert run.returncode != 0
    assert "plain HTTP" in run.stderr


def test_connection_test_passes_and_fails_clearly(sandbox, run_crm):
    ok = run_crm(crm_config(sandbox), args=("--test",))
    assert ok.returncode == 0, ok.stderr
    assert "Connection test passed" in ok.stderr
    assert not ok.records
    bad = run_crm(crm_config(sandbox, password="wrong-password-123"), args=("--test",))
    assert bad.returncode == 1
    assert "Connection test failed" in bad.stderr
    assert "`email` and `password`" in bad.stderr
