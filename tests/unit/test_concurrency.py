"""The adaptive concurrency limit: ceiling, halving on refusals, recovery, no deadlock."""

from __future__ import annotations

import logging
import random
import threading
import time

from connector_kit.concurrency import AdaptiveLimit, Slot


class Clock:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def waiting_acquire(limit: AdaptiveLimit) -> threading.Event:
    """Start a thread that takes a slot; the event is set once it has one."""
    got = threading.Event()
    threading.Thread(target=lambda: (limit.acquire(), got.set()), daemon=True).start()
    return got


def finished(threads: list[threading.Thread], seconds: float) -> bool:
    """Start the threads and wait for them all, `seconds` at most in all."""
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + seconds
    for thread in threads:
        thread.join(timeout=max(deadline - time.monotonic(), 0))
    return not any(thread.is_alive() for thread in threads)


def take(limit: AdaptiveLimit) -> Slot:
    """A slot that must be free now: failing, not hanging, when none comes."""
    slots: list[Slot] = []
    thread = threading.Thread(target=lambda: slots.append(limit.acquire()), daemon=True)
    thread.start()
    thread.join(timeout=2)
    assert slots, f"no free slot: {limit.in_flight} in flight under a limit of {limit.limit}"
    return slots[0]


def succeed(limit: AdaptiveLimit, times: int) -> None:
    for _ in range(times):
        limit.release(take(limit), succeeded=True)


def test_threads_never_hold_more_slots_than_the_maximum():
    limit = AdaptiveLimit(4)
    lock = threading.Lock()
    holding = peak = 0

    def work() -> None:
        nonlocal holding, peak
        for _ in range(20):
            slot = limit.acquire()
            with lock:
                holding += 1
                peak = max(peak, holding)
            time.sleep(0.002)
            with lock:
                holding -= 1
            limit.release(slot, succeeded=True)

    threads = [threading.Thread(target=work, daemon=True) for _ in range(16)]
    assert finished(threads, 10), "threads stuck waiting for a slot"
    assert peak == 4
    assert limit.in_flight == 0
    assert limit.limit == 4


def test_a_refusal_halves_the_limit_at_once_and_waiting_requests_wait_below_it():
    limit = AdaptiveLimit(8)
    slots = [take(limit) for _ in range(8)]
    waiting = waiting_acquire(limit)
    assert not waiting.wait(0.05)

    limit.refused(slots[0], reason="HTTP 429", backoff=1.0)
    assert (limit.limit, limit.in_flight, limit.decreases) == (4, 7, 1)
    arriving = waiting_acquire(limit)
    for slot in slots[1:4]:
        limit.release(slot, succeeded=True)
    assert limit.in_flight == 4
    assert not waiting.wait(0.1), "a request started while 4 were in flight under a limit of 4"
    assert not arriving.is_set()

    limit.release(slots[4], succeeded=True)
    assert waiting.wait(2) or arriving.wait(2)
    time.sleep(0.05)
    assert limit.in_flight == 4
    assert waiting.is_set() != arriving.is_set(), "both started: 5 in flight under a limit of 4"
    limit.release(slots[5], succeeded=True)
    assert waiting.wait(2)
    assert arriving.wait(2)


def test_refusals_of_one_burst_lower_the_limit_once_and_never_below_one():
    limit = AdaptiveLimit(8)
    burst = [take(limit) for _ in range(8)]
    for slot in burst:
        limit.refused(slot, reason="HTTP 429", backoff=0)
    assert (limit.limit, limit.decreases) == (4, 1)

    sent_at_four = [take(limit) for _ in range(4)]
    for slot in sent_at_four:
        limit.refused(slot, reason="HTTP 429", backoff=0)
    assert (limit.limit, limit.decreases) == (2, 2)

    for _ in range(5):
        limit.refused(take(limit), reason="HTTP 503", backoff=0)
    assert (limit.limit, limit.decreases, limit.lowest) == (1, 3, 1)
    assert limit.in_flight == 0


def test_other_failures_neither_lower_nor_raise_the_limit():
    limit = AdaptiveLimit(8)
    limit.refused(take(limit), reason="HTTP 429", backoff=0)
    for _ in range(50):
        limit.release(take(limit))  # a 5xx, a dropped connection
    assert (limit.limit, limit.decreases, limit.increases) == (4, 1, 0)


def test_the_limit_stays_down_during_the_back_off_then_grows_back_to_the_maximum(caplog):
    caplog.set_level(logging.INFO, logger="connector_kit.concurrency")
    clock = Clock()
    limit = AdaptiveLimit(8, clock=clock)
    burst = [take(limit) for _ in range(8)]
    limit.refused(burst[0], reason="HTTP 429", backoff=10)
    for slot in burst[1:]:
        limit.release(slot, succeeded=True)  # sent before the decrease: they do not count
    assert limit.limit == 4

    clock.now += 5
    succeed(limit, 40)
    assert limit.limit == 4, "the limit grew while the Retry-After was in force"

    clock.now += 5
    succeed(limit, 3)
    assert limit.limit == 4
    succeed(limit, 1)
    assert limit.limit == 5
    succeed(limit, 5 + 6 + 7)
    assert (limit.limit, limit.increases) == (8, 4)
    succeed(limit, 100)
    assert limit.limit == 8

    messages = [record.getMessage() for record in caplog.records]
    assert any("HTTP 429: concurrency lowered from 8 to 4" in m for m in messages)
    assert "concurrency raised from 4 to 5" in messages
    assert "concurrency back to its maximum of 8" in messages
    assert all(record.levelno == logging.INFO for record in caplog.records)


def test_any_refusal_resets_the_run_of_successes_even_one_that_lowers_nothing():
    limit = AdaptiveLimit(8)
    sent_before = take(limit)
    limit.refused(take(limit), reason="HTTP 429", backoff=0)
    succeed(limit, 3)
    limit.refused(sent_before, reason="HTTP 429", backoff=0)  # same burst: no new decrease
    assert (limit.limit, limit.decreases) == (4, 1)
    succeed(limit, 3)
    assert limit.limit == 4
    succeed(limit, 1)
    assert limit.limit == 5


def test_no_deadlock_when_the_limit_drops_while_threads_hold_slots():
    limit = AdaptiveLimit(8)
    lock = threading.Lock()
    holding = peak = 0

    def work(seed: int) -> None:
        nonlocal holding, peak
        chance = random.Random(seed)
        for _ in range(150):
            slot = limit.acquire()
            with lock:
                holding += 1
                peak = max(peak, holding)
            time.sleep(chance.uniform(0, 0.001))
            with lock:
                holding -= 1
            if chance.random() < 0.05:
                limit.refused(slot, reason="HTTP 429", backoff=0)
            else:
                limit.release(slot, succeeded=chance.random() < 0.9)

    threads = [threading.Thread(target=work, args=(n,), daemon=True) for n in range(12)]
    assert finished(threads, 20), "threads stuck waiting for a slot"
    assert peak <= 8
    assert limit.decreases > 0
    assert limit.in_flight == 0
    assert 1 <= limit.limit <= 8
