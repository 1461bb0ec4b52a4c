"""Answers rendered to JSON blobs (see `answer_views.py`), from their columns and a row hash.

What the columns do not hold (channel, comment, tags, justifications, the answers to the
campaign's other questions, ...) comes from a hash of (seed, row), so any answer renders on
its own, in any order, the same every time. Answers inserted through the API render from
what was sent instead, and tags filled in later replace the ones the answer had.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import accumulate
from operator import add
from typing import NamedTuple

import msgspec

from api_sandbox.timestamps import SECONDS_PER_DAY
from api_sandbox.tracksale.answer_parts import (
    CATEGORY_LISTS,
    EMPTY_LIST,
    NO_JUSTIFICATIONS,
    PASSIVE_SCORE,
    TAG_LISTS,
    AnswerParts,
)
from api_sandbox.tracksale.campaigns import Campaign
from api_sandbox.tracksale.contacts import Customer
from api_sandbox.tracksale.history import NO_ASSIGNEE, NO_SCORE, AnswerColumns, Recipients
from api_sandbox.tracksale.lots import Lot
from api_sandbox.tracksale.people import People, mix64
from api_sandbox.tracksale.vocabulary import (
    ASSIGNEES,
    DETRACTOR_COMMENTS,
    LINK_ANSWER_TYPE,
    PASSIVE_COMMENTS,
    PRIORITIES,
    PROMOTER_COMMENTS,
    STATUSES,
)

FIRST_ANSWER_ID = 6_800_001
LINK_PERCENT = 20
REMINDER_DELAY = 2 * SECONDS_PER_DAY
DEADLINE_DELAY = 3 * SECONDS_PER_DAY
PROMOTER_SCORE = 9
# Everything after the fixed fields, with each segment's key; see `answer_views.py`.
_TAIL = (
    b',"tags":%s,"categories":%s,"justifications":%s,"review":%s,"nps_secondary":%s,'
    b'"open_question":%s,"csat":%s,"update_time":%s}'
)
_KEY_LENGTHS = tuple(
    len(key) + 4
    for key in (
        "tags",
        "categories",
        "justifications",
        "review",
        "nps_secondary",
        "open_question",
        "csat",
        "update_time",
    )
)
_GENERATED_HEAD = (
    b'{"time":%d,"type":%s,"name":"%s","email":"%s","identification":%s,"phone":"%s",'
    b'"alternative_email":%s,"alternative_phone":%s,"nps_answer":%d,"last_nps_answer":%s,'
    b'"nps_comment":%s,"campaign_name":%s,"campaign_code":%s,"lot_code":"%s","id":%d,'
    b'"deadline":%s,"elapsed_time":%d,"dispatch_time":%s,"reminder_time":%s,"status":%s,'
    b'"priority":%s,"assignee":%s,"picture":null'
)
_NULL = b"null"
_encode = msgspec.json.Encoder().encode
_LINK_TYPE = _encode(LINK_ANSWER_TYPE)
_STATUS_NAMES = tuple(_encode(status.name) for status in STATUSES)
_PRIORITIES = tuple(_encode(priority) for priority in PRIORITIES)
_ASSIGNEES = tuple(_encode(assignee) for assignee in ASSIGNEES)
_COMMENTS = tuple(
    tuple(_encode(comment) for comment in comments)
    for comments in (DETRACTOR_COMMENTS, PASSIVE_COMMENTS, PROMOTER_COMMENTS)
)
_NO_QUESTION_ANSWERS = (EMPTY_LIST,) * 4


class InsertedAnswer(NamedTuple):
    """What `POST /answer` sent for one answer."""

    customer: Customer
    comment: str | None
    tags: list[dict[str, object]]


def answer_id(row: int) -> int:
    return FIRST_ANSWER_ID + row


def answer_row(identifier: int) -> int:
    return identifier - FIRST_ANSWER_ID


class AnswerRenderer:
    """Renders one answer row into its blob and the offsets of the blob's segments."""

    def __init__(
        self,
        seed: int,
        *,
        campaigns: tuple[Campaign, ...],
        people: People,
        recipients: Recipients,
        answers: AnswerColumns,
        lots: Sequence[Lot],
        documented_types: bool = False,
    ) -> None:
        self._salt = mix64(seed ^ 0x616E_7377_6572)
        self.campaigns = campaigns
        self.people = people
        self.recipients = recipients
        self.answers = answers
        self.lots = lots
        self.inserted: dict[int, InsertedAnswer] = {}
        self.filled_tags: dict[int, list[dict[str, object]]] = {}
        self._parts = AnswerParts(campaigns, score_key="answer" if documented_types else "score")
        self._code_value = str if documented_types else int
        self._campaign_codes = tuple(
            _encode(self._code_value(campaign.code)) for campaign in campaigns
        )
        self._answer_types = tuple(_encode(campaign.answer_type) for campaign in campaigns)
        self._campaign_names = tuple(_encode(campaign.name) for campaign in campaigns)

    def render(self, row: int) -> tuple[bytes, list[int], bytes]:
        """The answer's blob, the offsets of its segments, and its array justifications piece."""
        columns = self.answers
        campaign = columns.campaign[row]
        if columns.recipient[row] >= 0:
            head, tags, justifications, question_lists = self._generated(row, campaign)
        else:
            head, tags = self._inserted(row, self.campaigns[campaign])
            justifications, question_lists = NO_JUSTIFICATIONS, _NO_QUESTION_ANSWERS
        filled = self.filled_tags.get(row)
        if filled is not None:
            tags = _encode(filled)
        array_piece, level = justifications
        update_time = b"%d" % columns.update_time[row]
        values = (
            tags,
            CATEGORY_LISTS[columns.categories[row]],
            level,
            *question_lists,
            update_time,
        )
        offsets = list(accumulate(map(add, _KEY_LENGTHS, map(len, values)), initial=len(head)))
        offsets.insert(0, 0)
        blob = head + _TAIL % values
        offsets.append(len(blob))
        return blob, offsets, array_piece

    def tags(self, row: int) -> list[dict[str, object]]:
        """The answer's tags as they are now."""
        filled = self.filled_tags.get(row)
        if filled is not None:
            return filled
        inserted = self.inserted.get(row)
        if inserted is not None:
            return inserted.tags
        return msgspec.json.decode(TAG_LISTS[self._tag_choice(row)])

    def _tag_choice(self, row: int) -> int:
        return (mix64(self._salt ^ row) >> 40) % len(TAG_LISTS)

    def _generated(self, row: int, campaign_index: int) -> tuple[bytes, bytes, tuple, tuple]:
        columns, recipients = self.answers, self.recipients
        recipient = columns.recipient[row]
        person = self.people.person(recipients.person[recipient])
        lot = self.lots[recipients.lot[recipient]]
        at, score = columns.time[row], columns.score[row]
        bits = mix64(self._salt ^ row)
        bits, link = divmod(bits, 100)
        bits, comment = divmod(bits, 16)
        bits, elapsed = divmod(bits, 600)
        bits, priority = divmod(bits, 2)
        by_link = link < LINK_PERCENT
        sent = lot.send_time if lot.send_time is not None else at
        last, assignee = columns.last_score[row], columns.assignee[row]
        head = _GENERATED_HEAD % (
            at,
            _LINK_TYPE if by_link else self._answer_types[campaign_index],
            person.name.encode(),
            person.email.encode(),
            _text_or_null(person.identification),
            person.phone.encode(),
            _text_or_null(person.alternative_email),
            _text_or_null(person.alternative_phone),
            score,
            _NULL if last == NO_SCORE else b"%d" % last,
            _comment(score, comment) if columns.commented[row] else _NULL,
            self._campaign_names[campaign_index],
            self._campaign_codes[campaign_index],
            lot.code.encode(),
            FIRST_ANSWER_ID + row,
            b"%d" % (at + DEADLINE_DELAY) if score < PASSIVE_SCORE else _NULL,
            8 + elapsed,
            _NULL if by_link else b"%d" % sent,
            b"%d" % (sent + REMINDER_DELAY)
            if not by_link and at - sent > REMINDER_DELAY
            else _NULL,
            _STATUS_NAMES[columns.status[row]],
            _PRIORITIES[_priority(score, priority)],
            _NULL if assignee == NO_ASSIGNEE else _ASSIGNEES[assignee],
        )
        details = mix64(bits ^ self._salt)
        parts = self._parts
        return (
            head,
            TAG_LISTS[self._tag_choice(row)],
            parts.justifications(score >= PASSIVE_SCORE, details),
            parts.question_lists(campaign_index, score, details >> 12),
        )

    def _inserted(self, row: int, campaign: Campaign) -> tuple[bytes, bytes]:
        columns = self.answers
        inserted = self.inserted[row]
        customer = inserted.customer
        head = {
            "time": columns.time[row],
            "type": campaign.answer_type,
            "name": customer.name,
            "email": customer.email,
            "identification": customer.identification,
            "phone": customer.phone,
            "alternative_email": None,
            "alternative_phone": None,
            "nps_answer": columns.score[row],
            "last_nps_answer": None,
            "nps_comment": inserted.comment,
            "campaign_name": campaign.name,
            "campaign_code": self._code_value(campaign.code),
            "lot_code": None,
            "id": FIRST_ANSWER_ID + row,
            "deadline": None,
            "elapsed_time": 0,
            "dispatch_time": None,
            "reminder_time": None,
            "status": _STATUS_NAMES[columns.status[row]],
            "priority": PRIORITIES[0],
            "assignee": None,
            "picture": None,
        }
        assignee = columns.assignee[row]
        if assignee != NO_ASSIGNEE:
            head["assignee"] = ASSIGNEES[assignee]
        return _encode(head)[:-1], _encode(inserted.tags)


def _comment(score: int, choice: int) -> bytes:
    if score >= PROMOTER_SCORE:
        comments = _COMMENTS[2]
    elif score >= PASSIVE_SCORE:
        comments = _COMMENTS[1]
    else:
        comments = _COMMENTS[0]
    return comments[choice % len(comments)]


def _text_or_null(text: str | None) -> bytes:
    """A JSON string for text that needs no escaping (generated ASCII), or null."""
    return _NULL if text is None else b'"%s"' % text.encode()


def _priority(score: int, choice: int) -> int:
    """None or Low for promoters, Low or Medium for passives, Medium or High for detractors."""
    if score >= PROMOTER_SCORE:
        return choice
    if score >= PASSIVE_SCORE:
        return 1 + choice
    return 2 + choice
