"""The Singer SDK side of the target: one sink per stream, handing batches to the run.

A `TracksaleSink` checks each record through its stream's action (`actions.Action`) as it
arrives, keeps a reject for a record that fails, and hands each full batch of deliveries to
the run (`run.Run`), which screens, sends, settles and releases STATE. A batch is
`batch_size` (at most 500, Tracksale's limit) times `max_concurrency` records, so one batch is
one round of requests in flight.
"""

from __future__ import annotations

from typing import Any, Protocol

from connector_kit.sdk_target_path import DirectSink
from singer_sdk.sinks import BatchSink, Sink

from target_tracksale.actions import ACTIONS, Action
from target_tracksale.deliveries import Delivery, Status
from target_tracksale.run import Run
from target_tracksale.stream_actions import StreamAction
from target_tracksale.validation import RecordRejectedError


class SinkHost(Protocol):
    """What a sink needs of its target: the streams' actions, the run, and STATE's rule."""

    stream_actions: dict[str, StreamAction]
    run: Run

    def checkpoint_after(self, draining: Sink) -> dict[str, Any] | None: ...


class TracksaleSink(DirectSink):
    """A stream's records, checked by its action and handed to the run a batch at a time."""

    def __init__(self, target: SinkHost, *args: Any, **kwargs: Any) -> None:
        super().__init__(target, *args, **kwargs)
        self.host = target
        self.run: Run = target.run
        stream_action = target.stream_actions[self.stream_name]
        self.action: Action = ACTIONS[stream_action.action](
            self.stream_name, stream_action, target.run, self.logger
        )
        # Kept here, not in the SDK's batch context, which is logged at debug level per record.
        self._deliveries: list[Delivery] = []
        rows = self.config.get("batch_size_rows")
        self._max_size = (
            int(rows) if rows else self.run.batch_size * max(self.run.api.max_concurrency, 1)
        )

    def setup(self) -> None:
        super().setup()
        self.action.setup()

    @property
    def max_size(self) -> int:
        """`batch_size` times `max_concurrency`: one round of requests in flight."""
        return self._max_size

    @property
    def is_full(self) -> bool:
        return self.current_size >= self._max_size

    def process_record(self, record: dict[str, Any], context: dict[str, Any]) -> None:
        try:
            delivery = self.action.prepare(record)
        except RecordRejectedError as rejected:
            own = record.get("campaign_code")
            code = own if type(own) is int else self.action.stream_action.campaign_code
            self.run.outputs.summary.add(self.stream_name, self.action.name, Status.REJECTED)
            self.run.outputs.rejects.add(
                stream=self.stream_name,
                action=self.action.name,
                record=record,
                status=Status.REJECTED,
                reason=rejected.reason,
                campaign_code=code,
            )
            return
        self._deliveries.append(delivery)

    def process_batch(self, context: dict[str, Any]) -> None:
        self.count_records()
        deliveries, self._deliveries = self._deliveries, []
        checkpoint = self.host.checkpoint_after(self)
        self.run.deliver(self.action, deliveries, checkpoint)


class IgnoredStreamSink(BatchSink):
    """A stream that stream maps remove (`__NULL__`): its records never reach a sink."""

    def get_validator(self) -> None:
        return None

    def process_batch(self, context: dict[str, Any]) -> None:
        """Nothing to do: the map drops every record of the stream."""
