"""The Tracksale streams, each declaring only what sets it apart.

Times the API writes without a zone are read in the `timezone` setting's zone and emitted in
UTC; flags given as "1"/"0"/"true"/... are emitted as booleans, nested ones included.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any, ClassVar

from connector_kit.errors import ConnectorError
from connector_kit.paging import PeekedPage, peek_page
from connector_kit.records import EXTRA_FIELDS, extract_records
from connector_kit.streams import WindowedStream
from connector_kit.windows import DateWindow

from tap_tracksale import schemas
from tap_tracksale.answer_reading import AnswerFetch, AnswerReader
from tap_tracksale.campaign_answers import campaign_in
from tap_tracksale.client import TracksaleStream
from tap_tracksale.justifications import read_justifications
from tap_tracksale.periods import periods
from tap_tracksale.spans import TimeSpan

ANSWER_DETAILS = {
    "tags": "true",
    "justifReturn": "level",
    "review": 1,
    "nps_secondary": 1,
    "open_question": 1,
    "csat": 1,
    "return_update_time": "true",
}
"""Ask `/report/answer` for every optional part of each answer."""


def keep_extra(record: dict[str, Any], name: str, value: Any) -> None:
    """Keep a value the tap could not read under the record's `_extra_fields`."""
    extras = record.get(EXTRA_FIELDS)
    if not isinstance(extras, dict):
        extras = record[EXTRA_FIELDS] = {}
    extras[name] = value


class CampaignsStream(TracksaleStream):
    """Campaigns with their questions, dispatch limits and counters; parent of draft lots."""

    name = "campaigns"
    primary_keys = ("code",)
    schema = schemas.CAMPAIGN

    def get_records(self, context: Mapping[str, Any] | None) -> Iterable[dict[str, Any]]:
        codes = self.config.get("campaign_codes")
        if codes:
            params = {"dispatch_limits": 1, **self.tap.whole_range()}
            for code in codes:
                yield campaign_in(self.api.get(f"campaign/{code}", params), int(code))
        else:
            for campaign in self.tap.campaign_listing:
                yield dict(campaign)

    def generate_child_contexts(
        self,
        record: dict[str, Any],
        context: Mapping[str, Any] | None,
    ) -> Iterable[dict[str, Any] | None]:
        yield {"campaign_code": record["code"]}


class DraftLotsStream(TracksaleStream):
    """Each campaign's open (unsent) lots, as they stand at the time of the run."""

    name = "draft_lots"
    primary_keys = ("campaign_code", "code")
    schema = schemas.DRAFT_LOT
    parent_stream_type = CampaignsStream
    state_partitioning_keys: ClassVar[list[str]] = []

    def get_records(self, context: Mapping[str, Any] | None) -> Iterable[dict[str, Any]]:
        code = (context or {})["campaign_code"]
        body = self.api.get(f"campaign/{code}/draft-lot")
        lots = body.get("lot") if isinstance(body, dict) and "lot" in body else body
        for lot in extract_records(lots or [], where="draft-lot response"):
            yield {**lot, "campaign_code": code}


class AnswersStream(TracksaleStream, WindowedStream):
    """Answers with every detail, by answer time; recent ones are read again to catch edits."""

    name = "answers"
    primary_keys = ("id",)
    replication_key = "time"
    schema = schemas.ANSWER
    uses_lookback = True

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._reader: AnswerReader | None = None
        self._unread_reported: set[str] = set()

    def records_in_window(
        self, window: DateWindow, context: Mapping[str, Any] | None
    ) -> Iterable[dict[str, Any]]:
        """The window's answers, in parts read `max_concurrency` at a time (see `AnswerReader`)."""
        if self._reader is None:
            pool = self.api.pool
            self._reader = AnswerReader(
                self._answer_report(),
                executor=pool.executor,
                max_concurrency=pool.max_concurrency,
                most=int(self.config.get("max_answers_per_request", 5000)),
                logger=self.logger,
            )
        return self._reader.answers_in(TimeSpan.of_window(window))

    def post_process(
        self, row: dict[str, Any], context: Mapping[str, Any] | None = None
    ) -> dict[str, Any] | None:
        """Justifications in the tap's one shape (see `justifications`)."""
        raw = row.get("justifications")
        if raw is None or (type(raw) is list and not raw):
            return super().post_process(row, context)
        shaped = read_justifications(raw)
        if shaped is None:
            keep_extra(row, "justifications", raw)
            if "justifications" not in self._unread_reported:
                self._unread_reported.add("justifications")
                self.logger.warning(
                    "answers: justifications in a form the tap does not know (answer %s: %r); "
                    "kept under %s",
                    row.get("id"),
                    raw,
                    EXTRA_FIELDS,
                )
        row["justifications"] = shaped
        return super().post_process(row, context)

    def _answer_report(self) -> AnswerFetch:
        filters = {**self.codes_filter(), **ANSWER_DETAILS}

        def fetch(span: TimeSpan, limit: int) -> PeekedPage:
            params = {**span.query(), **filters, "limit": limit}
            return self.api.get("report/answer", params, decode=peek_page)  # type: ignore[no-any-return]

        return fetch


