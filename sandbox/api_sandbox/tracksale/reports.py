"""The aggregate reports: NPS, categories and statuses, and the campaigns' answer counters.

Scores 9-10 are promoters, 7-8 passives, 0-6 detractors. Percentages are of the answers,
rounded to 2 decimals; NPS is the promoters' percentage minus the detractors', as served
(0 when there are no answers).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from api_sandbox.tracksale.history import AnswerColumns
from api_sandbox.tracksale.vocabulary import CATEGORIES, STATUSES

PROMOTER_SCORE = 9
PASSIVE_SCORE = 7


class ScoreCounts:
    """How many promoters, passives and detractors a set of answers has."""

    def __init__(self, scores: Counter[int]) -> None:
        self.promoters = sum(n for score, n in scores.items() if score >= PROMOTER_SCORE)
        self.passives = sum(
            n for score, n in scores.items() if PASSIVE_SCORE <= score < PROMOTER_SCORE
        )
        self.detractors = sum(n for score, n in scores.items() if score < PASSIVE_SCORE)

    @property
    def answers(self) -> int:
        return self.promoters + self.passives + self.detractors

    def percentage(self, count: int) -> float:
        return round(count * 100 / self.answers, 2) if self.answers else 0.0

    @property
    def nps(self) -> float:
        if not self.answers:
            return 0.0
        return round(self.percentage(self.promoters) - self.percentage(self.detractors), 2)


def nps_report(columns: AnswerColumns, rows: Sequence[int], dispatches: int) -> dict[str, object]:
    """`GET /report/nps` for these answers and this many dispatched customers."""
    counts = ScoreCounts(Counter(map(columns.score.__getitem__, rows)))
    return {
        "dispatches": dispatches,
        "promoters": counts.promoters,
        "detractors": counts.detractors,
        "passives": counts.passives,
        "detractors_percentage": counts.percentage(counts.detractors),
        "passives_percentage": counts.percentage(counts.passives),
        "promoters_percentage": counts.percentage(counts.promoters),
        "nps": counts.nps,
    }


def category_report(columns: AnswerColumns, rows: Sequence[int]) -> list[dict[str, object]]:
    """`GET /report/category`: each category the answers have, with its count and NPS."""
    pairs = Counter(
        zip(
            map(columns.categories.__getitem__, rows),
            map(columns.score.__getitem__, rows),
            strict=True,
        )
    )
    scores: list[Counter[int]] = [Counter() for _ in CATEGORIES]
    for (mask, score), count in pairs.items():
        for number in range(len(CATEGORIES)):
            if mask >> number & 1:
                scores[number][score] += count
    report = []
    for category, category_scores in zip(CATEGORIES, scores, strict=True):
        counts = ScoreCounts(category_scores)
        if counts.answers:
            report.append(
                {
                    "id": category.id,
                    "name": category.name,
                    "color": category.color,
                    "total": counts.answers,
                    "nps": counts.nps,
                }
            )
    return report


def status_report(columns: AnswerColumns, rows: Sequence[int]) -> list[dict[str, object]]:
    """`GET /report/status`: each status the answers are in, with its count."""
    totals = Counter(map(columns.status.__getitem__, rows))
    return [
        {"id": status.id, "name": status.name, "total": totals[number], "color": status.color}
        for number, status in enumerate(STATUSES)
        if totals[number]
    ]


def campaign_counters(
    columns: AnswerColumns, rows: Sequence[int], campaign_count: int
) -> list[dict[str, int]]:
    """Per campaign (by index): its detractors, passives, promoters, answers and comments."""
    campaign_of = columns.campaign
    scores = Counter(
        zip(map(campaign_of.__getitem__, rows), map(columns.score.__getitem__, rows), strict=True)
    )
    commented = Counter(campaign_of[row] for row in rows if columns.commented[row])
    per_campaign: list[Counter[int]] = [Counter() for _ in range(campaign_count)]
    for (campaign, score), count in scores.items():
        per_campaign[campaign][score] += count
    counters = []
    for campaign, campaign_scores in enumerate(per_campaign):
        counts = ScoreCounts(campaign_scores)
        counters.append(
            {
                "detractors": counts.detractors,
                "passives": counts.passives,
                "promoters": counts.promoters,
                "answers": counts.answers,
                "comments": commented[campaign],
            }
        )
    return counters
