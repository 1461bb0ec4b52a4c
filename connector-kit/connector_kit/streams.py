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
from collections.abc import Callable, Iterable, Iterator, Mapping
from functools import cached_property
from itertools import islice
from typing import Any, ClassVar

from singer_sdk.helpers.conform import TypeConformanceLevel

from connector_kit.records import RecordConformer
from connector_kit.schemas import with_null_items
from connector_kit.sdk_tap_path import FastPathStream
from connector_kit.windows import DateWindow, date_windows, parse_date, today_utc

WINDOW_BATCH = 1000
"""Records per batch when a window's records do not come in pages of their own."""


class TolerantStream(FastPathStream):
    """A stream whose records are coerced to its schema by a `RecordConformer`.

    The SDK's own per-record type conformance is turned off: the conformer does the same job
    once per field that needs it, keeps what does not fit, and costs far less per record.
    How records are written (the SDK's path, or the fast path when they go out as they are)
    is `FastPathStream`'s business, in `connector_kit.sdk_tap_path`. A stream that reads its
    records in batches (an API page, say) gives them through `record_batches`.
    """

    TYPE_CONFORMANCE_LEVEL = TypeConformanceLevel.NONE

    def __init_subclass__(cls, **kwargs: Any) -> None:
        """A stream's declared schema, with null allowed in arrays and maps at every depth."""
        super().__init_subclass__(**kwargs)
        declared = cls.__dict__.get("schema")
        if isinstance(declared, dict):
            cls.schema = with_null_items(declared)  # type: ignore[assignment]

    @cached_property
    def conformer(self) -> RecordConformer:
        flattened = int(self.config.get("flattening_max_depth") or 0)
        return RecordConformer(
            self.schema,
            stream=self.name,
            logger=self.logger,
            flattened_levels=flattened if self.config.get("flattening_enabled") else 0,
        )

    def post_process(
        self, row: dict[str, Any], context: Mapping[str, Any] | None = None
    ) -> dict[str, Any] | None:
        return self.conformer(row)

    def batch_conformer(self) -> Callable[[dict[str, Any]], dict[str, Any]] | None:
        """The conformer, unless a stream's own `post_process` does more."""
        if type(self).post_process is TolerantStream.post_process:
            return self.conformer
        return None


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
    def records_in_window(
        self, window: DateWindow, context: Mapping[str, Any] | None
    ) -> Iterable[dict[str, Any]]:
        """Every record whose replication date falls inside `window`."""

    def batches_in_window(
        self, window: DateWindow, context: Mapping[str, Any] | None
    ) -> Iterable[list[dict[str, Any]]]:
        """The records of `window` in batches: by default `records_in_window`'s, 1,000 at a time."""
        records = iter(self.records_in_window(window, context))
        while batch := list(islice(records, WINDOW_BATCH)):
            yield batch

    @property
    def window_days(self) -> int:
        return int(self.config.get("window_days", 30))

    def bookmark(self, context: Mapping[str, Any] | None) -> str | None:
        """The stream's (or partition's) bookmark from state, if any."""
        value = self.get_context_state(context).get("replication_key_value")
        return str(value) if value else None

    def first_day(self, context: Mapping[str, Any] | None) -> dt.date:
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

    def windows(self, context: Mapping[str, Any] | None) -> list[DateWindow]:
        return list(date_windows(self.first_day(context), self.last_day(), self.window_days))

    def get_records(self, context: Mapping[str, Any] | None) -> Iterable[dict[str, Any]]:
        for batch in self.record_batches(context):
            yield from batch

    def record_batches(self, context: Mapping[str, Any] | None) -> Iterator[list[dict[str, Any]]]:
        windows = self.windows(context)
        if not windows:
            self.logger.info("%s: nothing to read, the start is after the end date", self.name)
        for window in windows:
            self.logger.info("%s: reading %s", self.name, window)
            self._latest_in_window = None
            self._window_end_text = window.end.isoformat()
            yield from self.batches_in_window(window, context)
            self.complete_window(window, context)

    def note_records(
        self, records: list[dict[str, Any]], context: Mapping[str, Any] | None
    ) -> None:
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

    def complete_window(self, window: DateWindow, context: Mapping[str, Any] | None) -> None:
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
        self.emit_state()
