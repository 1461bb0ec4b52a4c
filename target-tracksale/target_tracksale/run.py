"""The delivery pipeline of one run: batches screened, sent, settled in order.

A sink hands each full batch to `Run.deliver` with its stream's action (`actions.Action`). The
batch is screened (`screening.Screening`: the ledger, and the records of batches still in
flight), and its requests are queued without waiting for them: `max_concurrency` requests are in
flight at a time, across batches, so reading and checking the next batch overlaps sending this
one and no batch waits for the slowest request of the one before. Batches settle in order (their
answers go to the ledger, the rejects file and the summary, `outputs.RunOutputs`); at most
`BATCHES_IN_FLIGHT` are unsettled at once. A batch's STATE is released
(`state_release.StateRelease`, where the rule is written) once it has settled. `finish` settles
the last batches, sends the lots of `lot_then_send` streams and writes the summary.

Tracksale's security lock (HTTP 405) stops the run like any failure, with one difference: the
request it refused, and every request the tripped budget then kept from going out, is taken
off the ledger's claims, since Tracksale did not act on it. The next run so sends those
records once, with no doubt about an earlier delivery. (Unless an earlier attempt of the same
request went out and failed unanswered: then it stays claimed, unsettled, as any request that
may have been delivered.)

Several runs may share one ledger (a PostgreSQL `ledger_url`): each request claims its
records in the ledger before it goes out (`Ledger.claim`), sends only those it won, and
writes Tracksale's answer to the ledger at once, in its worker. Records another live run is
sending are waited for, then counted as already sent (or sent here, if that run's request
failed without acting on them).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import time
import uuid
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from typing import Any

from target_tracksale import ledger as ledger_status
from target_tracksale import ledger_lots as lots
from target_tracksale.actions import Action
from target_tracksale.campaigns import CampaignDirectory
from target_tracksale.client import RecordRefusedError, TracksaleLockedError, TracksaleWriteClient
from target_tracksale.deliveries import Delivery, Outcome, Request, Status
from target_tracksale.ledger import DEFAULT_LEASE_SECONDS, Ledger
from target_tracksale.ledger_database import LedgerUrl, parse_ledger_url, sqlite_url
from target_tracksale.outputs import RunOutputs, setting_path
from target_tracksale.screening import ALREADY_SENT_REASONS, Screening
from target_tracksale.state_release import StateRelease
from target_tracksale.stream_actions import StreamAction

MAX_BATCH_SIZE = 500
BATCHES_IN_FLIGHT = 2
"""Batches queued or in flight before `deliver` waits for the oldest to settle."""
CLAIM_WAIT_SECONDS = (0.1, 2.0)
"""First and longest pause between two looks at records another live run is sending."""

_LEDGER_STATUS = {
    Status.SENT: ledger_status.SENT,
    Status.ALREADY_SENT: ledger_status.SENT,
    Status.DUPLICATED: ledger_status.DUPLICATED,
}


class NotSentError(Exception):
    """A queued request left unsent because an earlier one failed and the run is stopping."""


def ledger_location(config: Mapping[str, Any]) -> LedgerUrl:
    """`ledger_url`, else the SQLite file at `ledger_path`; in memory with the ledger off."""
    if config.get("ledger_enabled", True) is False:
        return parse_ledger_url("sqlite://:memory:")
    url = config.get("ledger_url")
    return parse_ledger_url(str(url) if url else sqlite_url(setting_path(config, "ledger_path")))


@dataclass
class _Batch:
    sent: deque[tuple[Action, Request, Future[list[Outcome]]]] = field(default_factory=deque)
    """Each request queued and not yet recorded, with its action and its outcomes' future."""
    errors: list[BaseException] = field(default_factory=list)
    checkpoint: dict[str, Any] | None = None
    keys: list[tuple[str, int, str]] = field(default_factory=list)
    """(action, campaign, identity) of each record it sends."""

    def done(self) -> bool:
        return all(future.done() for _, _, future in self.sent)


