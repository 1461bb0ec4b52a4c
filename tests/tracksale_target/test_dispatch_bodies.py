"""The dispatch body of each attempt: its send time, never past, and its finish time."""

from __future__ import annotations

from target_tracksale.dispatch_bodies import SCHEDULE_LEAD_SECONDS, DispatchBody

CUSTOMERS = [{"name": "A", "email": "a@example.test"}]


class Clock:
    """A clock the test moves."""

    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def test_now_is_a_minute_after_each_attempt_so_a_retry_never_sends_a_past_time():
    clock = Clock(1_800_000_000.4)
    body = DispatchBody(CUSTOMERS, clock=clock)
    first = body()
    clock.now += 300  # the retry comes five minutes later
    second = body()
    assert first == {"customers": CUSTOMERS, "schedule_time": 1_800_000_001 + 60}
    assert second["schedule_time"] == 1_800_000_301 + 60
    assert second["schedule_time"] - clock.now >= SCHEDULE_LEAD_SECONDS
    assert body.moved is False


def test_an_own_time_far_enough_ahead_is_kept_and_a_passed_one_is_moved():
    clock = Clock(1_800_000_000)
    ahead = DispatchBody(CUSTOMERS, schedule_time=1_800_000_500, clock=clock)
    assert ahead()["schedule_time"] == 1_800_000_500
    assert ahead.moved is False
    clock.now = 1_800_000_480  # a retry 20 s before that time: too close to send it
    assert ahead()["schedule_time"] == 1_800_000_540
    assert ahead.moved is True
    passed = DispatchBody(CUSTOMERS, schedule_time=1_700_000_000, clock=clock)
    assert passed()["schedule_time"] == 1_800_000_540


def test_into_the_lot_no_time_is_sent():
    body = DispatchBody(CUSTOMERS, into_lot=True, clock=Clock(1_800_000_000))
    assert body() == {"customers": CUSTOMERS}


def test_finish_time_goes_at_the_top_level_as_given_or_days_after_the_send_time():
    clock = Clock(1_800_000_000)
    given = DispatchBody(CUSTOMERS, finish_time=1_900_000_000, clock=clock)
    assert given() == {
        "customers": CUSTOMERS,
        "schedule_time": 1_800_000_060,
        "finish_time": 1_900_000_000,
    }
    after = DispatchBody(CUSTOMERS, finish_after_days=7, clock=clock)
    first = after()
    assert first["finish_time"] == first["schedule_time"] + 7 * 86_400
    clock.now += 100
    second = after()
    assert second["finish_time"] == second["schedule_time"] + 7 * 86_400 > first["finish_time"]
    assert "finish_time" not in DispatchBody(CUSTOMERS, clock=clock)()
