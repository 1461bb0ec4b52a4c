"""One run of the target: the API, the ledger, the output files, and batches in flight.

A sink hands each full batch to `Run.deliver`, which screens it against the ledger (and
against the records of batches still in flight), and queues its requests without waiting for
them: `max_concurrency` requests are in flight at a time, across batches, so reading and
checking the next batch overlaps sending this one and no batch waits for the slowest request
of the one before. Batches settle in order (their answers go to the ledger, the rejects file
and the summary); at most `BATCHES_IN_FLIGHT` are unsettled at once. A STATE message is
released only once every request of every record before it has been answered and recorded.
`finish` settles the last batches, sends the lots of `lot_then_send` streams and writes the
summary.

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
from collections import Counter, deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from target_tracksale import ledger as ledger_status
from target_tracksale.action_sink import ActionSink
from target_tracksale.campaigns import CampaignDirectory
from target_tracksale.client import RecordRefusedError, TracksaleLockedError, TracksaleWriteClient
from target_tracksale.deliveries import REJECTED_STATUSES, Delivery, Outcome, Request, Status
from target_tracksale.jsonl import JsonLinesFile
from target_tracksale.ledger import DEFAULT_LEASE_SECONDS, Ledger
from target_tracksale.ledger_database import LedgerUrl, parse_ledger_url, sqlite_url
from target_tracksale.rejects import RejectsFile
from target_tracksale.stream_actions import StreamAction
from target_tracksale.summary import RunSummary

OUTPUT_DIR = Path(".output") / "target-tracksale"
DEFAULT_PATHS = {
    "ledger_path": OUTPUT_DIR / "ledger.sqlite",
    "rejects_path": OUTPUT_DIR / "rejects.jsonl",
    "summary_path": OUTPUT_DIR / "summary.json",
    "survey_links_path": OUTPUT_DIR / "survey_links.jsonl",
}
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
_ALREADY_SENT_REASONS = {
    ledger_status.SENT: "the ledger shows it delivered",
    ledger_status.DUPLICATED: "the ledger shows Tracksale reported it duplicated (surveyed)",
}


class NotSentError(Exception):
    """A queued request left unsent because an earlier one failed and the run is stopping."""


def setting_path(config: Mapping[str, Any], name: str) -> Path:
    """A path setting, or its default under `.output/target-tracksale/`."""
    return Path(str(config.get(name) or DEFAULT_PATHS[name]))


def ledger_location(config: Mapping[str, Any]) -> LedgerUrl:
    """`ledger_url`, else the SQLite file at `ledger_path`; in memory with the ledger off."""
    if config.get("ledger_enabled", True) is False:
        return parse_ledger_url("sqlite://:memory:")
    url = config.get("ledger_url")
    return parse_ledger_url(str(url) if url else sqlite_url(setting_path(config, "ledger_path")))


@dataclass
class _Batch:
    sent: deque[tuple[ActionSink, Request, Future[list[Outcome]]]] = field(default_factory=deque)
    """Each request queued and not yet recorded, with its sink and its outcomes' future."""
    errors: list[BaseException] = field(default_factory=list)
    checkpoint: dict[str, Any] | None = None
    keys: list[tuple[str, int, str]] = field(default_factory=list)
    """(action, campaign, identity) of each record it sends."""

    def done(self) -> bool:
        return all(future.done() for _, _, future in self.sent)


