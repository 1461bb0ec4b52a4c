"""The Tracksale account of one sandbox: its data, the queries on it, and every change to it.

Everything is deterministic from the seed and sized by `scale` (about that many answers);
`weeks_later` adds that many later weeks after the data period (see `later_weeks.py`).
One lock guards all of it: requests arrive concurrently, and each read or write holds the
lock for the few milliseconds it needs.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta, timezone
from typing import NamedTuple

import msgspec

from api_sandbox.impact_crm import DEFAULT_DATA_END, DEFAULT_DATA_START
from api_sandbox.later import WEEK, check_weeks_later, last_day, week_span
from api_sandbox.timestamps import SECONDS_PER_DAY, day_start, now_seconds
from api_sandbox.tracksale.answer_book import AnswerBook
from api_sandbox.tracksale.answer_records import FIRST_ANSWER_ID, AnswerRenderer, InsertedAnswer
from api_sandbox.tracksale.answer_views import AnswerView
from api_sandbox.tracksale.campaigns import Campaign, build_campaigns
from api_sandbox.tracksale.contacts import main_channel_key
from api_sandbox.tracksale.dispatch_records import DispatchRenderer
from api_sandbox.tracksale.dispatching import Dispatcher, DispatchOutcome
from api_sandbox.tracksale.history import (
    NO_SCORE,
    AnswerTraits,
    HistoryGenerator,
    recipients_per_campaign,
)
from api_sandbox.tracksale.later_weeks import LaterWeek
from api_sandbox.tracksale.ledger import SurveyLedger
from api_sandbox.tracksale.lots import Lot, LotBook
from api_sandbox.tracksale.people import People
from api_sandbox.tracksale.queries import Window
from api_sandbox.tracksale.reports import (
    campaign_counters,
    category_report,
    nps_report,
    status_report,
)
from api_sandbox.tracksale.widgets import build_widgets
from api_sandbox.tracksale.write_bodies import BodyError, customer_of, tags_of, text_field

MAX_ADDED_ANSWERS = 100_000
ADDED_LOT_LEAD_TIME = 3600


class AnswerInsert(NamedTuple):
    """The outcome of `POST /answer`: the rows inserted, with what was sent for each."""

    rows: list[int]
    items: list[dict[str, object]]
    invalid: int


class TracksaleDataset:
    """Campaigns, lots, answers, widgets and the survey ledger of one sandbox account."""

    def __init__(
        self,
        *,
        seed: int = 1,
        scale: int = 200,
        data_start: date = DEFAULT_DATA_START,
        data_end: date = DEFAULT_DATA_END,
        weeks_later: int = 0,
        documented_types: bool = False,
    ) -> None:
        """`documented_types`: serve the types of the `tracksale-documented-types` quirk."""
        self.seed = seed
        self.data_start, self.data_end = data_start, data_end
        self.weeks_later = check_weeks_later(weeks_later)
        self.last_day = last_day(data_end, weeks_later)
        period = (day_start(data_start), day_start(data_end) + SECONDS_PER_DAY - 1)
        self.period = Window(period[0], day_start(self.last_day) + SECONDS_PER_DAY - 1)
        self.campaigns = build_campaigns(seed, period[0])
        self._campaign_index = {campaign.code: n for n, campaign in enumerate(self.campaigns)}
        self.people = People(seed)
        self.lots = LotBook(seed)
        history = HistoryGenerator(seed, self.campaigns, period, self.people).generate(
            scale, self.lots
        )
        weekly = [
            max(1, round(count * WEEK / (period[1] - period[0] + 1)))
            for count in recipients_per_campaign(scale, self.campaigns)
        ]
        for week in range(1, weeks_later + 1):
            span = week_span(data_end, week)
            LaterWeek(
                seed,
                week=week,
                span=span,
                campaigns=self.campaigns,
                history=history,
                lots=self.lots,
            ).add(weekly)
        self.recipients = history.recipients
        self._person_count = history.person_count
        renderer = AnswerRenderer(
            seed,
            campaigns=self.campaigns,
            people=self.people,
            recipients=history.recipients,
            answers=history.answers,
            lots=self.lots.lots,
            documented_types=documented_types,
        )
        self.answers = AnswerBook(renderer, self.people)
        codes = [campaign.code for campaign in self.campaigns]
        self.ledger = SurveyLedger(self.people, codes, history.surveyed)
        self.dispatcher = Dispatcher(self.lots, self.ledger)
        self._dispatch_renderer = DispatchRenderer(
            self.campaigns, self.people, self.recipients, documented_types=documented_types
        )
        self.widgets = build_widgets(seed)
        self._added_traits = AnswerTraits(random.Random(f"tracksale:added:{seed}"))
        self.lock = threading.RLock()

    def prerender(self) -> int:
        """Render every answer's JSON now, so that no request pays for it; returns how many."""
        with self.lock:
            return self.answers.prerender()

    # Campaigns and widgets

    def campaign(self, code: int) -> Campaign | None:
        index = self._campaign_index.get(code)
        return None if index is None else self.campaigns[index]

    def campaign_records(
        self, window: Window, now: int, *, codes: frozenset[int] | None = None, limits: bool = False
    ) -> list[dict[str, object]]:
        """The campaigns as `GET /campaign` lists them, counters over `window`."""
        with self.lock:
            rows = self.answers.select(window)
            counters = campaign_counters(self.answers.columns, rows, len(self.campaigns))
            records = []
            for campaign, counter in zip(self.campaigns, counters, strict=True):
                if codes is not None and campaign.code not in codes:
                    continue
                fixed = campaign.as_dict()
                record = {key: fixed[key] for key in ("name", "code", "description")}
                record |= {key: counter[key] for key in ("detractors", "passives", "promoters")}
                record["dispatches"] = self._dispatched(window, frozenset({campaign.code}))
                record["comments"] = counter["comments"]
                record["answers"] = counter["answers"]
                record |= {key: fixed[key] for key in ("main_channel", "create_time", "questions")}
                if limits:
                    record["dispatch_limits"] = self._dispatch_limits(campaign, now)
                records.append(record)
            return records

    def draft_lots(self, campaign: Campaign) -> dict[str, object]:
        with self.lock:
            lots = self.lots.open_lots(campaign.code)
            return {
                "lot": [
                    {"code": lot.code, "create_time": lot.create_time, "total_dispatches": lot.size}
                    for lot in lots
                ]
            }

    # Answers

    def answer_bytes(
        self, window: Window, codes: frozenset[int] | None, limit: int | None, view: AnswerView
    ) -> bytes:
        """`GET /report/answer`: the first `limit` answers (all when None), as JSON."""
        with self.lock:
            rows = self.answers.select(window, self._indexes(codes))
            if limit is not None:
                rows = rows[:limit]
            return json_array(self.answers.encode(rows, view))

    def answer_record(self, row: int) -> dict[str, object]:
        """One answer with every optional key, justifications by level."""
        with self.lock:
            return msgspec.json.decode(self.answers.encode([row], AnswerView.everything())[0])

    # Dispatches and reports

    def dispatch_bytes(self, window: Window, codes: frozenset[int] | None, now: int) -> bytes:
        """`GET /report/dispatch`: sent and scheduled lots created in `window`, as JSON."""
        with self.lock:
            encoded = [
                self._dispatch_renderer.encode(lot, now)
                for lot in self.lots.dispatched()
                if lot.create_time in window and (codes is None or lot.campaign_code in codes)
            ]
        return json_array(encoded)

    def nps(self, window: Window, codes: frozenset[int] | None, compare: bool) -> dict:
        with self.lock:
            report = self._nps(window, codes)
            if compare:
                report["compare"] = self._nps(window.previous(), codes)
            return report

    def categories(self, window: Window, codes: frozenset[int] | None) -> list[dict]:
        with self.lock:
            rows = self.answers.select(window, self._indexes(codes))
            return category_report(self.answers.columns, rows)

    def statuses(self, window: Window, codes: frozenset[int] | None) -> list[dict]:
        with self.lock:
            rows = self.answers.select(window, self._indexes(codes))
            return status_report(self.answers.columns, rows)

    # Writes

    def dispatch(
        self,
        campaign: Campaign,
        items: Sequence[dict[str, object]],
        schedule_time: int | None,
        now: int,
    ) -> DispatchOutcome:
        with self.lock:
            return self.dispatcher.dispatch(campaign, items, schedule_time, now)

    def send_lot(self, campaign: Campaign, lot_code: str, time: int, now: int) -> Lot | None:
        with self.lock:
            return self.dispatcher.send(campaign, lot_code, time, now)

    def discard_lot(self, campaign: Campaign, lot_code: str) -> bool:
        with self.lock:
            return self.dispatcher.discard(campaign, lot_code)

    def can_impact(self, campaign: Campaign, key: str, now: int) -> bool:
        with self.lock:
            return self.dispatcher.can_impact(campaign, key, now)

    def insert_answers(
        self, campaign: Campaign, items: Sequence[dict[str, object]], now: int
    ) -> AnswerInsert:
        """`POST /answer`: insert the valid answers, count the invalid ones."""
        accepted = []
        invalid = 0
        for position, item in enumerate(items):
            where = f"answers[{position}]"
            customer = customer_of(item, where)
            comment = text_field(item, "justification", where)
            tags = tags_of(item, where)
            created = item.get("create_time")
            if created is not None and (isinstance(created, bool) or not isinstance(created, int)):
                raise BodyError(f"{where}.create_time must be a Unix time in seconds")
            score = item.get("score")
            usable = (
                isinstance(score, int)
                and not isinstance(score, bool)
                and 0 <= score <= 10
                and bool(customer.name and customer.name.strip())
                and main_channel_key(campaign.uses_phone, customer) is not None
            )
            if not usable:
                invalid += 1
                continue
            answer = InsertedAnswer(customer, comment or None, tags)
            accepted.append((created or now, score, answer, item))
        index = self._campaign_index[campaign.code]
        with self.lock:
            rows = [
                self.answers.insert(index, time, score, answer)
                for time, score, answer, _ in accepted
            ]
        return AnswerInsert(rows, [item for *_, item in accepted], invalid)

    def find_answer(
        self, key: str, window: Window | None = None, campaign: Campaign | None = None
    ) -> int | None:
        """The row of the customer's latest answer (in `window`, to `campaign`), if any."""
        with self.lock:
            columns = self.answers.columns
            index = None if campaign is None else self._campaign_index[campaign.code]
            for row in reversed(self.answers.rows_of(key)):
                if window is not None and columns.time[row] not in window:
                    continue
                if index is None or columns.campaign[row] == index:
                    return row
            return None

    @staticmethod
    def answer_id(row: int) -> int:
        return FIRST_ANSWER_ID + row

    def answer_row(self, answer_id: object) -> int | None:
        """The row of an answer id, or None when there is no such answer."""
        if isinstance(answer_id, bool) or not isinstance(answer_id, int):
            return None
        row = answer_id - FIRST_ANSWER_ID
        return row if self.answers.exists(row) else None

    def fill_empty_tags(self, row: int, tags: Sequence[Mapping[str, object]], now: int) -> None:
        """Give the answer's empty or missing tags the values sent; others keep theirs."""
        with self.lock:
            current = [dict(tag) for tag in self.answers.renderer.tags(row)]
            by_name = {tag.get("name"): tag for tag in current}
            for tag in tags:
                existing = by_name.get(tag["name"])
                if existing is None:
                    existing = by_name[tag["name"]] = {"name": tag["name"], "value": None}
                    current.append(existing)
                if existing.get("value") in (None, ""):
                    existing["value"] = tag.get("value")
            self.answers.renderer.filled_tags[row] = current
            self._touch(row, now)

    # Changes, for tests

    def edit_answer(self, answer_id: int) -> dict[str, object]:
        """Move an answer on: next status and assignee, other categories, updated now."""
        row = self.answer_row(answer_id)
        if row is None:
            raise LookupError(f"no answer with id {answer_id}")
        with self.lock:
            self.answers.columns.move_on(row, now_seconds())
            self.answers.forget(row)
            return self.answer_record(row)

    def add_answers(self, count: int) -> list[int]:
        """Add `count` answers given now, each by a new customer of a new lot; returns ids."""
        if not 1 <= count <= MAX_ADDED_ANSWERS:
            raise ValueError(f"n must be between 1 and {MAX_ADDED_ANSWERS}, got {count}")
        now = now_seconds()
        ids = []
        with self.lock:
            shares = [count // len(self.campaigns)] * len(self.campaigns)
            for extra in range(count % len(self.campaigns)):
                shares[(len(self.answers) + extra) % len(self.campaigns)] += 1
            for index, share in enumerate(shares):
                if share:
                    ids += self._add_lot_of_answers(index, share, now)
        return ids

    def counts(self) -> dict[str, int]:
        """How many records each read stream has in all: campaigns, answers, lots, ..."""
        with self.lock:
            rows = self.answers.select(Window(-(2**62), 2**62))
            columns = self.answers.columns
            return {
                "campaigns": len(self.campaigns),
                "answers": len(self.answers),
                "dispatches": len(self.lots.dispatched()),
                "draft_lots": sum(1 for lot in self.lots.lots if lot.is_open),
                "widgets": len(self.widgets),
                "categories": len(category_report(columns, rows)),
                "statuses": len(status_report(columns, rows)),
            }

    # Internals

    def _indexes(self, codes: frozenset[int] | None) -> frozenset[int] | None:
        if codes is None:
            return None
        return frozenset(self._campaign_index[c] for c in codes if c in self._campaign_index)

    def _dispatched(self, window: Window, codes: frozenset[int] | None) -> int:
        """How many customers were sent (or are scheduled) a survey in `window`."""
        return sum(
            lot.size
            for lot in self.lots.lots
            if lot.is_dispatched
            and lot.send_time in window
            and (codes is None or lot.campaign_code in codes)
        )

    def _nps(self, window: Window, codes: frozenset[int] | None) -> dict[str, object]:
        rows = self.answers.select(window, self._indexes(codes))
        return nps_report(self.answers.columns, rows, self._dispatched(window, codes))

    def _dispatch_limits(self, campaign: Campaign, now: int) -> dict[str, dict[str, int | None]]:
        limits = campaign.dispatch_limits
        if limits is None:
            return {period: {"limit": None, "remaining": None} for period in _PERIODS}
        today = datetime.fromtimestamp(now, timezone.utc).date()
        starts = (today, today - timedelta(days=today.weekday()), today.replace(day=1))
        codes = frozenset({campaign.code})
        return {
            period: {
                "limit": limit,
                "remaining": max(0, limit - self._dispatched(Window(day_start(start), now), codes)),
            }
            for period, limit, start in zip(_PERIODS, limits, starts, strict=True)
        }

    def _touch(self, row: int, now: int) -> None:
        columns = self.answers.columns
        columns.update_time[row] = max(now, columns.time[row])
        self.answers.forget(row)

    def _add_lot_of_answers(self, index: int, count: int, now: int) -> list[int]:
        campaign = self.campaigns[index]
        sent = now - ADDED_LOT_LEAD_TIME
        lot = self.lots.new_lot(campaign.code, sent - 600, sent)
        lot_index = len(self.lots.lots) - 1
        first = len(self.recipients)
        ids = []
        for _ in range(count):
            person = self._person_count
            self._person_count += 1
            recipient = self.recipients.append(index, person, lot_index)
            self.ledger.record_person(campaign.code, person, sent)
            row = self._added_traits.append_to(
                self.answers.columns,
                time=now,
                recipient=recipient,
                campaign=index,
                last=NO_SCORE,
                end=now,
            )
            self.recipients.answer[recipient] = row
            self.answers.appended(row)
            ids.append(FIRST_ANSWER_ID + row)
        lot.recipients = range(first, len(self.recipients))
        return ids


_PERIODS = ("daily", "weekly", "monthly")


def json_array(items: list[bytes]) -> bytes:
    """A JSON array of encoded items, joined with a single copy of the items."""
    if not items:
        return b"[]"
    items[0] = b"[" + items[0]
    items[-1] = items[-1] + b"]"
    return b",".join(items)
