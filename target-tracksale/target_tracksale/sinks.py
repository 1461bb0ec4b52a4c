"""One sink per action: how a record is checked, grouped into requests, and sent.

The base sink turns each record into a `Delivery` (or a reject) as it arrives and hands each
full batch to the run, which screens it against the ledger and sends its requests
concurrently. A batch is `batch_size` (at most 500, Tracksale's limit) times
`max_concurrency` records, so one batch is one round of requests in flight.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import Future
from typing import Any, ClassVar, Protocol

from connector_kit.sdk_target_path import DirectSink
from singer_sdk.exceptions import ConfigValidationError
from singer_sdk.sinks import BatchSink, Sink

from target_tracksale import responses, validation
from target_tracksale.campaigns import EMAIL, PHONE, Campaign
from target_tracksale.client import RecordRefusedError
from target_tracksale.deliveries import Delivery, Outcome, Request, Status
from target_tracksale.dispatch_bodies import DispatchBody, earliest_send_time
from target_tracksale.run import Run
from target_tracksale.stream_actions import (
    ANSWERS,
    DISPATCH,
    FILL_EMPTY_TAGS,
    NOTES,
    SEND_LOT_THEN_SEND,
    SEND_NOW,
    SURVEY_LINKS,
    StreamAction,
)
from target_tracksale.validation import RecordRejectedError


class SinkHost(Protocol):
    """What a sink needs of its target: the streams' actions, the run, and STATE's rule."""

    stream_actions: dict[str, StreamAction]
    run: Run

    def checkpoint_after(self, draining: Sink) -> dict[str, Any] | None: ...


Preparer = Callable[[dict[str, Any], StreamAction, validation.CampaignLookup], Delivery]


class TracksaleSink(DirectSink):
    """The common path of every action: check each record, send each batch through the run."""

    action: ClassVar[str]
    prepare_record: Preparer
    resend_is_safe: ClassVar[bool] = True
    """Whether Tracksale itself detects a repeat, so an unsettled record may be sent again."""
    one_request_per_record: ClassVar[bool] = False

    def __init__(self, target: SinkHost, *args: Any, **kwargs: Any) -> None:
        super().__init__(target, *args, **kwargs)
        self.tracksale_target = target
        self.stream_action: StreamAction = target.stream_actions[self.stream_name]
        self.run: Run = target.run
        # Kept here, not in the SDK's batch context, which is logged at debug level per record.
        self._deliveries: list[Delivery] = []
        rows = self.config.get("batch_size_rows")
        self._max_size = (
            int(rows) if rows else self.run.batch_size * max(self.run.api.max_concurrency, 1)
        )

    @property
    def sends_lots(self) -> bool:
        return False

    def setup(self) -> None:
        """Check the stream's campaign exists (this reads the campaigns once per run)."""
        super().setup()
        code = self.stream_action.campaign_code
        if code is not None and self.run.campaigns.get(code) is None:
            known = ", ".join(map(str, self.run.campaigns.codes())) or "none"
            msg = (
                f"`{self.stream_action.setting}.campaign_code` is {code}, which is not a "
                f"campaign of this Tracksale account (its campaigns: {known})."
            )
            raise ConfigValidationError(msg, errors=[msg])

    @property
    def max_size(self) -> int:
        """`batch_size` times `max_concurrency`: one round of requests in flight."""
        return self._max_size

    @property
    def is_full(self) -> bool:
        return self.current_size >= self._max_size

    def process_record(self, record: dict[str, Any], context: dict[str, Any]) -> None:
        try:
            delivery = self.prepare_record(record, self.stream_action, self.run.campaigns.get)
        except RecordRejectedError as rejected:
            self.run.summary.add(self.stream_name, self.action, Status.REJECTED)
            own = record.get("campaign_code")
            code = own if type(own) is int else self.stream_action.campaign_code
            self.run.reject(self, record, Status.REJECTED, rejected.reason, code)
            return
        self._deliveries.append(delivery)

    def process_batch(self, context: dict[str, Any]) -> None:
        self.count_records()
        deliveries, self._deliveries = self._deliveries, []
        checkpoint = self.tracksale_target.checkpoint_after(self)
        self.run.deliver(self, deliveries, checkpoint)

    def plan(self, deliveries: Sequence[Delivery]) -> list[Request]:
        """The requests for these deliveries: per campaign, at most `batch_size` each."""
        if self.one_request_per_record:
            return [Request(d.campaign_code, [d]) for d in deliveries]
        groups: dict[int, list[Delivery]] = {}
        for delivery in deliveries:
            groups.setdefault(delivery.campaign_code, []).append(delivery)
        size = self.run.batch_size
        return [
            Request(code, group[start : start + size])
            for code, group in groups.items()
            for start in range(0, len(group), size)
        ]

    def screen_remotely(self, deliveries: list[Delivery]) -> tuple[list[Delivery], list[Outcome]]:
        """Ask Tracksale about each delivery before sending (the 90-day rule for dispatches)."""
        return deliveries, []

    def send(self, request: Request) -> list[Outcome]:
        """Make the request; return what became of each delivery. Runs in a worker thread."""
        raise NotImplementedError

    def after_outcomes(self, request: Request, outcomes: Sequence[Outcome]) -> None:
        """Anything to keep from an answered request besides the ledger and the rejects."""


