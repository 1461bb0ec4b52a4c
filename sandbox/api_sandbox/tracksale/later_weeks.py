"""A later week of the Tracksale account (see `api_sandbox.later`), added to its history.

Each campaign keeps surveying at the data period's pace: lots of new people sent during the
week, about 60% of whom answer within a day or so (answers that would fall after the week
are never given). Before that, the team works on some answers given in the last days before
the week (status, assignee and categories move on, updated during the week), as
`TracksaleDataset.edit_answer` does; the tap's lookback reads those days again.

Lots, people and answers before the week keep their codes, numbers and ids; answers stay
numbered in time order.
"""

from __future__ import annotations

import math
import random
from bisect import bisect_left

from api_sandbox.later import WEEK
from api_sandbox.timestamps import SECONDS_PER_DAY
from api_sandbox.tracksale.campaigns import Campaign
from api_sandbox.tracksale.history import (
    MEAN_ANSWER_DELAY,
    NO_SCORE,
    RECIPIENTS_PER_LOT,
    RESPONSE_RATE,
    AnswerTraits,
    History,
)
from api_sandbox.tracksale.lots import LotBook

RECENT_ANSWER_DAYS = 6
"""Answers given this many days before the week may be edited in it (within the lookback)."""
EDITED_SHARE = 0.3


class LaterWeek:
    """Adds one later week to a generated history; `add()` does it."""

    def __init__(
        self,
        seed: int,
        *,
        week: int,
        span: tuple[int, int],
        campaigns: tuple[Campaign, ...],
        history: History,
        lots: LotBook,
    ) -> None:
        self.rng = random.Random(f"tracksale:{seed}:week:{week}")
        self.start, self.end = span
        self.campaigns = campaigns
        self.history = history
        self.lots = lots

    def add(self, recipients_per_campaign: list[int]) -> None:
        """Edit recent answers, then survey that many new people per campaign this week."""
        self._edit_recent_answers()
        answered: list[tuple[int, int]] = []
        for index, count in enumerate(recipients_per_campaign):
            lot_count = max(1, round(count / RECIPIENTS_PER_LOT))
            for number in range(lot_count):
                size = count * (number + 1) // lot_count - count * number // lot_count
                answered += self._send_lot(index, number, lot_count, size)
        traits = AnswerTraits(self.rng)
        history = self.history
        recipients = history.recipients
        for at, recipient in sorted(answered):
            recipients.answer[recipient] = traits.append_to(
                history.answers,
                time=at,
                recipient=recipient,
                campaign=recipients.campaign[recipient],
                last=NO_SCORE,
                end=self.end,
            )

    def _send_lot(
        self, index: int, number: int, lot_count: int, size: int
    ) -> list[tuple[int, int]]:
        """Send lot `number` of the week's `lot_count` to `size` new people.

        Returns (time, recipient) of those who answer within the week.
        """
        rng, history = self.rng, self.history
        send = self.start + int((number + rng.random()) * WEEK / lot_count)
        create = max(self.start, send - 600 - int(rng.random() * SECONDS_PER_DAY / 4))
        lot = self.lots.new_lot(self.campaigns[index].code, create, send)
        lot_index = len(self.lots.lots) - 1
        recipients = history.recipients
        first = len(recipients)
        answered = []
        for _ in range(size):
            person = history.person_count
            history.person_count += 1
            recipient = recipients.append(index, person, lot_index)
            history.surveyed[index].setdefault(person, []).append(send)
            if rng.random() < RESPONSE_RATE:
                delay = -math.log(1.0 - rng.random()) * MEAN_ANSWER_DELAY
                if send + 60 + int(delay) <= self.end:
                    answered.append((send + 60 + int(delay), recipient))
        lot.recipients = range(first, len(recipients))
        return answered

    def _edit_recent_answers(self) -> None:
        answers = self.history.answers
        first = bisect_left(answers.time, self.start - RECENT_ANSWER_DAYS * SECONDS_PER_DAY)
        recent = range(first, len(answers))
        count = min(len(recent), max(1, round(EDITED_SHARE * len(recent))))
        for row in sorted(self.rng.sample(recent, count)):
            at = self.start + int(self.rng.random() * WEEK)
            answers.move_on(row, at)
