"""The five things target-tracksale does with records, as plain classes (no Singer SDK base).

An action checks a record and turns it into a `Delivery` (or rejects it with a reason), groups
deliveries into requests, and makes a request, saying what became of each record. The SDK
sink (`sinks.TracksaleSink`) hands each batch of deliveries to the run (`run.Run`), which
screens them against the ledger, sends the action's requests, settles them and releases STATE.

- `Dispatch`: `POST /campaign/{code}/dispatch`, up to 500 customers a request;
- `Answers`: `POST /answer`, up to 500 answers a request;
- `SurveyLinks`: `POST /campaign/{code}/survey-links`, up to 500 customers a request;
- `Notes`: `POST /note`, one note a request;
- `FillEmptyTags`: `POST /fill-empty-tags`, one answer's tags a request.

After a request left unanswered, its records are sent again where Tracksale detects a repeat
(`resend_is_safe`: dispatches, survey links, tags) and reported ambiguous where it does not
(answers, notes).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, ClassVar, Protocol

from singer_sdk.exceptions import ConfigValidationError

from target_tracksale import responses, validation
from target_tracksale.campaigns import EMAIL, PHONE, Campaign, CampaignDirectory
from target_tracksale.client import RecordRefusedError, TracksaleWriteClient
from target_tracksale.deliveries import Delivery, Outcome, Request, Status
from target_tracksale.dispatch_bodies import DispatchBody, earliest_send_time
from target_tracksale.jsonl import JsonLinesFile
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


class RunServices(Protocol):
    """What an action uses of the run: the API, the campaigns, threads and output files."""

    run_id: str
    api: TracksaleWriteClient
    campaigns: CampaignDirectory
    batch_size: int
    pool: ThreadPoolExecutor
    survey_links: JsonLinesFile
    lots_to_send: dict[int, StreamAction]


class Action:
    """One stream's action: how its records are checked, grouped into requests and sent."""

    name: ClassVar[str]
    resend_is_safe: ClassVar[bool] = True
    """Whether Tracksale itself detects a repeat, so an unsettled record may be sent again."""
    one_request_per_record: ClassVar[bool] = False

    def __init__(
        self,
        stream_name: str,
        stream_action: StreamAction,
        run: RunServices,
        logger: logging.Logger,
    ) -> None:
        self.stream_name = stream_name
        self.stream_action = stream_action
        self.run = run
        self.logger = logger

    @property
    def sends_lots(self) -> bool:
        """Whether the campaign's open lots are sent at the end of the run."""
        return False

    def setup(self) -> None:
        """Check the stream's campaign exists (this reads the campaigns once per run)."""
        code = self.stream_action.campaign_code
        if code is not None and self.run.campaigns.get(code) is None:
            known = ", ".join(map(str, self.run.campaigns.codes())) or "none"
            msg = (
                f"`{self.stream_action.setting}.campaign_code` is {code}, which is not a "
                f"campaign of this Tracksale account (its campaigns: {known})."
            )
            raise ConfigValidationError(msg, errors=[msg])

    def prepare(self, record: dict[str, Any]) -> Delivery:
        """The record checked and made ready to send; `RecordRejectedError` says why not."""
        raise NotImplementedError

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


class Dispatch(Action):
    """Surveys customers: now, at each record's time, or into the campaign's lot."""

    name = DISPATCH

    def prepare(self, record: dict[str, Any]) -> Delivery:
        return validation.prepare_dispatch(record, self.stream_action, self.run.campaigns.get)

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


class Answers(Action):
    """Inserts NPS answers collected elsewhere."""

    name = ANSWERS

    def prepare(self, record: dict[str, Any]) -> Delivery:
        return validation.prepare_answer(record, self.stream_action, self.run.campaigns.get)

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


class SurveyLinks(Action):
    """Makes survey links and writes them to `survey_links_path` to load back."""

    name = SURVEY_LINKS

    def prepare(self, record: dict[str, Any]) -> Delivery:
        return validation.prepare_survey_link(record, self.stream_action, self.run.campaigns.get)

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


class _OneByOne(Action):
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


class Notes(_OneByOne):
    """Adds internal notes to answers, by answer id or by customer and dates."""

    name = NOTES

    def prepare(self, record: dict[str, Any]) -> Delivery:
        return validation.prepare_note(record, self.stream_action, self.run.campaigns.get)

    endpoint = "/note"
    resend_is_safe = False


class FillEmptyTags(_OneByOne):
    """Fills answers' empty tags, by answer id or by campaign and customer."""

    name = FILL_EMPTY_TAGS

    def prepare(self, record: dict[str, Any]) -> Delivery:
        return validation.prepare_tags_fill(record, self.stream_action, self.run.campaigns.get)

    endpoint = "/fill-empty-tags"


ACTIONS: dict[str, type[Action]] = {
    action.name: action for action in (Dispatch, Answers, SurveyLinks, Notes, FillEmptyTags)
}
"""Each action class by its name in `stream_actions`."""
