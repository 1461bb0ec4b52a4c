"""The target's direct record path: the one place a target touches the SDK's private members.

The SDK hands each RECORD message through its stream maps, a copy, JSON Schema validation and
date-time parsing before a sink sees it. A sink that checks records field by field itself
(`DirectSink`) takes the records of a stream whose stream map is the identity straight from
the message, with the same checks, counts and drains. BATCH messages are read record by record
through the same path, so everything a target guarantees for RECORD messages holds for them.
STATE and SCHEMA messages go through hooks the target fills in: `on_first_state`,
`write_state_when_settled`.

Every override or call of an SDK member whose name starts with `_` is in this module, listed
in `PRIVATE_SDK_MEMBERS`, and marked `@override` where it overrides, so a new SDK release that
renames one fails `tests/unit/test_sdk_boundary.py` with the member's name.
"""

from __future__ import annotations

import abc
import copy
from collections.abc import Iterable
from typing import Any

from singer_sdk import Sink, Target
from singer_sdk.mapper import SameRecordTransform
from singer_sdk.sinks import BatchSink
from typing_extensions import override

PRIVATE_SDK_MEMBERS: tuple[tuple[str, str], ...] = (
    ("singer_sdk.Target", "_process_record_message"),
    ("singer_sdk.Target", "_process_schema_message"),
    ("singer_sdk.Target", "_process_batch_message"),
    ("singer_sdk.Target", "_process_state_message"),
    ("singer_sdk.Target", "_write_state_message"),
    ("singer_sdk.Target", "_handle_max_record_age"),
    ("singer_sdk.Target instance", "_sinks_active"),
    ("singer_sdk.Target instance", "_sinks_to_clear"),
    ("singer_sdk.Target instance", "_latest_state"),
    ("singer_sdk.Sink", "_validate_and_parse"),
    ("singer_sdk.Sink", "_singer_validate_message"),
    ("singer_sdk.Sink", "_remove_sdc_metadata_from_record"),
    ("singer_sdk.Sink", "_get_context"),
    ("singer_sdk.Sink instance", "_key_properties"),
)
"""(owner, name) of each private SDK member used here: checked against the installed SDK."""

SDC_COLUMNS = frozenset(
    {
        "_sdc_extracted_at",
        "_sdc_received_at",
        "_sdc_batched_at",
        "_sdc_deleted_at",
        "_sdc_sequence",
        "_sdc_table_version",
        "_sdc_sync_started_at",
    }
)
COUNTED_EVERY = 1000
"""Records taken between two updates of the record counter metric."""


