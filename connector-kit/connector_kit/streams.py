"""Stream bases: tolerant records, and date-filtered streams walked window by window.

A `WindowedStream` reads its date range in windows of `window_days` and moves its bookmark
only when a window is complete, then emits STATE. Records inside a window may come in any
order (and pages may arrive out of order), so a bookmark taken from a record in the middle
of a window could skip records; one taken at the window's end cannot. A run killed part way
therefore resumes from the last completed window: nothing is lost, and at most one window is
read again. The bookmark never passes the end of the window just completed, even when a
record edited during the run carries a later time.
"""

from __future__ import annotations

import abc
import datetime as dt
import time
from collections.abc import Generator, Iterable, Iterator
from functools import cached_property
from itertools import islice
from typing import Any, ClassVar

from singer_sdk import Stream
from singer_sdk.batch import Batcher
from singer_sdk.helpers._catalog import pop_deselected_record_properties
from singer_sdk.helpers.conform import TypeConformanceLevel
from singer_sdk.mapper import SameRecordTransform

from connector_kit.errors import ConnectorError
from connector_kit.output import BufferedSingerWriter
from connector_kit.records import RecordConformer
from connector_kit.windows import DateWindow, date_windows, parse_date, today_utc

WINDOW_BATCH = 1000
"""Records per batch when a window's records do not come in pages of their own."""


class TolerantStream(Stream):
    """A stream whose records are coerced to its schema by a `RecordConformer`.

    The SDK's own per-record type conformance is turned off: the conformer does the same job
    once per field that needs it, keeps what does not fit, and costs far less per record.
    When records go out as they are (the identity stream map, no flattening, every property
    selected), each is encoded straight into the output buffer, skipping the SDK's per-record
    selection walk and message objects; otherwise the SDK's own path runs.

    A stream that reads its records in batches (an API page, say) gives them through
    `record_batches`; when records go out as they are and the stream has no children, each
    batch is then conformed, written, counted and bookmarked in one pass instead of record by
    record through the SDK's loop.
    """

    TYPE_CONFORMANCE_LEVEL = TypeConformanceLevel.NONE
    _writes_messages = True
    """False while the SDK's batch mode reads the records into batch files: STATE then goes out
    only after the BATCH message that holds the records it covers (the SDK writes it there)."""
    _extracted_second = -1
    _extracted_text = ""

    @property
    def tap(self) -> Any:
        """The tap this stream belongs to (where the run's shared API client lives)."""
        return self._tap

    @cached_property
    def conformer(self) -> RecordConformer:
        return RecordConformer(self.schema, stream=self.name, logger=self.logger)

    def post_process(self, row: dict, context: dict | None = None) -> dict | None:
        return self.conformer(row)

    def record_batches(self, context: dict | None) -> Iterable[list[dict]]:
        """The stream's records in batches; streams that read pages override it."""
        for record in self.get_records(context):
            yield [record]

    @cached_property
    def _records_go_out_as_they_are(self) -> bool:
        maps = self.stream_maps
        return (
            len(maps) == 1
            and type(maps[0]) is SameRecordTransform
            and not maps[0].flattening_enabled
            and maps[0].stream_alias == self.name
            and all(self.mask.values())
            and isinstance(getattr(self._tap, "message_writer", None), BufferedSingerWriter)
        )

    def _time_extracted(self) -> str:
        now = int(time.time())
        if now != self._extracted_second:
            self._extracted_second = now
            self._extracted_text = dt.datetime.fromtimestamp(now, dt.timezone.utc).isoformat()
        return self._extracted_text

    def _write_record_message(self, record: dict) -> None:
        if not self._records_go_out_as_they_are:
            super()._write_record_message(record)
            return
        self._tap.message_writer.write_record(
            self.name, record, self._time_extracted(), self._stream_version
        )
        self.state_manager.is_flushed = False

    def _process_record(
        self,
        record: dict,
        child_context: dict | None = None,
        partition_context: dict | None = None,
    ) -> None:
        """Only streams with children or partitions need the SDK's per-record processing."""
        if self.child_streams or partition_context:
            super()._process_record(record, child_context, partition_context)

    def _note_records(self, records: list[dict], context: dict | None) -> None:
        """Move the stream's state for a batch of written records."""
        for record in records:
            self._increment_stream_state(record, context=context)

    def _sync_records(
        self, context: dict | None = None, *, write_messages: bool = True
    ) -> Generator[dict, Any, Any]:
        self._writes_messages = write_messages
        batched = type(self).record_batches is not TolerantStream.record_batches
        if not (
            batched
            and write_messages
            and self.selected
            and not self.child_streams
            and self.ABORT_AT_RECORD_COUNT is None
            and self._records_go_out_as_they_are
        ):
            yield from super()._sync_records(context, write_messages=write_messages)
            return
        yield from self._sync_batches_as_they_are(context)

    def get_batches(self, batch_config: Any, context: dict | None = None) -> Iterator[Any]:
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
        records: Iterator[dict] = self._sync_records(context, write_messages=False)
        if not self._records_go_out_as_they_are:
            records = self._as_mapped(records, stream_map)
        batcher = Batcher(tap_name=self.tap_name, stream_name=self.name, batch_config=batch_config)
        for manifest in batcher.get_batches(records=records):
            yield batch_config.encoding, manifest

    def _as_mapped(self, records: Iterator[dict], stream_map: Any) -> Iterator[dict]:
        """Each record with only its selected properties, through the stream's map."""
        every_property = all(self.mask.values())
        for record in records:
            if not every_property:
                pop_deselected_record_properties(record, self.schema, self.mask)
            mapped = stream_map.transform(record)
            if mapped is not None:
                yield mapped

    def _sync_batches_as_they_are(self, context: dict | None) -> Generator[dict, Any, Any]:
        """The SDK's record loop, a batch at a time (same messages, metrics and state)."""
        writer: BufferedSingerWriter = self._tap.message_writer
        conform = self.conformer if type(self).post_process is TolerantStream.post_process else None
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
                        self.name, records, self._time_extracted(), self._stream_version
                    )
                    self.state_manager.is_flushed = False
                    self._note_records(records, current)
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