class DispatchSink(TracksaleSink):
    """Surveys customers: now, at each record's time, or into the campaign's lot."""

    action = DISPATCH
    prepare_record = staticmethod(validation.prepare_dispatch)

    @property
    def sends_lots(self) -> bool:
        return self.stream_action.send == SEND_LOT_THEN_SEND

    def setup(self) -> None:
        """Also remember the campaign whose open lots are sent at the end of the run."""
        super().setup()
        if self.sends_lots and self.stream_action.campaign_code is not None:
            self.run.lots_to_send[self.stream_action.campaign_code] = self.stream_action

    def plan(self, deliveries: Sequence[Delivery]) -> list[Request]:
        """Per campaign, send time (none: into the lot) and finish time, `batch_size` at most."""
        default_time = (
            self.stream_action.schedule_time if self.stream_action.send == SEND_NOW else None
        )
        groups: dict[tuple[int, int | None, int | None], list[Delivery]] = {}
        for delivery in deliveries:
            when = delivery.schedule_time if delivery.schedule_time is not None else default_time
            key = (delivery.campaign_code, when, delivery.finish_time)
            groups.setdefault(key, []).append(delivery)
        into_lot = self.stream_action.send != SEND_NOW
        size = self.run.batch_size
        return [
            Request(code, group[start : start + size], when, into_lot and when is None, finish)
            for (code, when, finish), group in groups.items()
            for start in range(0, len(group), size)
        ]

    def send(self, request: Request) -> list[Outcome]:
        """One dispatch request; its times are computed at each attempt (`DispatchBody`)."""
        body = DispatchBody(
            [d.payload for d in request.deliveries],
            into_lot=request.into_lot,
            schedule_time=request.schedule_time,
            finish_time=request.finish_time,
            finish_after_days=self.stream_action.finish_after_days,
        )
        if request.finish_time is not None:
            earliest = body.send_time() or earliest_send_time(body.clock())
            if request.finish_time <= earliest:
                reason = (
                    f"`finish_time` ({request.finish_time}) is not after the time the survey "
                    f"would be sent ({earliest}, Unix seconds); Tracksale refuses it (Invalid "
                    "Time)"
                )
                return [Outcome(d, Status.REJECTED, reason) for d in request.deliveries]
        reply = self.run.api.post(
            f"/campaign/{request.campaign_code}/dispatch", body, params={"getNotInserted": 1}
        )
        if body.moved:
            self.logger.warning(
                "%d customer(s) of %s for campaign %s were to be sent at %s (Unix seconds), "
                "which had passed; Tracksale refuses past times, so they were sent at %s.",
                len(request.deliveries),
                self.stream_name,
                request.campaign_code,
                request.schedule_time,
                body.sent[-1].get("schedule_time"),
            )
        return responses.dispatch_outcomes(request.deliveries, reply, request.campaign_code)

    def screen_remotely(self, deliveries: list[Delivery]) -> tuple[list[Delivery], list[Outcome]]:
        """Leave out customers the 90-day rule protects (`check_can_impact`)."""
        checks: list[tuple[Delivery, Future[bool]]] = []
        for delivery in deliveries:
            campaign = self.run.campaigns.get(delivery.campaign_code)
            customer = _reach_by(delivery.payload, campaign)
            checks.append(
                (
                    delivery,
                    self.run.pool.submit(self.run.api.can_impact, delivery.campaign_code, customer),
                )
            )
        kept: list[Delivery] = []
        refused: list[Outcome] = []
        for delivery, check in checks:
            if check.result():
                kept.append(delivery)
            else:
                reason = (
                    f"the 90-day rule: Tracksale says campaign {delivery.campaign_code} may not "
                    "survey this customer now (can-impact is false)"
                )
                refused.append(Outcome(delivery, Status.REJECTED, reason))
        return kept, refused


