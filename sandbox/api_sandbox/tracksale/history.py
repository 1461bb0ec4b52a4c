"""The survey history a sandbox starts with: recipients in lots, and the answers they gave.

Generated in one seeded pass into compact columns (one row per recipient or answer). Each
campaign surveys its share of about `scale / RESPONSE_RATE` recipients in lots spread evenly
over the data period; about 60% of the recipients answer, a few minutes to a few days after
their lot was sent (answers that would fall after the period are never given). Answers are
numbered in time order. The rest of an answer (comments, tags, justifications, ...) is derived
when it is rendered, see `answer_records.py`.
"""

from __future__ import annotations

import math
import random
from array import array
from dataclasses import dataclass, field

from api_sandbox.timestamps import SECONDS_PER_DAY
from api_sandbox.tracksale.campaigns import Campaign
from api_sandbox.tracksale.contacts import Customer, main_channel_key
from api_sandbox.tracksale.lots import LotBook
from api_sandbox.tracksale.people import People
from api_sandbox.tracksale.vocabulary import ASSIGNEES, CATEGORIES, STATUSES

MIN_ANSWERS = 50
RESPONSE_RATE = 0.6
PEOPLE_PER_RECIPIENT = 0.75
RECIPIENTS_PER_LOT = 25
MIN_LOTS_PER_CAMPAIGN = 6
MAX_LOTS_PER_CAMPAIGN = 365
MEAN_ANSWER_DELAY = SECONDS_PER_DAY
MAX_UPDATE_DELAY = 7 * SECONDS_PER_DAY
COMMENT_PERCENT = 55
# Probability weights of the NPS scores 0 to 10, and of the statuses Pending, In progress,
# Resolved.
SCORE_WEIGHTS = (3, 2, 2, 3, 3, 5, 7, 12, 15, 22, 26)
STATUS_WEIGHTS = (30, 25, 45)
CATEGORY_COUNT_CHOICES = (0, 1, 1, 1, 2)
DRAFT_LOT_CAMPAIGN = 2
NO_SCORE = -1
NO_ASSIGNEE = -1
NO_RECIPIENT = -1
NO_ANSWER = -1
ALL_CATEGORIES = (1 << len(CATEGORIES)) - 1


@dataclass
class Recipients:
    """Per generated recipient: campaign (index), person, lot (index) and answer row or -1."""

    campaign: array = field(default_factory=lambda: array("b"))
    person: array = field(default_factory=lambda: array("i"))
    lot: array = field(default_factory=lambda: array("i"))
    answer: array = field(default_factory=lambda: array("i"))

    def __len__(self) -> int:
        return len(self.person)

    def append(self, campaign: int, person: int, lot: int) -> int:
        self.campaign.append(campaign)
        self.person.append(person)
        self.lot.append(lot)
        self.answer.append(NO_ANSWER)
        return len(self.person) - 1


@dataclass
class AnswerColumns:
    """Per answer: when, by whom (recipient row, or -1 when inserted through the API), what.

    `status`, `assignee`, `categories` (a bit mask over `CATEGORIES`) and `update_time` change
    when an answer is edited.
    """

    time: array = field(default_factory=lambda: array("q"))
    recipient: array = field(default_factory=lambda: array("i"))
    campaign: array = field(default_factory=lambda: array("b"))
    score: array = field(default_factory=lambda: array("b"))
    last_score: array = field(default_factory=lambda: array("b"))
    commented: bytearray = field(default_factory=bytearray)
    status: bytearray = field(default_factory=bytearray)
    assignee: array = field(default_factory=lambda: array("b"))
    categories: array = field(default_factory=lambda: array("H"))
    update_time: array = field(default_factory=lambda: array("q"))

    def __len__(self) -> int:
        return len(self.time)

    def append(
        self,
        *,
        time: int,
        recipient: int,
        campaign: int,
        score: int,
        last_score: int,
        commented: bool,
        status: int = 0,
        assignee: int = NO_ASSIGNEE,
        categories: int = 0,
        update_time: int | None = None,
    ) -> int:
        self.time.append(time)
        self.recipient.append(recipient)
        self.campaign.append(campaign)
        self.score.append(score)
        self.last_score.append(last_score)
        self.commented.append(commented)
        self.status.append(status)
        self.assignee.append(assignee)
        self.categories.append(categories)
        self.update_time.append(time if update_time is None else update_time)
        return len(self.time) - 1

    def move_on(self, row: int, at: int) -> None:
        """Work on an answer at `at`: next status and assignee, other categories, updated."""
        self.status[row] = (self.status[row] + 1) % len(STATUSES)
        assignee = self.assignee[row]
        self.assignee[row] = 0 if assignee == NO_ASSIGNEE else (assignee + 1) % len(ASSIGNEES)
        mask = self.categories[row]
        rotated = (mask << 1 | mask >> (len(CATEGORIES) - 1)) & ALL_CATEGORIES
        self.categories[row] = rotated if rotated != mask else 1 << row % len(CATEGORIES)
        self.update_time[row] = max(at, self.time[row])


