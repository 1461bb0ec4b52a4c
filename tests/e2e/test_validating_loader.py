"""Each tap into target-jsonl, a loader that validates every record against its SCHEMA,
against a sandbox that drifts from the contract at every depth.

The sandbox serves numbers as text and times without a zone (nested ones too), fields nobody
declared, and Tracksale's reports in the types its documents show (codes and flags as text,
question scores as numbers). target-jsonl stops at the first record that does not validate;
each record written is then checked again here, against the tap's schema with Draft 7 and
its formats, and the drift is seen conformed in the files.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from tests.e2e.meltano_runner import meltano_run
from tests.offline_taps import TAPS, offline_tap

pytestmark = pytest.mark.slow

QUIRKS = "string-numbers,naive-timestamps,extra-fields,tracksale-documented-types"


def stream_schemas(tap: str) -> dict[str, dict[str, Any]]:
    """Each stream's schema, as its SCHEMA message carries it."""
    return {name: stream.schema for name, stream in offline_tap(tap).streams.items()}


def written_records(folder: Path) -> dict[str, list[dict[str, Any]]]:
    records: dict[str, list[dict[str, Any]]] = {}
    for path in folder.glob("*.jsonl"):
        stream = path.name.split("-")[0]
        lines = path.read_text().splitlines()
        records.setdefault(stream, []).extend(json.loads(line) for line in lines)
    return records


@pytest.mark.parametrize("sandbox", [{"scale": 150, "quirks": QUIRKS}], indirect=True)
@pytest.mark.parametrize("tap", list(TAPS))
def test_every_record_validates_against_its_schema(sandbox, tmp_path, tap):
    out = tmp_path / "jsonl"
    meltano_run(
        sandbox, tmp_path, tap, "target-jsonl", env={"TARGET_JSONL_DESTINATION_PATH": str(out)}
    )
    records = written_records(out)
    schemas = stream_schemas(tap)
    assert records, f"{tap} wrote no records"
    invalid = []
    for stream, rows in records.items():
        validator = jsonschema.Draft7Validator(
            schemas[stream], format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER
        )
        invalid += [
            f"{stream}: {error.json_path}: {error.message}"
            for row in rows
            for error in validator.iter_errors(row)
        ]
    assert not invalid, invalid[:10]
    if tap == "tap-tracksale":
        check_tracksale_documented_types(records)
    else:  # Tracksale's emulator has no extra-fields quirk
        extras = [row.get("_extra_fields") or {} for rows in records.values() for row in rows]
        assert any("riskScore" in e for e in extras), "no field the quirk added was kept"


def check_tracksale_documented_types(records: dict[str, list[dict[str, Any]]]) -> None:
    """The codes and flags served as text, and the scores served as numbers, went out typed."""
    dispatches = records["dispatches"]
    assert dispatches
    assert all(type(d["campaign"]["code"]) is int for d in dispatches)
    assert all(type(d["campaign_code"]) is int for d in dispatches)
    flags = {c["has_answered"] for d in dispatches for c in d["customers"]}
    assert flags == {True, False}, flags
    answers = records["answers"]
    assert all(type(a["campaign_code"]) is int for a in answers)
    scores = [
        item["answer"]
        for a in answers
        for kind in ("review", "nps_secondary", "csat")
        for item in a.get(kind) or []
        if item.get("answer") is not None
    ]
    assert scores, "no scored question answer was served"
    assert all(type(score) is int for score in scores), scores[:5]
