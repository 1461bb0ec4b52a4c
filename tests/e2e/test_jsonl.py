"""`meltano run tap-impact-crm target-jsonl` against the sandbox: each file holds its stream."""

from __future__ import annotations

import json

import pytest

from tests.e2e.meltano_runner import meltano_run
from tests.impact_crm.expectations import KEYS, by_key, expected

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("sandbox", [{"scale": 400}], indirect=True)
def test_each_stream_file_holds_every_record_unchanged(sandbox, tmp_path):
    out = tmp_path / "jsonl"
    meltano_run(
        sandbox,
        tmp_path,
        "tap-impact-crm",
        "target-jsonl",
        env={"TARGET_JSONL_DESTINATION_PATH": str(out)},
    )
    assert {p.name.split("-")[0] for p in out.iterdir()} == set(KEYS)
    for stream in KEYS:
        files = sorted(out.glob(f"{stream}-*.jsonl"))
        assert len(files) == 1, f"{stream}: one run, one file: {files}"
        lines = files[0].read_text().splitlines()
        want = expected(sandbox, stream)
        assert len(lines) == len(want), f"{stream}: {len(lines)} lines of {len(want)} records"
        assert by_key(stream, [json.loads(line) for line in lines]) == want, stream