@dataclass
class History:
    """Generated recipients and answers, and who each campaign surveyed when.

    `surveyed[campaign index][person]` lists the send times of the person's lots.
    """

    recipients: Recipients
    answers: AnswerColumns
    surveyed: list[dict[int, list[int]]]
    person_count: int


def recipients_per_campaign(scale: int, campaigns: tuple[Campaign, ...]) -> list[int]:
    """Recipients each campaign surveys over the data period, for about `scale` answers."""
    wanted_recipients = math.ceil(max(scale, MIN_ANSWERS) / RESPONSE_RATE)
    total_weight = sum(campaign.weight for campaign in campaigns)
    return [
        max(1, round(wanted_recipients * campaign.weight / total_weight)) for campaign in campaigns
    ]


def _table(weights: tuple[int, ...]) -> tuple[int, ...]:
    """Outcome by percentile: `weights` (summing to 100) spelled out as 100 entries."""
    return tuple(outcome for outcome, weight in enumerate(weights) for _ in range(weight))


def _category_masks() -> tuple[int, ...]:
    """Category bit masks to draw from: about 20% none, 55% one category, 25% two."""
    singles = [1 << category for category in range(len(CATEGORIES))]
    pairs = [first | second for first in singles for second in singles if first < second]
    return (0,) * 20 + tuple(singles) * 8 + tuple(pairs)


SCORE_BY_PERCENTILE = _table(SCORE_WEIGHTS)
STATUS_BY_PERCENTILE = _table(STATUS_WEIGHTS)
CATEGORY_MASKS = _category_masks()


