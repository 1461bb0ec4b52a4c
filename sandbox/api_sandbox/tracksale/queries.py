"""Query parameters of the read endpoints: date windows, campaign codes, limits and flags.

`start` and `end` are UTC dates `YYYY-MM-DD` (whole days) or times `YYYY-MM-DDTHH:mm:ss`
(exact seconds), both ends inclusive. Without them a report covers the 30 days before the
request: from 00:00:00 thirty days ago to the end of today.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

from api_sandbox.timestamps import SECONDS_PER_DAY, day_start
from api_sandbox.tracksale.answer_views import AnswerView

DEFAULT_WINDOW_DAYS = 30
DEFAULT_LIMIT = 10
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_MOMENT = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}")
_CODE = re.compile(r"\d{1,9}")
_LIMIT = re.compile(r"-?\d{1,9}")
_ON = frozenset({"1", "true"})


class QueryError(ValueError):
    """A malformed query parameter; the message names it."""


@dataclass(frozen=True)
class Window:
    """A period of Unix seconds, both ends inclusive."""

    start: int
    end: int

    def previous(self) -> Window:
        """The period of the same length just before this one."""
        length = self.end - self.start + 1
        return Window(self.start - length, self.start - 1)

    def __contains__(self, moment: object) -> bool:
        return isinstance(moment, int) and self.start <= moment <= self.end


def parse_moment(name: str, text: str, *, end_of_day: bool = False) -> int:
    """A `YYYY-MM-DD` date (its first second, or its last with `end_of_day`) or exact time."""
    try:
        if _DAY.fullmatch(text):
            start = day_start(date.fromisoformat(text))
            return start + SECONDS_PER_DAY - 1 if end_of_day else start
        if _MOMENT.fullmatch(text):
            moment = datetime.fromisoformat(text).replace(tzinfo=timezone.utc)
            return int(moment.timestamp())
    except ValueError:
        pass
    raise QueryError(f"{name} must be a date YYYY-MM-DD or YYYY-MM-DDTHH:mm:ss, got {text!r}")


def default_window(now: int) -> Window:
    """The 30 days before `now`, in whole UTC days, today included."""
    today = datetime.fromtimestamp(now, timezone.utc).date()
    first = today - timedelta(days=DEFAULT_WINDOW_DAYS)
    return Window(day_start(first), day_start(today) + SECONDS_PER_DAY - 1)


def parse_window(params: Mapping[str, str], now: int) -> Window:
    """`start` and `end`, each defaulting to its end of the last 30 days."""
    default = default_window(now)
    start = parse_moment("start", params["start"]) if "start" in params else default.start
    end = parse_moment("end", params["end"], end_of_day=True) if "end" in params else default.end
    if start > end:
        raise QueryError(f"start ({params.get('start')}) is after end ({params.get('end')})")
    return Window(start, end)


def parse_codes(params: Mapping[str, str]) -> frozenset[int] | None:
    """The campaign codes of `codes` (comma-separated), or None for every campaign."""
    text = params.get("codes", "").strip()
    if not text:
        return None
    parts = [part.strip() for part in text.split(",") if part.strip()]
    if not all(_CODE.fullmatch(part) for part in parts):
        raise QueryError(f"codes must be campaign codes separated by commas, got {text!r}")
    return frozenset(int(part) for part in parts)


def parse_limit(params: Mapping[str, str], default: int | None = DEFAULT_LIMIT) -> int | None:
    """How many answers to serve: `limit`, 10 by default; None (`-1`) for all."""
    text = params.get("limit")
    if text is None:
        return default
    if not _LIMIT.fullmatch(text.strip()) or int(text) < -1:
        raise QueryError(f"limit must be a number of answers, or -1 for all, got {text!r}")
    return None if int(text) == -1 else int(text)


def is_on(params: Mapping[str, str], name: str) -> bool:
    """Whether a flag parameter is set: `1` or `true`."""
    return params.get(name, "").strip().lower() in _ON


def parse_view(params: Mapping[str, str]) -> AnswerView:
    """The optional answer keys asked for, and the form of the justifications."""
    form = params.get("justifReturn", "level").strip().lower() or "level"
    if form not in ("level", "array"):
        given = params.get("justifReturn")
        raise QueryError(f"justifReturn must be level or array, got {given!r}")
    return AnswerView(
        tags=is_on(params, "tags"),
        justifications_array=form == "array",
        review=is_on(params, "review"),
        nps_secondary=is_on(params, "nps_secondary"),
        open_question=is_on(params, "open_question"),
        csat=is_on(params, "csat"),
        update_time=is_on(params, "return_update_time"),
    )
