"""The sliding-window request budget: never more than its limit in any window, across threads."""

from __future__ import annotations

import logging
import threading
import time

import pytest
from connector_kit import request_budget
from connector_kit.errors import ApiLockedError
from connector_kit.request_budget import (
    RequestBudget,
    budget_from_config,
    forget_shared_budgets,
    shared_budget,
)


class FakeClock:
    """A clock that moves only when a wait sleeps on it."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def most_in_any_window(times: list[float], window: float) -> int:
    """The largest number of `times` inside any half-open interval of length `window`."""
    ordered = sorted(times)
    most, first = 0, 0
    for last, moment in enumerate(ordered):
        while ordered[first] <= moment - window:
            first += 1
        most = max(most, last - first + 1)
    return most


def test_spends_freely_up_to_the_limit_then_waits_for_the_oldest_to_leave_the_window() -> None:
    clock = FakeClock()
    budget = RequestBudget(3, 10, clock=clock, sleep=clock.sleep)
    assert [budget.spend() for _ in range(3)] == [1000.0, 1000.0, 1000.0]
    clock.now += 4
    assert budget.spend() == pytest.approx(1010.0)  # the first three left the window then
    assert clock.sleeps == [pytest.approx(6.0)]
    assert budget.in_window() == 1  # the three sent at 1000 all left the window at 1010
    assert budget.figures() == {
        "budget_requests": 4,
        "budget_waits": 1,
        "budget_waited_seconds": 6.0,
        "budget_longest_wait_seconds": 6.0,
    }


def test_a_sliding_window_not_a_fixed_one() -> None:
    """Requests spread over a window free their slots one by one, each at its own time."""
    clock = FakeClock()
    budget = RequestBudget(2, 10, clock=clock, sleep=clock.sleep)
    sent = []
    for _ in range(7):
        sent.append(budget.spend())
        clock.now += 1
    assert most_in_any_window(sent, 10) == 2
    assert sent == [1000, 1001, 1010, 1011, 1020, 1021, 1030]


def test_each_wait_is_logged_with_its_length(caplog: pytest.LogCaptureFixture) -> None:
    clock = FakeClock()
    budget = RequestBudget(1, 120, name="Tracksale", clock=clock, sleep=clock.sleep)
    caplog.set_level(logging.DEBUG, logger="connector_kit.request_budget")
    budget.spend()
    clock.now += 118
    budget.spend()  # waits 2 s: INFO
    budget.spend()  # waits 120 s: WARNING
    waits = [(r.levelname, r.getMessage()) for r in caplog.records]
    assert waits[0][0] == "INFO"
    assert "waited 2.0s" in waits[0][1]
    assert waits[1][0] == "WARNING"
    assert "waited 120.0s" in waits[1][1]
    assert "Tracksale" in waits[1][1]
    assert "at most 1 requests in 120s" in waits[1][1]


def test_a_tripped_budget_refuses_every_later_request_and_wakes_waiters() -> None:
    budget = RequestBudget(1, 60)
    budget.spend()
    failures: list[BaseException] = []

    def waiting_sender() -> None:
        try:
            budget.spend()  # would wait a minute
        except ApiLockedError as error:
            failures.append(error)

    thread = threading.Thread(target=waiting_sender)
    started = time.monotonic()
    thread.start()
    time.sleep(0.1)
    budget.trip("locked: solve the CAPTCHA", 405)
    thread.join(5)
    assert time.monotonic() - started < 5
    assert [str(error) for error in failures] == ["locked: solve the CAPTCHA"]
    with pytest.raises(ApiLockedError, match="solve the CAPTCHA") as raised:
        budget.spend()
    assert raised.value.status == 405
    assert budget.spent == 1


def test_threads_together_never_exceed_the_window() -> None:
    """Eight threads asking at once: no window of the budget's length holds more than its limit."""
    budget = RequestBudget(5, 0.4)
    sent: list[float] = []
    sent_lock = threading.Lock()

    def sender() -> None:
        for _ in range(4):
            counted = budget.spend()  # the moment the budget counted it, as it went out
            with sent_lock:
                sent.append(counted)

    threads = [threading.Thread(target=sender) for _ in range(8)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert len(sent) == 32
    assert most_in_any_window(sent, 0.4) <= 5
    # 32 requests, 5 per 0.4 s: the last could not go before 6 full windows had passed.
    assert time.monotonic() - started >= 6 * 0.4 - 0.05
    assert budget.waits > 0


def test_bad_limits_say_which_setting_to_fix() -> None:
    with pytest.raises(ValueError, match="max_requests_per_window"):
        RequestBudget(0, 300)
    with pytest.raises(ValueError, match="rate_window_seconds"):
        RequestBudget(10, 0)


def test_one_budget_per_host_and_credential_shared_and_only_ever_tightened() -> None:
    forget_shared_budgets()
    try:
        first = shared_budget("https://api.tracksale.co/v2", "token-a", max_requests=900)
        same = shared_budget("https://API.tracksale.co/v2/", "token-a", max_requests=950)
        other_token = shared_budget("https://api.tracksale.co/v2", "token-b")
        assert same is first
        assert other_token is not first
        assert first.max_requests == 900
        tighter = budget_from_config(
            {"max_requests_per_window": 500, "rate_window_seconds": 600},
            base_url="https://api.tracksale.co/v2",
            credential="token-a",
            name="Tracksale",
        )
        assert tighter is first
        assert (first.max_requests, first.window_seconds) == (500, 600.0)
        assert all("token-a" not in part for key in _keys() for part in key)
    finally:
        forget_shared_budgets()


def _keys() -> list[tuple[str, str]]:
    return list(request_budget._budgets)
