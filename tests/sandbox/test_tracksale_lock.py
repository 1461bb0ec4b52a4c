"""The sandbox's Tracksale security lock: past N requests in a sliding window, 405 until solved."""

from __future__ import annotations

import time

import pytest
import requests
from api_sandbox import Sandbox
from api_sandbox.cli import _parser
from api_sandbox.tracksale import API_TOKEN

from tests.sandbox.cli_process import serving

AUTH = {"Authorization": f"bearer {API_TOKEN}"}
LOCK_OPTIONS = ("--tracksale-lock-requests", "3", "--tracksale-lock-window", "30")


def get(sandbox: Sandbox, path: str = "campaign", **headers: str) -> requests.Response:
    return requests.get(f"{sandbox.tracksale_url}/{path}", headers={**AUTH, **headers}, timeout=10)


def control(sandbox: Sandbox, action: str) -> dict:
    response = requests.post(f"{sandbox.base_url}/_sandbox/tracksale/{action}", timeout=10)
    response.raise_for_status()
    return response.json()


@pytest.mark.parametrize(
    "sandbox", [{"tracksale_lock_requests": 5, "tracksale_lock_window": 60}], indirect=True
)
def test_past_the_limit_every_request_gets_405_and_a_captcha_until_solved(
    sandbox: Sandbox,
) -> None:
    assert [get(sandbox).status_code for _ in range(5)] == [200] * 5
    locked = get(sandbox)
    assert locked.status_code == 405
    assert "text/html" in locked.headers["Content-Type"]
    assert "CAPTCHA" in locked.text
    assert "more than 5 requests within 60 seconds" in locked.text
    # Every path, method and token is refused while locked; retrying does not help.
    assert get(sandbox, "report/answer").status_code == 405
    assert get(sandbox, "campaign", Authorization="bearer wrong").status_code == 405
    post = requests.post(f"{sandbox.tracksale_url}/answer", json={}, headers=AUTH, timeout=10)
    assert post.status_code == 405
    # Other APIs are not Tracksale's lock's business.
    assert requests.get(f"{sandbox.base_url}/_sandbox/health", timeout=10).status_code == 200

    status = control(sandbox, "lock")
    assert status["locked"] is True
    assert status["refused"] == 4
    assert [event["event"] for event in status["events"]] == ["locked"] + ["refused"] * 4
    assert status["events"][0]["path"] == "/campaign"
    assert [entry["status"] for entry in sandbox.requests].count(405) == 4

    assert control(sandbox, "solve-captcha") == {"ok": True, "was_locked": True}
    assert [get(sandbox).status_code for _ in range(5)] == [200] * 5
    assert get(sandbox).status_code == 405
    assert sandbox.solve_tracksale_captcha()["was_locked"] is True
    assert sandbox.tracksale.security_lock.refused == 5


@pytest.mark.parametrize(
    "sandbox", [{"tracksale_lock_requests": 3, "tracksale_lock_window": 0.5}], indirect=True
)
def test_the_window_slides(sandbox: Sandbox) -> None:
    """Three requests per half second go on forever; a fourth inside the window locks."""
    for _ in range(3):
        assert [get(sandbox).status_code for _ in range(3)] == [200] * 3
        time.sleep(0.55)
    assert [get(sandbox).status_code for _ in range(4)] == [200, 200, 200, 405]
    assert sandbox.tracksale.security_lock.refused == 1


def test_the_lock_is_on_by_default_at_the_vendors_limit(sandbox: Sandbox) -> None:
    lock = sandbox.tracksale.security_lock
    assert (lock.max_requests, lock.window_seconds) == (1000, 300.0)
    assert control(sandbox, "lock")["locked"] is False


def test_cli_options_scale_the_lock() -> None:
    with serving("--no-prerender", "--scale", "20", *LOCK_OPTIONS) as served:
        assert "405 past 3 requests in 30 s" in served.line_with("security lock")
        url = f"{served.base_url}/tracksale/v2/campaign"
        statuses = [requests.get(url, headers=AUTH, timeout=10).status_code for _ in range(4)]
        assert statuses == [200, 200, 200, 405]
        solved = requests.post(f"{served.base_url}/_sandbox/tracksale/solve-captcha", timeout=10)
        assert solved.json()["was_locked"] is True
        assert requests.get(url, headers=AUTH, timeout=10).status_code == 200
    with pytest.raises(SystemExit):
        _parser().parse_args(["serve", "--tracksale-lock-requests", "0"])