class AnswerTraits:
    """Draws the traits of new answers: score, comment, status, assignee and categories."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def append_to(
        self,
        answers: AnswerColumns,
        *,
        time: int,
        recipient: int,
        campaign: int,
        last: int,
        end: int,
    ) -> int:
        """Append an answer given at `time` with drawn traits; updated no later than `end`."""
        score, commented, status, assignee, mask, delay = self.draw()
        touched = status != 0 or assignee != NO_ASSIGNEE or mask
        return answers.append(
            time=time,
            recipient=recipient,
            campaign=campaign,
            score=score,
            last_score=last,
            commented=commented,
            status=status,
            assignee=assignee,
            categories=mask,
            update_time=min(time + delay, max(end, time)) if touched else time,
        )

    def draw(self) -> tuple[int, bool, int, int, int, int]:
        """Score, commented, status, assignee, category mask and seconds until updated."""
        bits = self.rng.getrandbits(64)
        bits, score = divmod(bits, 100)
        bits, status = divmod(bits, 100)
        bits, assignee = divmod(bits, 2 * len(ASSIGNEES))
        bits, mask = divmod(bits, len(CATEGORY_MASKS))
        bits, delay = divmod(bits, MAX_UPDATE_DELAY)
        status = STATUS_BY_PERCENTILE[status]
        unassigned = status == 0 and assignee % 2 == 1
        return (
            SCORE_BY_PERCENTILE[score],
            bits % 100 < COMMENT_PERCENT,
            status,
            NO_ASSIGNEE if unassigned else assignee // 2,
            CATEGORY_MASKS[mask],
            600 + delay,
        )


class HistoryGenerator:
    """Generates the history of one sandbox over `period` (its first and last second)."""

    def __init__(
        self,
        seed: int,
        campaigns: tuple[Campaign, ...],
        period: tuple[int, int],
        people: People,
    ) -> None:
        self.rng = random.Random(f"tracksale:history:{seed}")
        self.campaigns = campaigns
        self.start, self.end = period
        self.people = people

    def generate(self, scale: int, lots: LotBook) -> History:
        """About `scale` answers (at least `MIN_ANSWERS`), filling `lots` with their lots."""
        rng, start, end = self.rng, self.start, self.end
        random_fraction = rng.random
        wanted_recipients = math.ceil(max(scale, MIN_ANSWERS) / RESPONSE_RATE)
        person_count = max(MIN_ANSWERS, int(wanted_recipients * PEOPLE_PER_RECIPIENT))
        counts = recipients_per_campaign(scale, self.campaigns)
        campaign_of: list[int] = []
        person_of: list[int] = []
        lot_of: list[int] = []
        surveyed: list[dict[int, list[int]]] = [{} for _ in self.campaigns]
        answered: list[tuple[int, int]] = []
        for index, (campaign, count) in enumerate(zip(self.campaigns, counts, strict=True)):
            lot_count = min(
                MAX_LOTS_PER_CAMPAIGN, max(MIN_LOTS_PER_CAMPAIGN, count // RECIPIENTS_PER_LOT)
            )
            for number in range(lot_count):
                send = start + int((number + random_fraction()) * (end - start) / lot_count)
                create = max(start, send - 600 - int(random_fraction() * SECONDS_PER_DAY / 4))
                lot = lots.new_lot(campaign.code, create, send)
                lot_index = len(lots.lots) - 1
                size = count * (number + 1) // lot_count - count * number // lot_count
                first = len(person_of)
                chosen: set[int] = set()
                for _ in range(min(size, person_count)):
                    person = int(random_fraction() * person_count)
                    while person in chosen:
                        person = int(random_fraction() * person_count)
                    chosen.add(person)
                    surveyed[index].setdefault(person, []).append(send)
                    if random_fraction() < RESPONSE_RATE:
                        delay = -math.log(1.0 - random_fraction()) * MEAN_ANSWER_DELAY
                        if send + 60 + int(delay) <= end:
                            answered.append((send + 60 + int(delay), len(person_of)))
                    person_of.append(person)
                campaign_of += [index] * (len(person_of) - first)
                lot_of += [lot_index] * (len(person_of) - first)
                lot.recipients = range(first, len(person_of))
        recipients = Recipients(
            array("b", campaign_of),
            array("i", person_of),
            array("i", lot_of),
            array("i", [NO_ANSWER]) * len(person_of),
        )
        answers = self._answers(recipients, sorted(answered))
        person_count = self._add_draft_lot(lots, person_count)
        return History(recipients, answers, surveyed, person_count)

    def _answers(self, recipients: Recipients, answered: list[tuple[int, int]]) -> AnswerColumns:
        """The answers given at those times by those recipients, numbered in that order."""
        draw, end = AnswerTraits(self.rng).draw, self.end
        last_scores: dict[tuple[int, int], int] = {}
        columns: tuple[list[int], ...] = tuple([] for _ in range(7))
        scores, lasts, commented, statuses, assignees, masks, updates = columns
        answer_of = recipients.answer
        for answer, (at, row) in enumerate(answered):
            campaign, person = recipients.campaign[row], recipients.person[row]
            score, has_comment, status, assignee, mask, delay = draw()
            lasts.append(last_scores.get((campaign, person), NO_SCORE))
            last_scores[campaign, person] = score
            scores.append(score)
            commented.append(has_comment)
            statuses.append(status)
            assignees.append(assignee)
            masks.append(mask)
            touched = status != 0 or assignee != NO_ASSIGNEE or mask
            updates.append(min(at + delay, end) if touched else at)
            answer_of[row] = answer
        rows = [row for _, row in answered]
        return AnswerColumns(
            time=array("q", [at for at, _ in answered]),
            recipient=array("i", rows),
            campaign=array("b", [recipients.campaign[row] for row in rows]),
            score=array("b", scores),
            last_score=array("b", lasts),
            commented=bytearray(commented),
            status=bytearray(statuses),
            assignee=array("b", assignees),
            categories=array("H", masks),
            update_time=array("q", updates),
        )

    def _add_draft_lot(self, lots: LotBook, person_count: int) -> int:
        """Leave one campaign with an open lot of a few new people; returns the person count."""
        rng = self.rng
        campaign = self.campaigns[DRAFT_LOT_CAMPAIGN]
        lot = lots.new_lot(campaign.code, self.end - rng.randint(3600, 3 * SECONDS_PER_DAY))
        for _ in range(rng.randint(3, 8)):
            person = self.people.person(person_count)
            person_count += 1
            customer = Customer(person.name, person.email, person.phone, person.identification)
            lot.customers.append(customer)
            key = main_channel_key(campaign.uses_phone, customer)
            if key is not None:
                lot.keys.add(key)
        return person_count
