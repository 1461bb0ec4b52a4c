"""A ledger that outlives the runner: target-tracksale runs sharing one PostgreSQL ledger.

Each run is a separate process in its own working directory, sharing no file with the other
(as two machines would), on the PostgreSQL server the other end-to-end tests use.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from collections import Counter
from pathlib import Path

import psycopg
import pytest
from api_sandbox import Sandbox
from api_sandbox.tracksale.auth import API_TOKEN

from tests.e2e.meltano_runner import BIN, REPO, meltano_env
from tests.e2e.postgres_server import PostgresServer
from tests.tracksale_target.helpers import (
    DOMAIN,
    STREAM,
    campaign_code,
    customers,
    messages,
    posts,
    received_emails,
)
from tests.tracksale_target.target_runner import TARGET, singer_input

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("postgres")]
PASSWORD = "ledger-pw-5ecret"
"""The server trusts loopback, so any password connects: it is here to be kept out of logs."""


@pytest.fixture
def ledger_url(postgres: PostgresServer, request: pytest.FixtureRequest) -> str:
    database = postgres.new_database(f"ledger_{request.node.name[:40].lower()}")
    return database.url.replace(f"{database.user}@", f"{database.user}:{PASSWORD}@")


def machine(tmp_path: Path, name: str) -> Path:
    """A working directory of its own: the target's files go under its `.output/`."""
    workdir = tmp_path / name
    workdir.mkdir()
    return workdir


