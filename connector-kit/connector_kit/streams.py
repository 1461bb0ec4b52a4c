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
from collections.abc import Iterable
from functools import cached_property
from typing import Any, ClassVar

from singer_sdk import Stream
from singer_sdk.helpers.conform import TypeConformanceLevel
from singer_sdk.mapper import SameRecordTransform

from connector_kit.output import BufferedSingerWriter
from connector_kit.records import RecordConformer
from connector_kit.windows import DateWindow, date_windows, parse_date, today_utc


class TolerantStream(Stream):
    """A stream whose records are coerced to its schema by a `RecordConformer`.

    The SDK's own per-record type conformance is turned off: the conformer does the same job
    once per field that needs it, keeps what does not fit, and costs far less per record.
    When records go out as they are (the identity stream map, no flattening, every property
    selected), each is encoded straight into the output buffer, skipping the SDK's per-record
    selection walk and message objects; otherwise the SDK's own path runs.
    """

    TYPE_CONFORMANCE_LEVEL = TypeConformanceLevel.NONE
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

    def _write_record_message(self, record: dict) -> None:
        if not self._records_go_out_as_they_are:
            super()._write_record_message(record)
            return
        now = int(time.time())
        if now != self._extracted_second:
            self._extracted_second = now
            self._extracted_text = dt.datetime.fromtimestamp(now, dt.timezone.utc).isoformat()
        self._tap.message_writer.write_record(
            self.name, record, self._extracted_text, self._stream_version
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
        windows = self.windows(context)
        if not windows:
            self.logger.info("%s: nothing to read, the start is after the end date", self.name)
        for window in windows:
            self.logger.info("%s: reading %s", self.name, window)
            self._latest_in_window = None
            self._window_end_text = window.end.isoformat()
            yield from self.records_in_window(window, context)
            self.complete_window(window, context)

    def _increment_stream_state(self, latest_record: dict, *, context: dict | None = None) -> None:
        """Track the latest value inside the current window; state moves per window only."""
        value = latest_record.get(self.replication_key) if self.replication_key else None
        if (
            isinstance(value, str)
            and value[:10] <= self._window_end_text
            and (self._latest_in_window is None or value > self._latest_in_window)
        ):
            self._latest_in_window = value

    def complete_window(self, window: DateWindow, context: dict | None) -> None:
        """Move the bookmark to the end of a fully read window, and emit STATE."""
        state = self.get_context_state(context)
        candidates = [
            f"{window.end.isoformat()}T00:00:00Z",
            self._latest_in_window,
            state.get("replication_key_value"),
        ]
        state["replication_key"] = self.replication_key
        state["replication_key_value"] = max(str(c) for c in candidates if c)
        self.state_manager.is_flushed = False
        self._write_state_message()
