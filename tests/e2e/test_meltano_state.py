"""Incremental runs and resuming through Meltano's own state, in a file state backend."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from pathlib import Path

import duckdb
import pytest

from tests.e2e.meltano_runner import BIN, REPO, meltano_env, meltano_run
from tests.impact_crm.expectations import expected

pytestmark = pytest.mark.slow


def state_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()]


@pytest.mark.parametrize("sandbox", [{"scale": 300}], indirect=True)
def test_a_file_state_backend_lets_another_worker_continue(sandbox, tmp_path):
    backend = tmp_path / "shared-state"
    shared = {"MELTANO_STATE_BACKEND_URI": backend.as_uri()}
    first_worker = tmp_path / "worker-1"
    first_worker.mkdir()
    meltano_run(sandbox, first_worker, "tap-trackfinity", "target-duckdb", env=shared)
    files = state_files(backend)
    assert files, "no state was written to the file backend"
    stored = json.loads(files[0].read_text())
    assert "profit_loss" in json.dumps(stored)

    sandbox.clear_requests()
    second_worker = tmp_path / "worker-2"  # another system database, the same state backend
    second_worker.mkdir()
    meltano_run(sandbox, second_worker, "tap-trackfinity", "target-duckdb", env=shared)
    starts = [
        r["query"]["params[start]"] for r in sandbox.requests if r["path"].endswith("/profitloss")
    ]
    assert starts
    assert min(starts) > "2025-11-01", "the second worker read from the start again"


@pytest.mark.parametrize("sandbox", [{"scale": 1500, "latency_ms": 100}], indirect=True)
def test_a_killed_meltano_run_resumes_and_loses_nothing(sandbox, tmp_path):
    env = meltano_env(
        sandbox,
        tmp_path,
        {
            "TAP_IMPACT_CRM_WINDOW_DAYS": "20",
            "TAP_IMPACT_CRM_PAGE_SIZE": "50",
            "TAP_IMPACT_CRM_MAX_CONCURRENCY": "1",
            "TARGET_DUCKDB_BATCH_SIZE_ROWS": "300",
        },
    )
    command = [str(BIN / "meltano"), "--environment", "sandbox", "run"]
    command += ["tap-impact-crm", "target-duckdb"]
    process = subprocess.Popen(
        command,
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=(tmp_path / "killed-run.log").open("w"),
        start_new_session=True,
    )
    state_id = "sandbox:tap-impact-crm-to-target-duckdb"
    deadline = time.monotonic() + 240
    saved = ""
    while time.monotonic() < deadline and process.poll() is None:
        time.sleep(1)
        saved = subprocess.run(
            [str(BIN / "meltano"), "--environment", "sandbox", "state", "get", state_id],
            cwd=REPO,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        ).stdout
        if '"replication_key_value"' in saved:  # Meltano saved a bookmark mid-run
            os.killpg(process.pid, signal.SIGKILL)
            break
    process.wait(timeout=60)
    log = (tmp_path / "killed-run.log").read_text()
    assert process.returncode == -signal.SIGKILL, f"the run ended before the kill:\n{log[-3000:]}"

    # The killed run is still marked running; --force runs anyway, as after a crashed worker.
    again = [*command, "--force"]
    done = subprocess.run(again, cwd=REPO, env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    with duckdb.connect(str(tmp_path / "warehouse.duckdb"), read_only=True) as db:
        tables = (
            ("leads", "leadid"),
            ("registrations", "userid"),
            ("transactions", "transactionid"),
        )
        for stream, key in tables:
            query = f"select {key} from tap_impact_crm.{stream}"
            landed = {row[0] for row in db.execute(query).fetchall()}
            assert landed == {k[-1] for k in expected(sandbox, stream)}, stream
            rows = db.execute(f"select count(*) from tap_impact_crm.{stream}").fetchone()[0]
            assert rows == len(landed), f"{stream}: duplicated rows"