def start_target(workdir: Path, config: dict, input_messages: list[dict]) -> subprocess.Popen:
    (workdir / "config.json").write_text(json.dumps(config))
    process = subprocess.Popen(
        [TARGET, "--config", "config.json"],
        cwd=workdir,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdin is not None
    process.stdin.write(singer_input(input_messages))
    process.stdin.flush()
    return process


def finish(process: subprocess.Popen, timeout: float = 120) -> tuple[str, str]:
    stdout, stderr = process.communicate(timeout=timeout)
    assert process.returncode == 0, f"target failed ({process.returncode}):\n{stderr[-4000:]}"
    return stdout, stderr


def summary_of(workdir: Path) -> dict:
    return json.loads((workdir / ".output" / "target-tracksale" / "summary.json").read_text())


def counts_of(workdir: Path) -> dict:
    [row] = [row for row in summary_of(workdir)["streams"] if row["stream"] == STREAM]
    return row


def config_for(sandbox: Sandbox, ledger_url: str, **overrides: object) -> dict:
    return {
        "api_url": sandbox.tracksale_url,
        "api_token": API_TOKEN,
        "stream_actions": {STREAM: {"action": "dispatch", "campaign_code": campaign_code(sandbox)}},
        "ledger_url": ledger_url,
        **overrides,
    }


def dispatched(sandbox: Sandbox) -> Counter[str]:
    """How often each test customer's e-mail went out in a dispatch request, accepted or not."""
    return Counter(
        str(customer["email"])
        for write in posts(sandbox, "/dispatch")
        for customer in write["body"].get("customers", [])
        if str(customer.get("email", "")).endswith(DOMAIN)
    )


def ledger_table(url: str, table: str) -> list[tuple]:
    with psycopg.connect(url) as db:
        return db.execute(f"SELECT * FROM target_tracksale.{table}").fetchall()


@pytest.mark.parametrize("sandbox", [{"latency_ms": 15}], indirect=True)
def test_two_machines_running_the_same_job_at_once_survey_each_customer_once(
    sandbox, tmp_path, ledger_url
):
    people = customers(600)
    config = config_for(sandbox, ledger_url, batch_size=20, max_concurrency=4)
    one, other = machine(tmp_path, "one"), machine(tmp_path, "other")
    # The same customers, in opposite orders: the runs meet in the middle, both sending.
    first = start_target(one, config, messages(people, state_every=50))
    second = start_target(other, config, messages(people[::-1], state_every=50))
    outputs = [finish(first), finish(second)]

    assert dispatched(sandbox) == {c["email"]: 1 for c in people}
    assert received_emails(sandbox) == {c["email"]: 1 for c in people}
    counts = [counts_of(one), counts_of(other)]
    assert counts[0]["sent"] > 0, counts
    assert counts[1]["sent"] > 0, counts
    assert counts[0]["sent"] + counts[1]["sent"] == 600
    for row in counts:
        assert row["sent"] + row["already_sent"] == 600
        assert row["duplicated"] == row["ambiguous"] == row["invalid"] == 0
    assert not (one / ".output" / "target-tracksale" / "rejects.jsonl").exists()
    assert ledger_table(ledger_url, "claims") == []
    assert len(ledger_table(ledger_url, "deliveries")) == 600
    for workdir, (stdout, stderr) in zip((one, other), outputs, strict=True):
        last = [json.loads(line) for line in stdout.splitlines()][-1]
        assert last == {"done": 600}
        summary = (workdir / ".output" / "target-tracksale" / "summary.json").read_text()
        for text in (stdout, stderr, summary):
            assert PASSWORD not in text
        assert ":***@" in summary_of(workdir)["files"]["ledger"]


@pytest.mark.parametrize("sandbox", [{"latency_ms": 150}], indirect=True)
def test_a_run_that_goes_silent_mid_request_is_taken_over_after_its_lease(
    sandbox, tmp_path, ledger_url
):
    """The first machine freezes with requests out; the second waits out the lease, then
    sends what was claimed again, and Tracksale's duplicate check settles it."""
    people = customers(300)
    config = config_for(sandbox, ledger_url, batch_size=25, max_concurrency=2)
    frozen = start_target(machine(tmp_path, "one"), {**config, "ledger_lease_seconds": 2}, [])
    frozen.stdin.write(singer_input(messages(people, state_every=50)))
    frozen.stdin.flush()
    deadline = time.monotonic() + 60
    while len(posts(sandbox, "/dispatch")) < 3:
        assert frozen.poll() is None, frozen.stderr.read() if frozen.stderr else ""
        assert time.monotonic() < deadline, "the first run never sent"
        time.sleep(0.005)
    os.kill(frozen.pid, signal.SIGSTOP)
    try:
        claims = ledger_table(config["ledger_url"], "claims")
        assert claims, "the frozen run holds no claim: the test did not freeze it mid-request"
        other = machine(tmp_path, "other")
        started = time.monotonic()
        finish(start_target(other, {**config, "ledger_lease_seconds": 2}, messages(people)))
        waited = time.monotonic() - started
    finally:
        os.kill(frozen.pid, signal.SIGKILL)
        os.kill(frozen.pid, signal.SIGCONT)
        frozen.communicate(timeout=30)

    assert received_emails(sandbox) == {c["email"]: 1 for c in people}
    counts = counts_of(other)
    assert counts["sent"] + counts["already_sent"] == 300
    assert counts["duplicated"] == counts["ambiguous"] == 0
    assert not (other / ".output" / "target-tracksale" / "rejects.jsonl").exists()
    assert waited >= 2, "the frozen run's claims were taken before its lease ran out"
    assert ledger_table(config["ledger_url"], "claims") == []


def test_an_empty_ledger_under_a_tap_that_ran_before_is_a_loud_warning(
    sandbox, tmp_path, ledger_url
):
    config = config_for(sandbox, ledger_url)
    resumed = [
        {"type": "STATE", "value": {"bookmarks": {STREAM: {"replication_key_value": "2026"}}}},
        *messages(customers(3)),
    ]
    workdir = machine(tmp_path, "container")
    _, stderr = finish(start_target(workdir, config, resumed))
    assert "is empty, but the incoming STATE shows earlier runs (bookmarks of customers)" in (
        stderr
    )
    assert "postgresql://postgres:***@" in stderr
    assert PASSWORD not in stderr
    assert len(summary_of(workdir)["warnings"]) == 1

    _, stderr = finish(start_target(machine(tmp_path, "next"), config, resumed))
    assert "is empty" not in stderr
    assert summary_of(tmp_path / "next")["warnings"] == []


@pytest.mark.parametrize("sandbox", [{"scale": 600, "latency_ms": 5}], indirect=True)
def test_the_nps_job_on_two_runners_at_once_surveys_each_new_customer_once(
    sandbox, tmp_path, ledger_url
):
    """`meltano run nps-surveys` on two runners with their own state and files, one ledger."""
    runs = []
    for name in ("runner-a", "runner-b"):
        workdir = machine(tmp_path, name)
        env = meltano_env(
            sandbox,
            workdir,
            {
                "TARGET_TRACKSALE_API_URL": sandbox.tracksale_url,
                "TARGET_TRACKSALE_LEDGER_URL": ledger_url,
                "TARGET_TRACKSALE_REJECTS_PATH": str(workdir / "rejects.jsonl"),
                "TARGET_TRACKSALE_SUMMARY_PATH": str(workdir / "summary.json"),
                "TARGET_TRACKSALE_SURVEY_LINKS_PATH": str(workdir / "links.jsonl"),
            },
        )
        command = [str(BIN / "meltano"), "--environment", "sandbox", "run", "nps-surveys"]
        runs.append(
            (
                workdir,
                subprocess.Popen(
                    command, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
                ),
            )
        )
    for _, process in runs:
        _, stderr = process.communicate(timeout=600)
        assert process.returncode == 0, stderr.decode()[-4000:]

    registrations = {str(r["userId"]) for r in sandbox.impact_crm.records("registrations")}
    sent = Counter(
        str(customer["identification"])
        for write in posts(sandbox, "/dispatch")
        for customer in write["body"].get("customers", [])
    )
    assert set(sent) == registrations
    assert max(sent.values()) == 1, "a customer went out in two dispatch requests"
    summaries = [json.loads((workdir / "summary.json").read_text()) for workdir, _ in runs]
    rows = [row for summary in summaries for row in summary["streams"]]
    assert sum(row["sent"] for row in rows) == len(registrations)
    assert sum(row["duplicated"] + row["ambiguous"] for row in rows) == 0
    for row in rows:
        assert row["sent"] + row["already_sent"] == len(registrations)
    assert ledger_table(ledger_url, "claims") == []