class DispatchesStream(TracksaleStream, WindowedStream):
    """Dispatch lots with their customers, by creation time."""

    name = "dispatches"
    primary_keys = ("dispatch_code",)
    replication_key = "create_time"
    schema = schemas.DISPATCH

    def records_in_window(
        self, window: DateWindow, context: Mapping[str, Any] | None
    ) -> Iterable[dict[str, Any]]:
        params = {"start": window.start.isoformat(), "end": window.end.isoformat()}
        body = self.api.get("report/dispatch", {**params, **self.codes_filter()})
        return extract_records(body, where="dispatch report")

    def post_process(
        self, row: dict[str, Any], context: Mapping[str, Any] | None = None
    ) -> dict[str, Any] | None:
        campaign = row.get("campaign")
        if isinstance(campaign, dict) and "campaign_code" not in row:
            row["campaign_code"] = campaign.get("code")
        # The customers' times are the account's local time: read before the schema's
        # conformance, which takes a time without a zone for UTC.
        customers = row.get("customers")
        for customer in customers if isinstance(customers, list) else []:
            if not isinstance(customer, dict):
                continue
            moment = customer.get("dispatch_time")
            if isinstance(moment, str):  # Unix seconds are the conformer's to read
                customer["dispatch_time"] = self.local_times.to_utc(moment)
        return super().post_process(row, context)


class PeriodReportStream(TracksaleStream, WindowedStream):
    """An aggregate report, one request per campaign and period of `report_granularity`.

    Periods are whole days, ISO weeks or calendar months; the bookmark is the last period
    read, which is read again on the next run since it may not have been over.
    """

    endpoint: ClassVar[str]
    replication_key = "period_start"
    skipped_reports = 0
    """Campaign and period pairs not asked for (see `campaign_activity`)."""

    @property
    def granularity(self) -> str:
        return str(self.config.get("report_granularity") or "week")

    def windows(self, context: Mapping[str, Any] | None) -> list[DateWindow]:
        return list(periods(self.first_day(context), self.last_day(), self.granularity))

    def record_batches(self, context: Mapping[str, Any] | None) -> Iterator[list[dict[str, Any]]]:
        yield from super().record_batches(context)
        if self.skipped_reports:
            self.logger.info(
                "%s: %d campaign and period report(s) not asked for: the campaign did not exist "
                "yet, or had no dispatch and no answer from start_date to end_date",
                self.name,
                self.skipped_reports,
            )

    def records_in_window(
        self, window: DateWindow, context: Mapping[str, Any] | None
    ) -> Iterable[dict[str, Any]]:
        codes = self.tap.campaigns_to_report(window)
        self.skipped_reports += len(self.tap.campaign_codes) - len(codes)
        dates = {"start": window.start.isoformat(), "end": window.end.isoformat()}
        bodies = self.api.pool.map(
            lambda code: self.api.get(f"report/{self.endpoint}", {**dates, "codes": code}), codes
        )
        period = {
            "granularity": self.granularity,
            "period_start": f"{window.start.isoformat()}T00:00:00Z",
            "period_end": window.end.isoformat(),
        }
        for code, body in zip(codes, bodies, strict=True):
            for row in self.rows(body):
                yield {**row, "campaign_code": code, **period}

    def rows(self, body: Any) -> list[dict[str, Any]]:
        return extract_records(body, where=f"{self.endpoint} report")


NPS_COUNTS = frozenset({"dispatches", "promoters", "passives", "detractors", "nps"})
"""What an nps report answer holds (seed: "Return example")."""


class NpsStream(PeriodReportStream):
    """NPS, promoters, passives, detractors and dispatches per campaign and period."""

    name = "nps"
    endpoint = "nps"
    primary_keys = ("campaign_code", "granularity", "period_start")
    schema = schemas.NPS

    def rows(self, body: Any) -> list[dict[str, Any]]:
        """The one NPS object the seed shows; an object with none of its counts is an error."""
        if isinstance(body, dict) and not any(isinstance(v, list) for v in body.values()):
            if not NPS_COUNTS & body.keys():
                msg = (
                    f"The nps report answered an object with keys {sorted(body)}, none of the "
                    f"NPS counts ({', '.join(sorted(NPS_COUNTS))}); the tap stops rather than "
                    "record an empty period."
                )
                raise ConnectorError(msg)
            return [{k: v for k, v in body.items() if k != "compare"}]
        return super().rows(body)


class CategoriesStream(PeriodReportStream):
    """Answer categories with their totals and NPS, per campaign and period."""

    name = "categories"
    endpoint = "category"
    primary_keys = ("campaign_code", "granularity", "period_start", "id")
    schema = schemas.CATEGORY


class StatusesStream(PeriodReportStream):
    """Answer statuses with their totals, per campaign and period."""

    name = "statuses"
    endpoint = "status"
    primary_keys = ("campaign_code", "granularity", "period_start", "id")
    schema = schemas.STATUS


class WidgetsStream(TracksaleStream):
    """The configured widgets: views and opening limits."""

    name = "widgets"
    primary_keys = ("key",)
    schema = schemas.WIDGET

    def get_records(self, context: Mapping[str, Any] | None) -> Iterable[dict[str, Any]]:
        for key in self.config.get("widget_keys") or []:
            body = self.api.get(f"widget/{key}")
            if not isinstance(body, dict):
                msg = (
                    f"widget/{key} answered {type(body).__name__} where the API documents an "
                    "object (views, limits); nothing was read from it."
                )
                raise ConnectorError(msg)
            yield {**body, "key": key}


STREAM_TYPES: list[type[TracksaleStream]] = [
    CampaignsStream,
    DraftLotsStream,
    AnswersStream,
    DispatchesStream,
    NpsStream,
    CategoriesStream,
    StatusesStream,
    WidgetsStream,
]
