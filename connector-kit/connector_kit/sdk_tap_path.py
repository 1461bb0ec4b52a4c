"""The taps' fast path: the one place a tap touches the Singer SDK's private members.

The SDK writes each record through a chain of per-record steps (selection walk, message
object, state increment). When a stream's records go out as they are (the identity stream
map, no flattening, every property selected, the project's buffered writer), this path
encodes each record straight into the output buffer, and a stream that reads its records in
batches (an API page) has each batch written, counted and bookmarked in one pass. Anywhere
else the SDK's own path runs.

Every override or call of an SDK member whose name starts with `_` is in this module, listed
in `PRIVATE_SDK_MEMBERS`, and marked `@override` where it overrides, so a new SDK release that
renames one fails `tests/unit/test_sdk_boundary.py` with the member's name rather than
misbehaving. Streams build on `FastPathStream` through its public hooks: `record_batches`,
`batch_conformer`, `note_records`, `emit_state`.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Generator, Iterable, Iterator, Mapping
from functools import cached_property
from typing import Any, cast

from singer_sdk import Stream
from singer_sdk.batch import Batcher
from singer_sdk.helpers._catalog import pop_deselected_record_properties
from singer_sdk.mapper import SameRecordTransform
from typing_extensions import override

from connector_kit.errors import ConnectorError
from connector_kit.output import BufferedSingerWriter

PRIVATE_SDK_MEMBERS: tuple[tuple[str, str], ...] = (
    ("singer_sdk.Stream", "_sync_records"),
    ("singer_sdk.Stream", "_write_record_message"),
    ("singer_sdk.Stream", "_process_record"),
    ("singer_sdk.Stream", "_increment_stream_state"),
    ("singer_sdk.Stream", "_write_state_message"),
    ("singer_sdk.Stream", "_write_starting_replication_value"),
    ("singer_sdk.Stream", "_get_state_partition_context"),
    ("singer_sdk.Stream", "_finalize_state"),
    ("singer_sdk.Stream instance", "_tap"),
    ("singer_sdk.Stream instance", "_stream_version"),
    ("singer_sdk.helpers._catalog", "pop_deselected_record_properties"),
)
"""(owner, name) of each private SDK member used here: checked against the installed SDK."""


class FastPathStream(Stream):
    """A stream that writes records the short way when they go out as they are."""

    _writes_messages = True
    """False while the SDK's batch mode reads the records into batch files: STATE then goes out
    only after the BATCH message that holds the records it covers (the SDK writes it there)."""
    _extracted_second = -1
    _extracted_text = ""

    # Public hooks

    @property
    def tap(self) -> Any:
        """The tap this stream belongs to (where the run's shared API client lives)."""
        return self._tap

    def record_batches(self, context: Mapping[str, Any] | None) -> Iterable[list[dict[str, Any]]]:
        """The stream's records in batches; streams that read pages override it."""
        for record in self.get_records(context):
            yield [record[0] if isinstance(record, tuple) else record]

    def batch_conformer(self) -> Callable[[dict[str, Any]], dict[str, Any]] | None:
        """One function doing all `post_process` does to a record, if there is one.

        With None, `post_process` runs per record, as the SDK runs it.
        """
        return None

    def note_records(
        self, records: list[dict[str, Any]], context: Mapping[str, Any] | None
    ) -> None:
        """Move the stream's state for a batch of written records (the SDK's way, per record)."""
        for record in records:
            Stream._increment_stream_state(self, record, context=context)

    def emit_state(self) -> None:
        """Write a STATE message now, unless the records go to batch files (see above)."""
        if self._writes_messages:
            self._write_state_message()

    @cached_property
    def records_go_out_as_they_are(self) -> bool:
        """No map, flattening or selection changes a record, and the buffered writer is on."""
        maps = self.stream_maps
        return (
            len(maps) == 1
            and type(maps[0]) is SameRecordTransform
            and not maps[0].flattening_enabled
            and maps[0].stream_alias == self.name
            and all(self.mask.values())
            and isinstance(getattr(self._tap, "message_writer", None), BufferedSingerWriter)
        )

    @cached_property
    def buffered_writer(self) -> BufferedSingerWriter:
        """The tap's writer, when `records_go_out_as_they_are` (which checks its class)."""
        return cast(BufferedSingerWriter, self._tap.message_writer)

    def time_extracted(self) -> str:
        """`time_extracted` of records written now (the clock read once per second)."""
        now = int(time.time())
        if now != self._extracted_second:
            self._extracted_second = now
            self._extracted_text = dt.datetime.fromtimestamp(now, dt.timezone.utc).isoformat()
        return self._extracted_text

    # The SDK's record path, overridden

    @override
    def _write_record_message(self, record: dict[str, Any]) -> None:
        if not self.records_go_out_as_they_are:
            super()._write_record_message(record)
            return
        self.buffered_writer.write_record(
            self.name, record, self.time_extracted(), self._stream_version
        )
        self.state_manager.is_flushed = False

    @override
    def _process_record(
        self,
        record: dict[str, Any],
        child_context: Mapping[str, Any] | None = None,
        partition_context: Mapping[str, Any] | None = None,
    ) -> None:
        """Only streams with children or partitions need the SDK's per-record processing."""
        if self.child_streams or partition_context:
            super()._process_record(record, child_context, partition_context)

    @override
    def _increment_stream_state(
        self, latest_record: dict[str, Any], *, context: Mapping[str, Any] | None = None
    ) -> None:
        self.note_records([latest_record], context)

    @override
    def _sync_records(
        self, context: Mapping[str, Any] | None = None, *, write_messages: bool = True
    ) -> Generator[dict[str, Any], Any, Any]:
        self._writes_messages = write_messages
        batched = type(self).record_batches is not FastPathStream.record_batches
        if not (
            batched
            and write_messages
            and self.selected
            and not self.child_streams
            and self.ABORT_AT_RECORD_COUNT is None
            and self.records_go_out_as_they_are
        ):
            yield from super()._sync_records(context, write_messages=write_messages)
            return
        yield from self._sync_batches_as_they_are(context)

    @override
    def get_batches(
        self, batch_config: Any, context: Mapping[str, Any] | None = None
    ) -> Iterator[Any]:
        """Batch files of the records as RECORD messages would carry them.

        The SDK's own batching writes records before property selection and stream maps
        (a known limitation of singer-sdk); here both apply, as on the record path. A stream
        that stream maps turn into several streams cannot share one file: that stops the run.
        """
        maps = self.stream_maps
        if len(maps) != 1:
            aliases = ", ".join(m.stream_alias for m in maps)
            msg = (
                f"Batch mode cannot write stream '{self.name}', which stream maps turn into "
                f"several streams ({aliases}): each BATCH message names one file of records. "
                "Remove `batch_config`, or map the stream to one stream."
            )
            raise ConnectorError(msg)
        stream_map = maps[0]
        records: Iterator[dict[str, Any]] = self._sync_records(context, write_messages=False)
        if not self.records_go_out_as_they_are:
            records = self._as_mapped(records, stream_map)
        batcher = Batcher(tap_name=self.tap_name, stream_name=self.name, batch_config=batch_config)
        for manifest in batcher.get_batches(records=records):
            yield batch_config.encoding, manifest

    def _as_mapped(
        self, records: Iterator[dict[str, Any]], stream_map: Any
    ) -> Iterator[dict[str, Any]]:
        """Each record with only its selected properties, through the stream's map."""
        every_property = all(self.mask.values())
        for record in records:
            if not every_property:
                pop_deselected_record_properties(record, self.schema, self.mask)
            mapped = stream_map.transform(record)
            if mapped is not None:
                yield mapped

    def _sync_batches_as_they_are(
        self, context: Mapping[str, Any] | None
    ) -> Generator[dict[str, Any], Any, Any]:
        """The SDK's record loop, a batch at a time (same messages, metrics and state)."""
        writer = self.buffered_writer
        conform = self.batch_conformer()
        record_counter = self.get_record_counter()
        timer = self.get_sync_timer()
        written = 0
        with record_counter, timer:
            for element in ([context] if context is not None else self.partitions) or [{}]:
                record_counter.with_context(element)
                timer.with_context(element)
                current = element or None
                partition = self._get_state_partition_context(current)
                self._write_starting_replication_value(current)
                for batch in self.record_batches(current):
                    if conform is not None:
                        records = [conform(record) for record in batch]
                    else:
                        processed = (self.post_process(record, current) for record in batch)
                        records = [record for record in processed if record is not None]
                    for key, value in (partition or {}).items():
                        for record in records:
                            record.setdefault(key, value)
                    writer.write_records(
                        self.name, records, self.time_extracted(), self._stream_version
                    )
                    self.state_manager.is_flushed = False
                    self.note_records(records, current)
                    every = self.STATE_MSG_FREQUENCY
                    if (written + len(records)) // every > written // every:
                        self._write_state_message()
                    written += len(records)
                    record_counter.increment(len(records))
                    yield from records
                if current == partition:
                    self._finalize_state(self.get_context_state(current))
        if not context:
            self._finalize_state(self.stream_state)
        self._write_state_message()