class Run:
    """One run's delivery pipeline, and what its actions share (`actions.RunServices`)."""

    def __init__(
        self,
        config: Mapping[str, Any],
        *,
        emit_state: Callable[[dict[str, Any]], None],
        logger: logging.Logger,
    ) -> None:
        stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%S")
        self.run_id = f"{stamp}-{uuid.uuid4().hex[:8]}"
        self.logger = logger
        self.dry_run = bool(config.get("dry_run"))
        self.check_can_impact = bool(config.get("check_can_impact"))
        self.batch_size = int(config.get("batch_size") or MAX_BATCH_SIZE)
        self.api = TracksaleWriteClient(config)
        self.campaigns = CampaignDirectory(self.api.campaigns)
        self.ledger = Ledger(
            ledger_location(config),
            run_id=self.run_id,
            lease_seconds=float(config.get("ledger_lease_seconds") or DEFAULT_LEASE_SECONDS),
        )
        self.outputs = RunOutputs(config, run_id=self.run_id, dry_run=self.dry_run)
        self.survey_links = self.outputs.survey_links
        self.summary = self.outputs.summary
        self.summary.files["ledger"] = self.ledger.where.shown
        self.summary.api_figures = self._api_figures
        self.screening = Screening(self.ledger, run_id=self.run_id, dry_run=self.dry_run)
        self.state = StateRelease(emit_state, dry_run=self.dry_run)
        self.pool = ThreadPoolExecutor(self.api.max_concurrency, thread_name_prefix="request")
        """The threads requests are sent on, `max_concurrency` of them."""
        self.lots_to_send: dict[int, StreamAction] = {}
        self._in_flight: deque[_Batch] = deque()
        self._stopping = False
        """Set when a request fails: the requests queued behind it are not sent."""

    def check_ledger_against(self, state: Any) -> None:
        """Warn when the tap resumes from a bookmark but the ledger has never seen a run.

        Then the ledger of the earlier runs was most likely lost (a file on a container or
        CI runner that did not survive), and records the tap reads again (a lookback, a
        full-table stream) would be sent to Tracksale again.
        """
        if self.ledger.history or self.ledger.where.path == ":memory:":
            return
        bookmarks = state.get("bookmarks") if isinstance(state, dict) else None
        streams = sorted(name for name, mark in (bookmarks or {}).items() if mark)
        if not streams:
            return
        warning = (
            f"The ledger at {self.ledger.where.shown} is empty, but the incoming STATE shows "
            f"earlier runs (bookmarks of {', '.join(streams)}). If those runs kept their "
            "ledger elsewhere (a file on a runner that did not survive), records read again "
            "will be sent again: set ledger_url to a ledger that outlives the runner "
            "(postgresql://...), or ledger_path to a kept volume."
        )
        self.logger.warning(warning)
        self.summary.warnings.append(warning)

    def _api_figures(self) -> dict[str, float]:
        client = self.api.client
        return {
            "requests": client.request_count,
            "retries": client.retry_count,
            "concurrency_lowered": client.limit_decreases,
            **self.api.budget.figures(),
        }

    # Batches

    def deliver(
        self, action: Action, deliveries: Sequence[Delivery], checkpoint: dict[str, Any] | None
    ) -> None:
        """Send one batch of a stream; returns once its requests are queued."""
        self._settle_answered()
        while len(self._in_flight) >= BATCHES_IN_FLIGHT:
            self._settle_oldest()
        to_send, skipped = self.screening.screen(action, deliveries)
        self._record(action, None, skipped)
        if to_send and self.check_can_impact and not self.dry_run:
            try:
                to_send, refused = action.screen_remotely(to_send)
            except BaseException as error:
                self._stop_after(error)
                raise
            self._record(action, None, refused)
        requests = action.plan(to_send)
        self.summary.add_requests(action.stream_name, action.name, len(requests))
        if self.dry_run:
            would = [Outcome(d, Status.WOULD_SEND) for r in requests for d in r.deliveries]
            self._record(action, None, would)
            for request in requests:
                self.logger.debug(
                    "Dry run: would send %d record(s) of %s to campaign %s",
                    len(request.deliveries),
                    action.stream_name,
                    request.campaign_code,
                )
            return
        batch = _Batch(checkpoint=checkpoint)
        batch.keys = [(action.name, d.campaign_code, d.identity) for d in to_send]
        self.screening.hold(batch.keys)
        for request in requests:
            batch.sent.append((action, request, self.pool.submit(self._exchange, action, request)))
        self._in_flight.append(batch)

    def _exchange(self, action: Action, request: Request) -> list[Outcome]:
        """In a worker: claim the request's records, send those won, return what became of all.

        Tracksale's answer goes to the ledger here, at once (so another run waiting for
        these records learns of it); rejects, counts and STATE wait for the thread that
        settles the batch, so that a worker is free for the next request at once. Records
        another live run is sending are waited for, then claimed again: by then they are
        delivered (already sent), or free again and sent here. Once a request has failed,
        the requests queued behind it are not sent: the run stops.
        """
        if self._stopping:
            raise NotSentError
        request.ledger_id = uuid.uuid4().hex
        outcomes: list[Outcome] = []
        waiting = request.deliveries
        pause, longest = CLAIM_WAIT_SECONDS
        while True:
            by_identity = {delivery.identity: delivery for delivery in waiting}
            claim = self.ledger.claim(
                action.name,
                request.campaign_code,
                request.ledger_id,
                list(by_identity),
                stream=action.stream_name,
                take_over=action.resend_is_safe,
            )
            for identity, (status, run_id) in claim.final.items():
                reason = f"{ALREADY_SENT_REASONS[status]} (run {run_id})"
                outcomes.append(Outcome(by_identity[identity], Status.ALREADY_SENT, reason))
            for identity, run_id in claim.unsettled.items():
                outcomes.append(self.screening.unsettled(action, by_identity[identity], run_id))
            if claim.won:
                for identity in claim.taken_over:
                    by_identity[identity].unsettled_earlier = True
                won = [by_identity[identity] for identity in claim.won]
                outcomes.extend(self._send_claimed(action, replace(request, deliveries=won)))
            waiting = [d for d in waiting if d.identity in claim.in_flight]
            if not waiting:
                return outcomes
            if self._stopping:
                raise NotSentError
            time.sleep(pause)
            pause = min(pause * 2, longest)

    def _send_claimed(self, action: Action, request: Request) -> list[Outcome]:
        """Send records this request claimed; write Tracksale's answer to the ledger."""
        try:
            outcomes = action.send(request)
        except TracksaleLockedError as locked:
            self._stopping = True
            if not locked.maybe_delivered:
                self.ledger.withdraw(request.ledger_id)
            raise
        except BaseException:
            self._stopping = True
            raise
        self._settle_ledger(action, request, outcomes)
        return outcomes

    def _stop_after(self, error: BaseException) -> None:
        """Stop on a failure outside the batches (a can-impact check), losing no answer.

        Sends nothing more, records what the batches in flight were answered (so the ledger
        holds everything Tracksale accepted), then writes the failed summary; no STATE.
        """
        self._stopping = True
        for batch in self._in_flight:
            self._record_answers(batch)
        self._in_flight.clear()
        self.outputs.flush()
        self.fail(error)

    def settle(self) -> None:
        """Wait until every request in flight is answered and recorded, releasing STATE."""
        while self._in_flight:
            self._settle_oldest()

    def _settle_answered(self) -> None:
        """Settle the batches, oldest first, whose requests have all been answered."""
        while self._in_flight and self._in_flight[0].done():
            self._settle_oldest()

    def _settle_oldest(self) -> None:
        batch = self._in_flight[0]
        self._record_answers(batch)
        errors = sorted(batch.errors, key=lambda error: isinstance(error, NotSentError))
        if errors:
            # Every request in flight is awaited (and recorded) before the error is raised.
            for later in list(self._in_flight)[1:]:
                self._record_answers(later)
        if not self._in_flight or self._in_flight[0] is not batch:
            return  # a settle that interrupted this one (a signal's drain) finished the batch
        self._in_flight.popleft()
        self.screening.release(batch.keys)
        self.outputs.flush()
        if errors:
            self._in_flight.clear()
            self.fail(errors[0])
            raise errors[0]
        self.outputs.progress()
        if batch.checkpoint is not None:
            self.state.release(batch.checkpoint)

    def _record_answers(self, batch: _Batch) -> None:
        """Record the outcomes of a batch's requests in order, each once; keep the failures."""
        while batch.sent:
            action, request, future = batch.sent[0]
            error = future.exception()
            batch.sent.popleft()
            if error is None:
                self._record(action, request, future.result())
            else:
                batch.errors.append(error)

    def _record(self, action: Action, request: Request | None, outcomes: Sequence[Outcome]) -> None:
        """Count outcomes and keep rejects; for an answered request, its lots and links too."""
        self.outputs.count(action.stream_name, action.name, outcomes)
        if request is not None:
            self._note_lots(action, request, outcomes)
            action.after_outcomes(request, outcomes)

    def _settle_ledger(self, action: Action, request: Request, outcomes: Sequence[Outcome]) -> None:
        """Answered records become final in the ledger; refused ones are forgotten."""
        final: list[tuple[str, str, str | None, str | None]] = []
        released: list[str] = []
        unsettled: list[str] = []
        for outcome in outcomes:
            identity = outcome.delivery.identity
            status = _LEDGER_STATUS.get(outcome.status)
            if status is not None:
                detail = json.dumps(outcome.detail) if outcome.detail else None
                final.append((identity, status, outcome.lot_code, detail))
            elif outcome.status is Status.INVALID:
                released.append(identity)
            else:
                unsettled.append(identity)
        self.ledger.settle(
            request.ledger_id,
            action.name,
            request.campaign_code,
            final=final,
            released=released,
            unsettled=unsettled,
            stream=action.stream_name,
        )

    def _note_lots(self, action: Action, request: Request, outcomes: Sequence[Outcome]) -> None:
        """Lots the request's customers joined, kept to send at the end (`lot_then_send`)."""
        if request.into_lot:
            for lot_code in {o.lot_code for o in outcomes if o.lot_code}:
                self.ledger.lots.add(request.campaign_code, lot_code, stream=action.stream_name)
                if action.sends_lots:
                    self.lots_to_send[request.campaign_code] = action.stream_action

    # End of run

    def finish(self) -> None:
        """Settle the last batch, send `lot_then_send` lots, write and log the summary."""
        self.settle()
        self._send_lots()
        self.outputs.succeeded(self.logger)

    def _send_lots(self) -> None:
        for campaign_code, lot_code in self.ledger.lots.open_ones(self.lots_to_send):
            stream_action = self.lots_to_send[campaign_code]
            if self.dry_run:
                self.summary.add_lot(campaign_code, lot_code, None, sent=False)
                continue
            try:
                reply = self.api.post(
                    f"/campaign/{campaign_code}/dispatch/{lot_code}",
                    {"time": stream_action.schedule_time or 0},
                    record_level=True,
                )
            except RecordRefusedError as refused:
                self.logger.warning(
                    "Lot %s of campaign %s is no longer open in Tracksale (HTTP %d: %s); it "
                    "was sent or discarded elsewhere.",
                    lot_code,
                    campaign_code,
                    refused.status,
                    refused.message,
                )
                self.ledger.lots.close(campaign_code, lot_code, lots.GONE)
                continue
            except Exception as exc:
                self.fail(exc)
                raise
            body = reply.body if isinstance(reply.body, dict) else {}
            self.ledger.lots.close(campaign_code, lot_code)
            self.summary.add_lot(campaign_code, lot_code, body.get("customers"), sent=True)

    def fail(self, error: BaseException) -> None:
        """Write and log the summary of a run that is stopping on `error`."""
        self.outputs.failed(error, self.logger)

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)
        self.api.close()
        self.ledger.close()
        self.outputs.close()