class WindowedStream(TolerantStream, metaclass=abc.ABCMeta):
    """An incremental stream read through a date filter, one window at a time.

    A stream whose records change after their date (answers edited, figures restated) sets
    `uses_lookback`: each run then starts `lookback_days` before the bookmark's day.
    """

    uses_lookback: ClassVar[bool] = False

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._latest_in_window: str | None = None
        self._window_end_text = ""

    @abc.abstractmethod
    def records_in_window(self, window: DateWindow, context: dict | None) -> Iterable[dict]:
        """Every record whose replication date falls inside `window`."""

    def batches_in_window(self, window: DateWindow, context: dict | None) -> Iterable[list[dict]]:
        """The records of `window` in batches: by default `records_in_window`'s, 1,000 at a time."""
        records = iter(self.records_in_window(window, context))
        while batch := list(islice(records, WINDOW_BATCH)):
            yield batch

    @property
    def window_days(self) -> int:
        return int(self.config.get("window_days", 30))

    def bookmark(self, context: dict | None) -> str | None:
        """The stream's (or partition's) bookmark from state, if any."""
        value = self.get_context_state(context).get("replication_key_value")
        return str(value) if value else None

    def first_day(self, context: dict | None) -> dt.date:
        """Where this run starts: the bookmark's day (read again), else `start_date`.

        Streams that use the lookback start `lookback_days` earlier, never before `start_date`.
        """
        start = parse_date(self.config["start_date"], setting="start_date")
        bookmark = self.bookmark(context)
        if not bookmark:
            return start
        day = parse_date(bookmark, setting=f"the {self.name} bookmark in state")
        if self.uses_lookback:
            day -= dt.timedelta(days=int(self.config.get("lookback_days") or 0))
        return max(start, day)

    def last_day(self) -> dt.date:
        """Where this run ends: `end_date`, else today (UTC)."""
        end = self.config.get("end_date")
        return parse_date(end, setting="end_date") if end else today_utc()

    def windows(self, context: dict | None) -> list[DateWindow]:
        return list(date_windows(self.first_day(context), self.last_day(), self.window_days))

    def get_records(self, context: dict | None) -> Iterable[dict]:
        for batch in self.record_batches(context):
            yield from batch

    def record_batches(self, context: dict | None) -> Iterator[list[dict]]:
        windows = self.windows(context)
        if not windows:
            self.logger.info("%s: nothing to read, the start is after the end date", self.name)
        for window in windows:
            self.logger.info("%s: reading %s", self.name, window)
            self._latest_in_window = None
            self._window_end_text = window.end.isoformat()
            yield from self.batches_in_window(window, context)
            self.complete_window(window, context)

    def _increment_stream_state(self, latest_record: dict, *, context: dict | None = None) -> None:
        self._note_records([latest_record], context)

    def _note_records(self, records: list[dict], context: dict | None) -> None:
        """Track the latest value inside the current window; state moves per window only."""
        key = self.replication_key
        if not key:
            return
        end = self._window_end_text
        latest = self._latest_in_window
        for record in records:
            value = record.get(key)
            if type(value) is str and value[:10] <= end and (latest is None or value > latest):
                latest = value
        self._latest_in_window = latest

    def complete_window(self, window: DateWindow, context: dict | None) -> None:
        """Move the bookmark to the end of a fully read window, and emit STATE.

        In batch mode the window's records may still sit in a batch file not yet announced,
        so STATE waits for the SDK to write it after that file's BATCH message.
        """
        state = self.get_context_state(context)
        candidates = [
            f"{window.end.isoformat()}T00:00:00Z",
            self._latest_in_window,
            state.get("replication_key_value"),
        ]
        state["replication_key"] = self.replication_key
        state["replication_key_value"] = max(str(c) for c in candidates if c)
        self.state_manager.is_flushed = False
        if self._writes_messages:
            self._write_state_message()