class DirectSink(BatchSink):
    """A sink that checks each record itself, so it can take records straight from messages."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._uncounted = 0

    @property
    @abc.abstractmethod
    def is_full(self) -> bool:
        """Whether the sink holds a full batch, to be drained."""

    def get_validator(self) -> None:
        """Records are checked field by field by the sink, instead of by JSON Schema."""
        return None

    @override
    def _validate_and_parse(self, record: dict[str, Any]) -> dict[str, Any]:
        """Leave the record as it came: the sink checks and converts the fields it uses.

        (The SDK's version would also parse every date-time field of the upstream schema,
        once per field per record, for fields the sink may not use.)
        """
        return record

    def take(self, record: dict[str, Any]) -> bool:
        """One record on the direct path: checked, tallied, processed; True when full.

        The same steps as the SDK's record path, with the record counter metric moved in
        steps of `COUNTED_EVERY` (and at each batch) rather than for every record.
        """
        if not SDC_COLUMNS.isdisjoint(record):
            self._remove_sdc_metadata_from_record(record)
        for key in self._key_properties:
            if key not in record:
                self._singer_validate_message(record)  # raises the SDK's own error
        self.tally_record_read()
        self.process_record(record, self._get_context(record))
        self._uncounted += 1
        if self._uncounted >= COUNTED_EVERY:
            self.count_records()
        return self.is_full

    def count_records(self) -> None:
        """Add the records taken since the last count to the record counter metric."""
        if self._uncounted:
            self.record_counter_metric.increment(self._uncounted)
            self._uncounted = 0


class DirectRecordTarget(Target, metaclass=abc.ABCMeta):
    """A target whose `DirectSink`s take records straight from RECORD and BATCH messages."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._direct_sinks: dict[Any, DirectSink | None] = {}
        self._records_seen = False
        self._first_state_seen = False
        super().__init__(*args, **kwargs)

    # Hooks

    @abc.abstractmethod
    def batch_message_records(self, message: dict[str, Any]) -> Iterable[dict[str, Any]]:
        """The records of a BATCH message's files, in order."""

    def on_first_state(self, state: Any, *, after_records: bool) -> None:
        """The first STATE message's value, and whether any record came before it."""

    def write_state_when_settled(self, state: dict[str, Any]) -> None:
        """A STATE the SDK would write now; by default it is written now."""
        self.write_state_now(state)

    def write_state_now(self, state: dict[str, Any]) -> None:
        """Write a STATE message, as the SDK does."""
        Target._write_state_message(self, state)

    def latest_state(self) -> dict[str, Any] | None:
        """A copy of the latest STATE received, if any."""
        return copy.deepcopy(self._latest_state) if self._latest_state is not None else None

    def sinks_holding_records(self, besides: Sink) -> bool:
        """Whether a sink other than `besides` holds records not yet drained."""
        sinks = [*self._sinks_active.values(), *self._sinks_to_clear]
        return any(sink.current_size for sink in sinks if sink is not besides)

    # The SDK's message handling, overridden

    @override
    def _process_record_message(self, message_dict: dict[str, Any]) -> None:
        """The SDK's record handling, without its per-record copies when nothing maps records."""
        self._records_seen = True
        sink = self._direct_sink(message_dict.get("stream"))
        record = message_dict.get("record")
        if sink is None or type(record) is not dict:
            super()._process_record_message(message_dict)
            return
        if sink.take(record):
            self.logger.info(
                "Target sink for '%s' is full. Current size is '%s'. Draining...",
                sink.stream_name,
                sink.current_size,
            )
            self.drain_one(sink)
        self._handle_max_record_age()

    @override
    def _process_batch_message(self, message_dict: dict[str, Any]) -> None:
        """The records of a BATCH message's files, each as if it came in a RECORD message.

        So stream maps, checks, counts and the STATE rule apply to them as they do to RECORD
        messages. (The SDK's own handling hands whole files to a sink's `process_batch`, past
        all of these.)
        """
        stream = message_dict.get("stream")
        for record in self.batch_message_records(message_dict):
            self._process_record_message({"type": "RECORD", "stream": stream, "record": record})

    @override
    def _process_schema_message(self, message_dict: dict[str, Any]) -> None:
        self._direct_sinks.clear()
        super()._process_schema_message(message_dict)

    @override
    def _process_state_message(self, message_dict: dict[str, Any]) -> None:
        if not self._first_state_seen:
            self._first_state_seen = True
            self.on_first_state(message_dict.get("value"), after_records=self._records_seen)
        super()._process_state_message(message_dict)

    @override
    def _write_state_message(self, state: dict[str, Any]) -> None:
        self.write_state_when_settled(state)

    def _direct_sink(self, stream_name: Any) -> DirectSink | None:
        """The stream's sink when its records reach it as they are (worked out once per SCHEMA)."""
        if stream_name in self._direct_sinks:
            return self._direct_sinks[stream_name]
        stream_maps = self.mapper.stream_maps.get(stream_name) or []
        sink = None
        if len(stream_maps) == 1:
            stream_map = stream_maps[0]
            candidate = self._sinks_active.get(stream_map.stream_alias)
            if (
                type(stream_map) is SameRecordTransform
                and not stream_map.flattening_enabled
                and stream_map.stream_alias == stream_name
                and isinstance(candidate, DirectSink)
                and not candidate.include_sdc_metadata_properties
                and type(candidate).preprocess_record is Sink.preprocess_record
            ):
                sink = candidate
        self._direct_sinks[stream_name] = sink
        return sink