class Run:
    """Everything one run shares: the API, campaigns, ledger, files and the batch in flight."""

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
        self.rejects = RejectsFile(setting_path(config, "rejects_path"), run_id=self.run_id)
        self.survey_links = JsonLinesFile(setting_path(config, "survey_links_path"))
        self.summary = RunSummary(
            setting_path(config, "summary_path"), run_id=self.run_id, dry_run=self.dry_run
        )
        self.summary.files = {
            "rejects": str(self.rejects.path),
            "ledger": self.ledger.where.shown,
        }
        self.summary.api_figures = self._api_figures
        self.pool = ThreadPoolExecutor(self.api.max_concurrency, thread_name_prefix="tracksale")
        self.lots_to_send: dict[int, StreamAction] = {}
        self._emit_state = emit_state
        self._in_flight: deque[_Batch] = deque()
        self._stopping = False
        """Set when a request fails: the requests queued behind it are not sent."""
        self._sending: set[tuple[str, int, str]] = set()
        """Records in batches not yet settled: a repeat of one is not sent again."""
        self._dry_run_seen: set[tuple[str, int, str]] = set()

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
        self, sink: ActionSink, deliveries: Sequence[Delivery], checkpoint: dict[str, Any] | None
    ) -> None:
        """Send one sink batch; returns once its requests are queued."""
        self._settle_answered()
        while len(self._in_flight) >= BATCHES_IN_FLIGHT:
            self._settle_oldest()
        to_send = self._screen(sink, deliveries)
        if to_send and self.check_can_impact and not self.dry_run:
            try:
                to_send, refused = sink.screen_remotely(to_send)
            except BaseException as error:
                self._stop_after(error)
                raise
            self._record(sink, None, refused)
        requests = sink.plan(to_send)
        self.summary.add_requests(sink.stream_name, sink.action, len(requests))
        if self.dry_run:
            would = [Outcome(d, Status.WOULD_SEND) for r in requests for d in r.deliveries]
            self._record(sink, None, would)
            for request in requests:
                self.logger.debug(
                    "Dry run: would send %d record(s) of %s to campaign %s",
                    len(request.deliveries),
                    sink.stream_name,
                    request.campaign_code,
                )
            return
        batch = _Batch(checkpoint=checkpoint)
        batch.keys = [(sink.action, d.campaign_code, d.identity) for d in to_send]
        self._sending.update(batch.keys)
        for request in requests:
            batch.sent.append((sink, request, self.pool.submit(self._exchange, sink, request)))
        self._in_flight.append(batch)

    def _exchange(self, sink: ActionSink, request: Request) -> list[Outcome]:
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
                sink.action,
                request.campaign_code,
                request.ledger_id,
                list(by_identity),
                stream=sink.stream_name,
                take_over=sink.resend_is_safe,
            )
            for identity, (status, run_id) in claim.final.items():
                reason = f"{_ALREADY_SENT_REASONS[status]} (run {run_id})"
                outcomes.append(Outcome(by_identity[identity], Status.ALREADY_SENT, reason))
            for identity, run_id in claim.unsettled.items():
                outcomes.append(self._unsettled(sink, by_identity[identity], run_id))
            if claim.won:
                for identity in claim.taken_over:
                    by_identity[identity].unsettled_earlier = True
                won = [by_identity[identity] for identity in claim.won]
                outcomes.extend(self._send_claimed(sink, replace(request, deliveries=won)))
            waiting = [d for d in waiting if d.identity in claim.in_flight]
            if not waiting:
                return outcomes
            if self._stopping:
                raise NotSentError
            time.sleep(pause)
            pause = min(pause * 2, longest)

    def _send_claimed(self, sink: ActionSink, request: Request) -> list[Outcome]:
        """Send records this request claimed; write Tracksale's answer to the ledger."""
        try:
            outcomes = sink.send(request)
        except TracksaleLockedError as locked:
            self._stopping = True
            if not locked.maybe_delivered:
                self.ledger.withdraw(request.ledger_id)
            raise
        except BaseException:
            self._stopping = True
            raise
        self._settle_ledger(sink, request, outcomes)
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
        self.rejects.flush()
        self.survey_links.flush()
        self.fail(error)

    def settle(self) -> None:
        """Wait until every request in flight is answered and recorded; then release STATE."""
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
        self._sending.difference_update(batch.keys)
        self.rejects.flush()
        self.survey_links.flush()
        if errors:
            self._in_flight.clear()
            self.fail(errors[0])
            raise errors[0]
        self.summary.write(status="running")
        if batch.checkpoint is not None and not self.dry_run:
            self._emit_state(batch.checkpoint)

    def _record_answers(self, batch: _Batch) -> None:
        """Record the outcomes of a batch's requests in order, each once; keep the failures."""
        while batch.sent:
            sink, request, future = batch.sent[0]
            error = future.exception()
            batch.sent.popleft()
            if error is None:
                self._record(sink, request, future.result())
            else:
                batch.errors.append(error)

    def _screen(self, sink: ActionSink, deliveries: Sequence[Delivery]) -> list[Delivery]:
        """Drop what the ledger shows delivered, or what repeats a record of this run."""
        by_campaign: dict[int, list[Delivery]] = {}
        for delivery in deliveries:
            by_campaign.setdefault(delivery.campaign_code, []).append(delivery)
        to_send: list[Delivery] = []
        skipped: list[Outcome] = []
        for campaign_code, group in by_campaign.items():
            known = self.ledger.statuses(sink.action, campaign_code, [d.identity for d in group])
            seen: set[str] = set()
            for delivery in group:
                outcome = self._screen_one(sink, delivery, known.get(delivery.identity), seen)
                if outcome is None:
                    to_send.append(delivery)
                else:
                    skipped.append(outcome)
                seen.add(delivery.identity)
        self._record(sink, None, skipped)
        return to_send

    def _screen_one(
        self,
        sink: ActionSink,
        delivery: Delivery,
        known: tuple[str, str] | None,
        seen: set[str],
    ) -> Outcome | None:
        key = (sink.action, delivery.campaign_code, delivery.identity)
        if (
            delivery.identity in seen
            or key in self._sending
            or (self.dry_run and key in self._dry_run_seen)
        ):
            return Outcome(delivery, Status.ALREADY_SENT, "repeats an earlier record of this run")
        if self.dry_run:
            self._dry_run_seen.add(key)
        if known is None:
            return None
        status, run_id = known
        if status in _ALREADY_SENT_REASONS:
            return Outcome(delivery, Status.ALREADY_SENT, _ALREADY_SENT_REASONS[status])
        if status == ledger_status.IN_FLIGHT:
            return None  # another run is sending it: the claim waits for its answer
        if run_id != self.run_id and sink.resend_is_safe:
            delivery.unsettled_earlier = True
            return None
        return self._unsettled(sink, delivery, run_id)

    def _unsettled(self, sink: ActionSink, delivery: Delivery, run_id: str) -> Outcome:
        """A record whose earlier request's fate is unknown, and that is not sent again."""
        if run_id == self.run_id:
            reason = "repeats an earlier record of this run, whose delivery is not settled"
            return Outcome(delivery, Status.AMBIGUOUS, reason)
        reason = (
            f"an earlier run ({run_id}) sent it and stopped before Tracksale's answer was "
            f"recorded, and Tracksale does not detect repeated {sink.action}: check in "
            "Tracksale whether it arrived; if not, delete its row from the ledger's `claims` "
            "table to send it again"
        )
        return Outcome(delivery, Status.AMBIGUOUS, reason)

    def _record(
        self, sink: ActionSink, request: Request | None, outcomes: Iterable[Outcome]
    ) -> None:
        """Count outcomes, keep rejects, and (for answered requests) settle the ledger."""
        outcomes = list(outcomes)
        counts = Counter(outcome.status for outcome in outcomes)
        if not REJECTED_STATUSES.isdisjoint(counts):
            for outcome in outcomes:
                if outcome.status in REJECTED_STATUSES:
                    delivery = outcome.delivery
                    self.reject(
                        sink,
                        delivery.record,
                        outcome.status,
                        outcome.reason,
                        delivery.campaign_code,
                    )
        for status, count in counts.items():
            self.summary.add(sink.stream_name, sink.action, status, count)
        if request is not None:
            self._note_lots(sink, request, outcomes)
            sink.after_outcomes(request, outcomes)

    def _settle_ledger(
        self, sink: ActionSink, request: Request, outcomes: Sequence[Outcome]
    ) -> None:
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
            sink.action,
            request.campaign_code,
            final=final,
            released=released,
            unsettled=unsettled,
            stream=sink.stream_name,
        )

    def _note_lots(self, sink: ActionSink, request: Request, outcomes: Sequence[Outcome]) -> None:
        """Lots the request's customers joined, kept to send at the end (`lot_then_send`)."""
        if request.into_lot:
            for lot_code in {o.lot_code for o in outcomes if o.lot_code}:
                self.ledger.add_lot(request.campaign_code, lot_code, stream=sink.stream_name)
                if sink.sends_lots:
                    self.lots_to_send[request.campaign_code] = sink.stream_action

    def reject(
        self,
        sink: ActionSink,
        record: dict[str, Any],
        status: Status,
        reason: str,
        campaign_code: int | None = None,
    ) -> None:
        self.rejects.add(
            stream=sink.stream_name,
            action=sink.action,
            record=record,
            status=status,
            reason=reason,
            campaign_code=campaign_code,
        )

    # End of run

    def finish(self) -> None:
        """Settle the last batch, send `lot_then_send` lots, write and log the summary."""
        self.settle()
        self._send_lots()
        if self.survey_links.lines_written:
            self.summary.files["survey_links"] = str(self.survey_links.path)
        self.summary.write(status="succeeded")
        self.summary.log(self.logger)

    def _send_lots(self) -> None:
        for campaign_code, lot_code in self.ledger.open_lots(self.lots_to_send):
            action = self.lots_to_send[campaign_code]
            if self.dry_run:
                self.summary.add_lot(campaign_code, lot_code, None, sent=False)
                continue
            try:
                reply = self.api.post(
                    f"/campaign/{campaign_code}/dispatch/{lot_code}",
                    {"time": action.schedule_time or 0},
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
                self.ledger.close_lot(campaign_code, lot_code, ledger_status.LOT_GONE)
                continue
            except Exception as exc:
                self.fail(exc)
                raise
            body = reply.body if isinstance(reply.body, dict) else {}
            self.ledger.close_lot(campaign_code, lot_code)
            self.summary.add_lot(campaign_code, lot_code, body.get("customers"), sent=True)

    def fail(self, error: BaseException) -> None:
        """Write and log the summary of a run that is stopping on `error`."""
        self.summary.write(status="failed", error=str(error))
        self.summary.log(self.logger)

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)
        self.api.close()
        self.ledger.close()
        self.rejects.close()
        self.survey_links.close()
