"""The taps in the SDK's batch mode: records in files, STATE never ahead of its BATCH message.

A STATE message tells the next run where to start, so it may only cover records whose batch
file has been announced before it. Killed right after any STATE, a run resumed from that STATE
must leave no record out.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlparse

import pytest
from api_sandbox import Sandbox

from tests.impact_crm.helpers import crm_config
from tests.tap_runner import TapRun, kill_after_states, run_tap
from tests.trackfinity.helpers import trackfinity_config
from tests.tracksale.helpers import TEST_LOCK_REQUESTS, tracksale_config

TAPS: dict[str, Callable[..., dict]] = {
    "tap-impact-crm": crm_config,
    "tap-tracksale": tracksale_config,
    "tap-trackfinity": trackfinity_config,
}


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    options = {"seed": 7, "scale": 150, "tracksale_lock_requests": TEST_LOCK_REQUESTS}
    with Sandbox(**options).start() as running:
        yield running


def batch_config(root: Path, batch_size: int) -> dict:
    return {
        "encoding": {"format": "jsonl", "compression": "gzip"},
        "storage": {"root": root.as_uri(), "prefix": "part-"},
        "batch_size": batch_size,
    }


def batch_records(run: TapRun) -> dict[str, list[dict]]:
    """The records of every batch file the run announced, by stream."""
    out: dict[str, list[dict]] = {}
    for message in run.messages:
        if message["type"] != "BATCH":
            continue
        assert message["encoding"] == {"format": "jsonl", "compression": "gzip"}
        for url in message["manifest"]:
            with gzip.open(urlparse(url).path, "rt") as lines:
                out.setdefault(message["stream"], []).extend(json.loads(line) for line in lines)
    return out


def keyed(run: TapRun, records: dict[str, list[dict]]) -> dict[str, set[str]]:
    """Each stream's records by primary key (the whole record where a stream has none)."""
    keys = {
        m["stream"]: m.get("key_properties") or [] for m in run.messages if m["type"] == "SCHEMA"
    }
    return {
        stream: {
            json.dumps([r[k] for k in keys[stream]] if keys[stream] else r, sort_keys=True)
            for r in rows
        }
        for stream, rows in records.items()
    }


def config_for(tap: str, sandbox: Sandbox, **overrides: object) -> dict:
    return TAPS[tap](sandbox, window_days=40, **overrides)


@pytest.mark.parametrize("tap", TAPS)
def test_batch_files_hold_what_record_messages_would(tap, sandbox, tmp_path):
    plain = run_tap(tap, tmp_path, config_for(tap, sandbox)).check()
    config = config_for(tap, sandbox, batch_config=batch_config(tmp_path / "files", 500))
    batched = run_tap(tap, tmp_path, config).check()
    assert not any(m["type"] == "RECORD" for m in batched.messages)
    in_files = batch_records(batched)
    assert set(in_files) == set(plain.records)
    for stream, records in plain.records.items():
        expected = sorted(json.dumps(r, sort_keys=True) for r in records)
        assert sorted(json.dumps(r, sort_keys=True) for r in in_files[stream]) == expected, stream
    assert batched.final_state["bookmarks"] == plain.final_state["bookmarks"]


@pytest.mark.parametrize("tap", TAPS)
def test_every_state_follows_the_batch_of_its_records(tap, sandbox, tmp_path):
    """Killed right after its third STATE and resumed from it, the run loses no record."""
    everything = run_tap(tap, tmp_path, config_for(tap, sandbox)).check()
    config = config_for(tap, sandbox, batch_config=batch_config(tmp_path / "files", 100))
    killed = kill_after_states(tap, tmp_path, config, states=3)
    assert killed.final_state.get("bookmarks"), "killed before any bookmark"
    resumed = run_tap(tap, tmp_path, config, state=killed.final_state).check()

    got = keyed(everything, batch_records(killed))
    for stream, keys in keyed(everything, batch_records(resumed)).items():
        got.setdefault(stream, set()).update(keys)
    for stream, keys in keyed(everything, everything.records).items():
        missing = keys - got.get(stream, set())
        assert not missing, f"{tap} {stream}: {len(missing)} record(s) lost, e.g. {min(missing)}"


def test_a_stream_mapped_into_two_streams_stops_batch_mode_with_a_reason(sandbox, tmp_path):
    config = config_for(
        "tap-impact-crm",
        sandbox,
        batch_config=batch_config(tmp_path / "files", 100),
        stream_maps={"leads_again": {"__source__": "leads"}},
    )
    run = run_tap("tap-impact-crm", tmp_path, config)
    assert run.returncode != 0
    assert "Batch mode cannot write stream 'leads'" in run.stderr
    assert "leads, leads_again" in run.stderr
