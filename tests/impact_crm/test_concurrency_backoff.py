"""A 429 with Retry-After lowers the concurrency while it is in force, and nothing is lost.

In flight is read from the sandbox's request log: each request is taken as the `latency` before
its logged answer, a part of the time the client had it in flight, so the counts are lower
bounds of what the client really had in flight. Requests that reached the server before the
client read the 429 cannot be recalled, so only moments when a later request started count.
"""

from __future__ import annotations

import datetime as dt
import json
from concurrent.futures import ThreadPoolExecutor

import pytest
from api_sandbox.impact_crm import CREDENTIALS
from connector_kit.api_client import ApiClient
from connector_kit.records import extract_records

from tests.impact_crm.expectations import by_key, expected
from tests.impact_crm.helpers import DATA_END, DATA_START, crm_config
from tests.tap_runner import parse_messages, run_tap

LATENCY = 0.1
RETRY_AFTER = 1
MAX_CONCURRENCY = 8
REACTION = 0.02
"""Seconds after the 429 was answered by which the client has surely read it."""

latency = pytest.mark.parametrize("sandbox", [{"latency_ms": int(LATENCY * 1000)}], indirect=True)


def answered_at(entry: dict) -> float:
    return dt.datetime.fromisoformat(str(entry["time"]).replace("Z", "+00:00")).timestamp()


class InFlight:
    """Requests in flight over time, from the sandbox's request log."""

    def __init__(self, log: list[dict]) -> None:
        self.intervals = [(answered_at(e) - LATENCY, answered_at(e)) for e in log]
        refused = [answered_at(e) for e in log if e["status"] == 429]
        assert len(refused) == 1, "the queued 429 was not served exactly once"
        self.refused_at = refused[0]

    def at(self, moment: float) -> int:
        return sum(1 for start, end in self.intervals if start <= moment < end)

    def starts(self, since: float, until: float) -> list[float]:
        return [start for start, _ in self.intervals if since < start < until]

    def peak(self, since: float, until: float) -> int:
        return max((self.at(moment) for moment in self.starts(since, until)), default=0)

    def before_the_429(self) -> int:
        return self.peak(float("-inf"), self.refused_at)

    def during_retry_after(self) -> int:
        return self.peak(self.refused_at + REACTION, self.refused_at + RETRY_AFTER)


@latency
def test_requests_in_flight_halve_while_a_429_waits_its_retry_after(sandbox):
    """Eight threads share one client, as a target's senders or a tap's pages do."""
    client = ApiClient(max_concurrency=MAX_CONCURRENCY)
    keys = {"X-Api-Key": CREDENTIALS.api_key, "X-DOMAIN": CREDENTIALS.x_domain}
    base = f"{sandbox.impact_crm_url}/api/v1"
    login = {"email": CREDENTIALS.email, "password": CREDENTIALS.password}
    token = client.request("POST", f"{base}/auth/login", json=login, headers=keys).json()["token"]
    headers = {**keys, "X-Auth-Token": token}
    window = {"lastModifiedDateFrom": DATA_START, "lastModifiedDateTo": DATA_END}
    page_size = 3
    pages = -(-len(expected(sandbox, "leads")) // page_size)
    sandbox.clear_requests()
    sandbox.queue_faults("&page=10&", [{"status": 429, "retry_after": RETRY_AFTER}])

    def page(number: int) -> list[dict]:
        params = {**window, "page": number, "pageSize": page_size}
        body = client.get_json(f"{base}/trackbox/leads", params=params, headers=headers)
        return extract_records(body, where="Impact CRM response")

    with ThreadPoolExecutor(MAX_CONCURRENCY) as pool:
        leads = [lead for records in pool.map(page, range(1, pages + 1)) for lead in records]
    client.close()

    ids = [lead["leadId"] for lead in leads]
    assert len(ids) == len(set(ids))
    assert {(i,) for i in ids} == set(expected(sandbox, "leads"))

    in_flight = InFlight(sandbox.requests)
    assert in_flight.before_the_429() == MAX_CONCURRENCY
    during = in_flight.starts(in_flight.refused_at + REACTION, in_flight.refused_at + RETRY_AFTER)
    assert len(during) >= 20, "too few requests during the Retry-After to judge"
    assert in_flight.during_retry_after() <= MAX_CONCURRENCY // 2
    assert (client.retry_count, client.limit_decreases) == (1, 1)
    assert client.concurrency.increases >= 1, "the limit never grew back after the Retry-After"


def leads_only_catalog(tmp_path, config: dict) -> str:
    discovered = run_tap("tap-impact-crm", tmp_path, config, args=("--discover",))
    catalog = json.loads(discovered.stdout)
    for stream in catalog["streams"]:
        for entry in stream["metadata"]:
            if entry["breadcrumb"] == []:
                entry["metadata"]["selected"] = stream["tap_stream_id"] == "leads"
    path = tmp_path / "leads-catalog.json"
    path.write_text(json.dumps(catalog))
    return str(path)


@latency
def test_the_tap_backs_off_on_a_429_and_reads_every_lead_once(sandbox, tmp_path):
    config = crm_config(sandbox, page_size=5, window_days=400, max_concurrency=MAX_CONCURRENCY)
    catalog = leads_only_catalog(tmp_path, config)
    sandbox.clear_requests()
    sandbox.queue_faults("&page=10&", [{"status": 429, "retry_after": RETRY_AFTER}])

    run = run_tap("tap-impact-crm", tmp_path, config, args=("--catalog", catalog))
    assert run.returncode == 0, run.stderr[-4000:]
    leads = [m["record"] for m in parse_messages(run.stdout) if m["type"] == "RECORD"]
    assert len(leads) == len(expected(sandbox, "leads"))
    assert by_key("leads", leads) == expected(sandbox, "leads")

    in_flight = InFlight(sandbox.requests)
    assert in_flight.before_the_429() == MAX_CONCURRENCY
    assert in_flight.peak(float("-inf"), float("inf")) <= MAX_CONCURRENCY
    assert in_flight.during_retry_after() <= MAX_CONCURRENCY // 2
    assert "HTTP 429: concurrency lowered from 8 to 4" in run.stderr


def test_a_503_with_retry_after_lowers_the_limit_and_a_plain_one_does_not(sandbox):
    client = ApiClient(max_concurrency=MAX_CONCURRENCY)
    login_url = f"{sandbox.impact_crm_url}/api/v1/auth/login"
    login = {
        "json": {"email": CREDENTIALS.email, "password": CREDENTIALS.password},
        "headers": {"X-Api-Key": CREDENTIALS.api_key, "X-DOMAIN": CREDENTIALS.x_domain},
    }
    sandbox.queue_faults("/auth/login", [{"status": 503}])
    client.request("POST", login_url, **login)
    assert (client.retry_count, client.limit_decreases, client.concurrency.limit) == (1, 0, 8)

    sandbox.queue_faults("/auth/login", [{"status": 503, "retry_after": 0}])
    client.request("POST", login_url, **login)
    assert (client.retry_count, client.limit_decreases, client.concurrency.limit) == (2, 1, 4)
    assert client.concurrency.in_flight == 0
    client.close()
