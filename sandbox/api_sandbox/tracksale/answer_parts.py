"""The pre-encoded JSON pieces answers are assembled from.

Tags, categories, justifications and the answers to a campaign's other questions take few
distinct values, so each is encoded once, on first use, and shared by every answer that has
it. Rendering an answer is then mostly a matter of picking pieces.
"""

from __future__ import annotations

from collections.abc import Sequence

import msgspec

from api_sandbox.tracksale.campaigns import Campaign, Question
from api_sandbox.tracksale.vocabulary import (
    CATEGORIES,
    JUSTIFICATION_GROUPS,
    OPEN_ANSWERS,
    REVIEW_COMMENTS,
    TAG_CHOICES,
)

PASSIVE_SCORE = 7
MAX_JUSTIFICATIONS = 2
# Per scored question: 10% skipped (no score), a score near the NPS one, 30% with a comment.
SCORED_VARIANTS = 10 * 3 * 10
OPEN_VARIANTS = 2 * len(OPEN_ANSWERS)
_encode = msgspec.json.Encoder().encode


def _tag_lists() -> tuple[bytes, ...]:
    """Every combination of tag values, encoded, by mixed-radix choice number."""
    lists: list[list[dict[str, str]]] = [[]]
    for name, values in TAG_CHOICES:
        lists = [[*tags, {"name": name, "value": value}] for tags in lists for value in values]
    return tuple(_encode(tags) for tags in lists)


TAG_LISTS = _tag_lists()
CATEGORY_LISTS = tuple(
    _encode(
        [
            {"id": category.id, "name": category.name}
            for number, category in enumerate(CATEGORIES)
            if mask >> number & 1
        ]
    )
    for mask in range(1 << len(CATEGORIES))
)
EMPTY_LIST = b"[]"
JUSTIFICATIONS_KEY = b',"justifications":'
NO_JUSTIFICATIONS = (JUSTIFICATIONS_KEY + EMPTY_LIST, EMPTY_LIST)


class AnswerParts:
    """Encodes the pieces of the answers to `campaigns`, keeping each one it made."""

    def __init__(self, campaigns: Sequence[Campaign], *, score_key: str = "score") -> None:
        """`score_key`: the key of a scored item's score (`answer` under documented types)."""
        self._score_key = score_key
        self._questions = [
            {kind: campaign.questions_of(kind) for kind in ("review", "nps_secondary", "csat")}
            for campaign in campaigns
        ]
        self._open_questions = [campaign.questions_of("open_question") for campaign in campaigns]
        self._justifications: dict[tuple[bool, tuple[int, ...]], tuple[bytes, bytes]] = {}
        self._items: dict[tuple[str, str, int, int], bytes] = {}

    def justifications(self, positive: bool, bits: int) -> tuple[bytes, bytes]:
        """0 to 2 justifications drawn from `bits`: the `array` and `level` forms.

        The array form comes with its key, as the piece a view inserts (see `answer_views`);
        the level form (the API's default) goes in the answer's blob.
        """
        count, bits = bits % (MAX_JUSTIFICATIONS + 1), bits // (MAX_JUSTIFICATIONS + 1)
        picks = []
        for _ in range(count):
            bits, pick = divmod(bits, 2 * len(JUSTIFICATION_GROUPS))
            picks.append(pick)
        key = (positive, tuple(sorted(set(picks))))
        encoded = self._justifications.get(key)
        if encoded is None:
            encoded = self._justifications[key] = _justifications(*key)
        return encoded

    def question_lists(self, campaign: int, score: int, bits: int) -> tuple[bytes, ...]:
        """The review, secondary NPS, open question and CSAT lists of an answer."""
        questions = self._questions[campaign]
        lists = []
        for kind in ("review", "nps_secondary"):
            items = []
            for question in questions[kind]:
                bits, variant = divmod(bits, SCORED_VARIANTS)
                items.append(self._scored(kind, question, score, variant))
            lists.append(b"[" + b",".join(items) + b"]" if items else EMPTY_LIST)
        items = []
        for question in self._open_questions[campaign]:
            bits, variant = divmod(bits, OPEN_VARIANTS)
            items.append(self._open(question, variant))
        lists.append(b"[" + b",".join(items) + b"]" if items else EMPTY_LIST)
        items = []
        for question in questions["csat"]:
            bits, variant = divmod(bits, SCORED_VARIANTS)
            items.append(self._scored("csat", question, score, variant))
        lists.append(b"[" + b",".join(items) + b"]" if items else EMPTY_LIST)
        return tuple(lists)

    def _scored(self, kind: str, question: Question, score: int, variant: int) -> bytes:
        key = (kind, question.question, score, variant)
        encoded = self._items.get(key)
        if encoded is None:
            skipped, rest = divmod(variant, 30)
            drift, comment = divmod(rest, 10)
            top, bottom = (10, 0) if kind == "nps_secondary" else (5, 1)
            value = max(bottom, min(top, round(score * top / 10) + drift - 1))
            with_comment = kind != "nps_secondary" and comment < 3
            encoded = self._items[key] = _encode(
                {
                    "question": question.question,
                    self._score_key: None if skipped == 0 else value,
                    "comment": REVIEW_COMMENTS[comment] if with_comment else None,
                }
            )
        return encoded

    def _open(self, question: Question, variant: int) -> bytes:
        key = ("open_question", question.question, 0, variant)
        encoded = self._items.get(key)
        if encoded is None:
            answer = OPEN_ANSWERS[variant] if variant < len(OPEN_ANSWERS) else None
            encoded = self._items[key] = _encode({"question": question.question, "answer": answer})
        return encoded


def justification_text(group: int, text: str) -> str:
    """A justification's name as Tracksale serves it: an i18n JSON text, or plain text.

    The last group's names are plain, as some accounts' are; the others' are `{"pt-br": ...}`.
    """
    if group == len(JUSTIFICATION_GROUPS) - 1:
        return text
    return _encode({"pt-br": text}).decode()


def _justifications(positive: bool, picks: tuple[int, ...]) -> tuple[bytes, bytes]:
    chosen: dict[int, list[str]] = {}
    for pick in picks:
        group, reason = divmod(pick, 2)
        _, praises, complaints = JUSTIFICATION_GROUPS[group]
        text = (praises if positive else complaints)[reason]
        chosen.setdefault(group, []).append(justification_text(group, text))
    level = [
        {"name": justification_text(group, name), "children": chosen[group]}
        for group, (name, _, _) in enumerate(JUSTIFICATION_GROUPS)
        if group in chosen
    ]
    flat = [child for entry in level for child in entry["children"]]
    return JUSTIFICATIONS_KEY + _encode(flat), _encode(level)