def _reach_by(customer: dict[str, Any], campaign: Campaign | None) -> dict[str, str]:
    """The one field can-impact is asked about: the campaign's main channel."""
    channel = campaign.channel_field if campaign else None
    order = {EMAIL: ("email",), PHONE: ("phone",)}.get(channel or "", ())
    for name in (*order, "email", "phone", "identification"):
        if customer.get(name):
            return {name: customer[name]}
    return {}


class AnswersSink(TracksaleSink):
    """Inserts NPS answers collected elsewhere."""

    action = ANSWERS
    prepare_record = staticmethod(validation.prepare_answer)
    resend_is_safe = False

    def send(self, request: Request) -> list[Outcome]:
        reply = self.run.api.post(
            "/answer",
            {
                "campaign_code": request.campaign_code,
                "answers": [d.payload for d in request.deliveries],
            },
            params={"return_answer_id": 1},
        )
        if reply.attempts > 1:
            self.logger.warning(
                "An answers request for campaign %s needed %d attempts; if an attempt that "
                "failed had reached Tracksale, some of its %d answers may now be there twice.",
                request.campaign_code,
                reply.attempts,
                len(request.deliveries),
            )
        return responses.answers_outcomes(request.deliveries, reply)


class SurveyLinksSink(TracksaleSink):
    """Makes survey links and writes them to `survey_links_path` to load back."""

    action = SURVEY_LINKS
    prepare_record = staticmethod(validation.prepare_survey_link)

    def send(self, request: Request) -> list[Outcome]:
        reply = self.run.api.post(
            f"/campaign/{request.campaign_code}/survey-links",
            {"customers": [d.payload for d in request.deliveries]},
        )
        return responses.survey_link_outcomes(request.deliveries, reply, request.campaign_code)

    def after_outcomes(self, request: Request, outcomes: Sequence[Outcome]) -> None:
        for outcome in outcomes:
            link = outcome.detail.get("survey_link")
            if outcome.status is Status.SENT and link:
                customer = outcome.delivery.payload
                self.run.survey_links.write(
                    {
                        "stream": self.stream_name,
                        "campaign_code": request.campaign_code,
                        "name": customer.get("name"),
                        "email": customer.get("email"),
                        "phone": customer.get("phone"),
                        "identification": customer.get("identification"),
                        "survey_link": link,
                        "run_id": self.run.run_id,
                        "record": outcome.delivery.record,
                    }
                )


class _OneByOneSink(TracksaleSink):
    """An action Tracksale takes one record per request; a refusal concerns that record."""

    one_request_per_record = True
    endpoint: ClassVar[str]

    def send(self, request: Request) -> list[Outcome]:
        delivery = request.deliveries[0]
        try:
            reply = self.run.api.post(self.endpoint, delivery.payload, record_level=True)
        except RecordRefusedError as refused:
            reason = f"Tracksale refused it (HTTP {refused.status}): {refused.message}"
            return [Outcome(delivery, Status.INVALID, reason)]
        body = reply.body if isinstance(reply.body, dict) else {}
        detail = {"answer_id": body["answer_id"]} if body.get("answer_id") is not None else {}
        return [Outcome(delivery, Status.SENT, detail=detail)]


class NotesSink(_OneByOneSink):
    """Adds internal notes to answers, by answer id or by customer and dates."""

    action = NOTES
    prepare_record = staticmethod(validation.prepare_note)
    endpoint = "/note"
    resend_is_safe = False


class FillEmptyTagsSink(_OneByOneSink):
    """Fills answers' empty tags, by answer id or by campaign and customer."""

    action = FILL_EMPTY_TAGS
    prepare_record = staticmethod(validation.prepare_tags_fill)
    endpoint = "/fill-empty-tags"


class IgnoredStreamSink(BatchSink):
    """A stream that stream maps remove (`__NULL__`): its records never reach a sink."""

    def get_validator(self) -> None:
        return None

    def process_batch(self, context: dict[str, Any]) -> None:
        """Nothing to do: the map drops every record of the stream."""


SINKS: dict[str, type[TracksaleSink]] = {
    sink.action: sink
    for sink in (DispatchSink, AnswersSink, SurveyLinksSink, NotesSink, FillEmptyTagsSink)
}
