"""Credentials, the IP allow-list, plain HTTP, `--test`, and every status the seed names."""

from __future__ import annotations

import ipaddress
import socket

import pytest
from api_sandbox import Sandbox

from tests.trackfinity.expectations import expected_profit_loss, profit_loss_by_key, requests_to
from tests.trackfinity.helpers import trackfinity_config

DEBUG = {"LOGLEVEL": "DEBUG", "TAP_TRACKFINITY_LOGLEVEL": "DEBUG"}
ALLOW_LIST_HINT = "ADMIN_API_ALLOWED_IPS (Trackfinity Settings, Security)"
CREDENTIALS_HINT = "`api_username` and `api_key`"


def assert_names_both_causes(stderr: str, status: int) -> None:
    assert f"HTTP {status}" in stderr
    assert CREDENTIALS_HINT in stderr
    assert ALLOW_LIST_HINT in stderr


def test_bad_credentials_fail_the_connection_test_naming_both_causes(sandbox, run_trackfinity):
    wrong = "wrong-key-which-is-secret"
    config = trackfinity_config(sandbox, api_key=wrong)
    run = run_trackfinity(config, args=("--test",), env=DEBUG)
    assert run.returncode == 1
    assert "Connection test failed" in run.stderr
    assert_names_both_causes(run.stderr, 401)
    assert "DEBUG" in run.stderr
    assert wrong not in run.stdout + run.stderr


@pytest.mark.parametrize(
    "sandbox", [{"trackfinity_allowed_ips": ("203.0.113.9", "10.0.0.0/8")}], indirect=True
)
def test_a_caller_off_the_allow_list_is_told_about_both_causes(sandbox, run_trackfinity):
    run = run_trackfinity(trackfinity_config(sandbox))
    assert run.returncode != 0
    assert_names_both_causes(run.stderr, 403)
    assert {r["status"] for r in sandbox.requests} == {403}


def test_an_unknown_parameter_names_the_endpoint_parameter_and_setting(sandbox, run_trackfinity):
    config = trackfinity_config(
        sandbox, profitloss_params={"campaign": "spring"}, max_concurrency=1
    )
    run = run_trackfinity(config)
    assert run.returncode != 0
    assert "HTTP 404" in run.stderr
    assert (
        "/trackfinity/api/report/profitloss?view=login&params[period]=8"
        "&params[start]=2025-11-01&params[end]=2025-11-01&params[campaign]=spring"
    ) in run.stderr
    assert "invalid parameter: params[campaign]" in run.stderr
    assert "`profitloss_params`" in run.stderr
    assert len(requests_to(sandbox, "report/profitloss")) == 1  # a 404 is not retried


def test_405_names_the_endpoint_and_parameters(sandbox, run_trackfinity):
    sandbox.queue_faults(path_contains="/transaction_payout_preview", faults=[{"status": 405}])
    click = sandbox.trackfinity.preview_clicks[0]
    config = trackfinity_config(sandbox, start_date="2026-10-31", payout_preview_hashes=[click])
    run = run_trackfinity(config)
    assert run.returncode != 0
    assert "HTTP 405 (method not allowed)" in run.stderr
    path = "/trackfinity/api/transaction/transaction_payout_preview"
    assert f"{path}?transaction_hash={click}" in run.stderr
    assert "check that `api_url`" in run.stderr


def test_connection_test_passes_with_or_without_api_in_the_url(sandbox, run_trackfinity):
    for api_url in (sandbox.trackfinity_url, sandbox.trackfinity_url + "/api/"):
        ok = run_trackfinity(trackfinity_config(sandbox, api_url=api_url), args=("--test",))
        assert ok.returncode == 0, ok.stderr
        assert "Connection test passed: GET /trackfinity/api/service/ping answered true" in (
            ok.stderr
        )
        assert not ok.records
    assert [r["path"] for r in sandbox.requests] == ["/trackfinity/api/service/ping"] * 2


def test_connection_test_falls_back_to_the_examples_ping(sandbox, run_trackfinity):
    sandbox.queue_faults(path_contains="/service/ping", faults=[{"status": 404}])
    run = run_trackfinity(trackfinity_config(sandbox), args=("--test",))
    assert run.returncode == 0, run.stderr
    assert "Connection test passed: GET /trackfinity/api/ping answered true" in run.stderr
    assert [(r["path"], r["status"]) for r in sandbox.requests] == [
        ("/trackfinity/api/service/ping", 404),
        ("/trackfinity/api/ping", 200),
    ]


def test_connection_test_against_something_else_says_to_check_api_url(sandbox, run_trackfinity):
    config = trackfinity_config(sandbox, api_url=sandbox.base_url + "/not-trackfinity")
    run = run_trackfinity(config, args=("--test",))
    assert run.returncode == 1
    assert "HTTP 404" in run.stderr
    assert "check `api_url`" in run.stderr
    assert len(sandbox.requests) == 2  # both pings tried


def test_plain_http_to_a_remote_host_is_refused(run_trackfinity):
    config = {
        "api_url": "http://trackfinity.example.com",
        "api_username": "admin",
        "api_key": "k" * 12,
        "start_date": "2026-10-01",
    }
    run = run_trackfinity(config, args=("--test",))
    assert run.returncode != 0
    assert "plain HTTP" in run.stderr
    assert "`allow_insecure_http`" in run.stderr


def non_loopback_address() -> str | None:
    """This machine's address on its default route, if it has one (no packet is sent)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))
        except OSError:
            return None
        address = probe.getsockname()[0]
    return None if ipaddress.ip_address(address).is_loopback else address


def test_plain_http_opt_in_warns_and_the_allow_list_sees_the_real_address(run_trackfinity):
    address = non_loopback_address()
    if address is None:
        pytest.skip("this machine has no non-loopback IPv4 address to call the sandbox on")
    with Sandbox(seed=7, scale=30, host="0.0.0.0") as remote:
        config = trackfinity_config(
            remote,
            api_url=f"http://{address}:{remote.port}/trackfinity",
            allow_insecure_http=True,
            start_date="2026-10-01",
        )
        refused = run_trackfinity(config)
        assert refused.returncode != 0
        assert_names_both_causes(refused.stderr, 403)
        remote.trackfinity.allow_only([address])
        run = run_trackfinity(config).check()
        assert f"uses plain HTTP to {address}" in run.stderr
        assert "allow_insecure_http is true" in run.stderr
        want = expected_profit_loss(remote, start="2026-10-01")
        assert profit_loss_by_key(run.records["profit_loss"]) == want
