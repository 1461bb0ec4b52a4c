"""BATCH messages: the records of a tap's batch files are delivered like RECORD messages."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from tests.tracksale_target.helpers import (
    STREAM,
    customer,
    customers,
    posts,
    received_emails,
    target_config,
)
from tests.tracksale_target.target_runner import ledger_rows, schema

GZIP = {"format": "jsonl", "compression": "gzip"}
PLAIN = {"format": "jsonl", "compression": "none"}


def batch_file(path: Path, records: list[dict], *, compressed: bool) -> str:
    """Write `records` as the SDK's batcher does (one JSON object per line); its file URL."""
    text = "".join(json.dumps(record) + "\n" for record in records).encode()
    path.write_bytes(gzip.compress(text) if compressed else text)
    return path.as_uri()


def batch(manifest: list[str], encoding: dict = GZIP, stream: str = STREAM) -> dict:
    return {"type": "BATCH", "stream": stream, "encoding": encoding, "manifest": manifest}


def batch_messages(tmp_path: Path, parts: list[list[dict]], *, compressed: bool) -> list[dict]:
    """SCHEMA, then per part a BATCH message of one file and a STATE {"done": n}."""
    out = [schema(STREAM, ("name", "email", "phone", "identification", "tags"))]
    done = 0
    for number, part in enumerate(parts):
        suffix = ".json.gz" if compressed else ".json"
        url = batch_file(tmp_path / f"part-{number}{suffix}", part, compressed=compressed)
        out.append(batch([url], GZIP if compressed else PLAIN))
        done += len(part)
        out.append({"type": "STATE", "value": {"done": done}})
    return out


@pytest.mark.parametrize("compressed", [True, False], ids=["gzip", "plain"])
def test_records_of_batch_files_are_surveyed_once_across_runs(sandbox, tmp_path, run, compressed):
    config = target_config(sandbox, tmp_path, batch_size=50, max_concurrency=2)
    everyone = customers(230)
    parts = [everyone[:100], everyone[100:230]]
    first = run(config, batch_messages(tmp_path, parts, compressed=compressed)).check()
    assert received_emails(sandbox) == {c["email"]: 1 for c in everyone}
    counts = first.counts(STREAM)
    assert (counts["sent"], counts["already_sent"], counts["rejected"]) == (230, 0, 0)
    assert first.states[-1] == {"done": 230}
    assert len(ledger_rows(config)) == 230

    requests_before = len(posts(sandbox, "/dispatch"))
    again = run(config, batch_messages(tmp_path, parts, compressed=compressed)).check()
    assert received_emails(sandbox) == {c["email"]: 1 for c in everyone}
    assert len(posts(sandbox, "/dispatch")) == requests_before
    assert (again.counts(STREAM)["sent"], again.counts(STREAM)["already_sent"]) == (0, 230)


def test_bad_records_of_a_batch_file_are_rejected_and_kept(sandbox, tmp_path, run):
    config = target_config(sandbox, tmp_path)
    good = customers(20)
    bad = [{"name": "No way to reach", "tags": {}} for _ in range(3)]
    parts = [[*good[:10], *bad, *good[10:]]]
    result = run(config, batch_messages(tmp_path, parts, compressed=True)).check()
    counts = result.counts(STREAM)
    assert (counts["sent"], counts["rejected"]) == (20, 3)
    assert [r["record"]["name"] for r in result.rejects] == ["No way to reach"] * 3
    assert received_emails(sandbox) == {c["email"]: 1 for c in good}


def test_a_missing_batch_file_stops_the_run_and_passes_no_state_on(sandbox, tmp_path, run):
    config = target_config(sandbox, tmp_path)
    here = batch_file(tmp_path / "here.json.gz", customers(5), compressed=True)
    gone = (tmp_path / "gone.json.gz").as_uri()
    input_messages = [
        schema(STREAM, ("name", "email")),
        batch([here]),
        {"type": "STATE", "value": {"done": 5}},
        batch([gone]),
        {"type": "STATE", "value": {"done": 10}},
    ]
    result = run(config, input_messages)
    assert result.returncode != 0
    assert "gone.json.gz" in result.stderr
    assert "Could not read the batch file" in result.stderr
    assert {"done": 10} not in result.states


@pytest.mark.parametrize(
    ("encoding", "words"),
    [
        ({"format": "parquet", "compression": "gzip"}, "reads JSON Lines files"),
        ({"format": "jsonl", "compression": "zstd"}, "reads JSON Lines files"),
    ],
)
def test_an_encoding_the_target_does_not_read_is_an_error(sandbox, tmp_path, run, encoding, words):
    config = target_config(sandbox, tmp_path)
    url = batch_file(tmp_path / "part.json.gz", customers(3), compressed=True)
    result = run(
        config,
        [schema(STREAM, ("name", "email")), batch([url], encoding), {"type": "STATE", "value": {}}],
    )
    assert result.returncode != 0
    assert words in result.stderr
    assert received_emails(sandbox) == {}


def test_a_line_that_is_not_a_record_names_the_file_and_line(sandbox, tmp_path, run):
    config = target_config(sandbox, tmp_path)
    path = tmp_path / "part.json"
    path.write_text(json.dumps(customer(1)) + "\n[1, 2]\n")
    result = run(config, [schema(STREAM, ("name", "email")), batch([path.as_uri()], PLAIN)])
    assert result.returncode != 0
    assert "Line 2 of the batch file" in result.stderr
