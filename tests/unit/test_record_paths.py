"""Every record a tap writes matches the SCHEMA it is sent under, at every depth, and keeps
every value it was given (a property test per stream, on both record paths).

Records drawn from each stream's own schema (see `schema_values`) are handed to the stream
where its reading ends (`record_batches`, `get_records`), and the stream syncs them as in a
run: its `post_process`, the record conformer, then either the fast page path (records go
out as they are) or the SDK's path (here through a stream map, which turns the fast path
off). Each RECORD is validated against the stream's SCHEMA message (jsonschema Draft 7,
formats checked) and compared with what it was made from.
"""

from __future__ import annotations

import copy
import io
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.offline_taps import TAPS, offline_tap
from tests.unit.schema_values import lost_values, raw_records

CONTEXTS = {"draft_lots": {"campaign_code": 1}, "positions": {"serverTag": "mt4"}}
"""Child streams sync for one parent's context."""
MADE_BY_THE_TAP = {
    "answers": frozenset({"justifications"}),  # served in another form (test_justifications)
    "registrations": frozenset({"tradingAccounts"}),  # read from userAdditionalId
    "payout_preview": frozenset({"answer"}),  # the answer as served, wrapped when no object
}
"""Fields the API does not serve in the schema's form, so they are not drawn."""
STREAMS = [(tap, stream) for tap in TAPS for stream in offline_tap(tap).streams]
PATHS = ("page path", "sdk path")
"""Records going out as they are (the fast path), or through a stream map (the SDK's path)."""


class StreamRun:
    """One stream of a tap built once, synced again for each list of records it is handed."""

    def __init__(self, tap: str, stream_name: str, path: str, **overrides: Any) -> None:
        if path == "sdk path":
            overrides["stream_maps"] = {stream_name: {}}
        self.tap = offline_tap(tap, **overrides)
        self.stream = self.tap.streams[stream_name]
        self.stream.child_streams = []  # a child stream would read its API for each record
        self.records: list[dict[str, Any]] = []
        self.stream.record_batches = lambda context: iter([self.records])  # type: ignore[method-assign]
        self.stream.get_records = lambda context: iter(self.records)  # type: ignore[method-assign]
        self.context = CONTEXTS.get(stream_name)

    def sync(self, records: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """The messages the stream writes for `records` (SCHEMA, RECORDs, STATE)."""
        self.records = records
        with captured_stdout() as out:
            self.stream.sync(self.context)
            self.tap.message_writer.flush()
            written = out.getvalue()
        return [json.loads(line) for line in written.splitlines() if line.strip()]


@contextmanager
def captured_stdout() -> Iterator[io.BytesIO]:
    raw = io.BytesIO()
    saved = sys.stdout
    sys.stdout = io.TextIOWrapper(raw, encoding="utf-8", write_through=True)
    try:
        yield raw
    finally:
        sys.stdout.flush()
        sys.stdout = saved


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize(("tap", "stream_name"), STREAMS)
def test_records_fit_their_schema_and_keep_every_value(tap, stream_name, path):
    run = StreamRun(tap, stream_name, path)
    schema = run.stream.schema
    records = st.lists(
        raw_records(schema, not_served=MADE_BY_THE_TAP.get(stream_name, frozenset())),
        min_size=1,
        max_size=4,
    )

    @settings(
        max_examples=100,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(records)
    def check(raw: list[dict[str, Any]]) -> None:
        messages = run.sync(copy.deepcopy(raw))
        schemas = [m["schema"] for m in messages if m["type"] == "SCHEMA"]
        emitted = [m["record"] for m in messages if m["type"] == "RECORD"]
        assert len(schemas) == 1, [m["type"] for m in messages]
        assert len(emitted) == len(raw)
        validator = jsonschema.Draft7Validator(
            schemas[0], format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER
        )
        for given_record, record in zip(raw, emitted, strict=True):
            errors = [
                f"{'.'.join(map(str, e.absolute_path)) or '(record)'}: {e.message}"
                for e in validator.iter_errors(record)
            ]
            assert not errors, f"{stream_name} ({path}) wrote an invalid record: {errors}"
            lost = lost_values(schemas[0], given_record, record)
            assert not lost, f"{stream_name} ({path}) lost values: {lost}"

    check()


@pytest.mark.parametrize("depth", [1, 3])
def test_extra_fields_are_one_json_text_column_when_flattened(depth):
    run = StreamRun(
        "tap-tracksale",
        "dispatches",
        "page path",
        flattening_enabled=True,
        flattening_max_depth=depth,
    )
    raw = {
        "dispatch_code": "D1",
        "campaign": {"name": "NPS", "code": "52", "source": {"system": "legacy"}},
        "customers": [{"email": "a@b.test", "has_answered": "maybe"}],
        "riskScore": 3,
        "audit": {"source": "crm-sync"},
    }
    messages = run.sync([raw])
    schema = next(m["schema"] for m in messages if m["type"] == "SCHEMA")
    record = next(m["record"] for m in messages if m["type"] == "RECORD")
    assert schema["properties"]["_extra_fields"]["type"] == ["string", "null"]
    assert not [key for key in record if key.startswith("_extra_fields__")], record
    assert json.loads(record["_extra_fields"]) == {
        "riskScore": 3,
        "audit": {"source": "crm-sync"},
        "customers[0].has_answered": "maybe",
        "campaign.source": {"system": "legacy"},
    }
    assert record["campaign__code"] == 52
    assert set(record) <= set(schema["properties"]), set(record) - set(schema["properties"])
