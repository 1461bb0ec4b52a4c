"""Which optional keys a `GET /report/answer` request asks for, and how to cut them out.

An answer is rendered once into a blob with every key, justifications in the default `level`
form: the form a client that asks for everything gets, served as is. Other views are cut from
the blob: one to a few slices, and for the `array` form of the justifications a separately
kept piece (shared by all answers with the same justifications). So no view needs its own
cache.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

HEAD, TAGS, CATEGORIES, JUSTIFICATIONS, REVIEW, NPS_SECONDARY = range(6)
OPEN_QUESTION, CSAT, UPDATE_TIME, CLOSE = range(6, 10)
SEGMENTS = 10
# A blob's offsets: where each segment starts, and the blob's length.
OFFSETS_PER_ANSWER = SEGMENTS + 1
# A piece of a view that is the array form of the justifications, not a slice of the blob.
ARRAY_PIECE = (-1, -1)


@dataclass(frozen=True)
class AnswerView:
    """The optional parts of an answer a request asks for."""

    tags: bool = False
    justifications_array: bool = False
    review: bool = False
    nps_secondary: bool = False
    open_question: bool = False
    csat: bool = False
    update_time: bool = False

    @classmethod
    def everything(cls, *, justifications_array: bool = False) -> AnswerView:
        """Every optional key, justifications by level unless asked as an array."""
        return cls(True, justifications_array, True, True, True, True, True)

    @cached_property
    def whole(self) -> bool:
        """Whether the view is the whole blob."""
        return self.pieces == ((HEAD, SEGMENTS),)

    @cached_property
    def pieces(self) -> tuple[tuple[int, int], ...]:
        """The view's pieces in order: runs of neighbouring segments of the blob.

        Each is (first offset index, offset index after), or `ARRAY_PIECE` where the array
        form of the justifications goes.
        """
        wanted = [HEAD, TAGS] if self.tags else [HEAD]
        wanted.append(CATEGORIES)
        wanted.append(-1 if self.justifications_array else JUSTIFICATIONS)
        optional = (
            (self.review, REVIEW),
            (self.nps_secondary, NPS_SECONDARY),
            (self.open_question, OPEN_QUESTION),
            (self.csat, CSAT),
            (self.update_time, UPDATE_TIME),
        )
        wanted += [segment for asked, segment in optional if asked]
        wanted.append(CLOSE)
        pieces: list[list[int]] = []
        for segment in wanted:
            if segment == -1:
                pieces.append(list(ARRAY_PIECE))
            elif pieces and pieces[-1][1] == segment:
                pieces[-1][1] = segment + 1
            else:
                pieces.append([segment, segment + 1])
        return tuple((first, after) for first, after in pieces)
