"""Every answer: the columns, the time index reports select by, the rendered JSON, lookups.

Answers are served in time order, then by id (ids grow with rows). Each answer's blob is
rendered on first use and kept until the answer changes.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable

from api_sandbox.impact_crm.indexes import DateIndex
from api_sandbox.tracksale.answer_records import AnswerRenderer, InsertedAnswer
from api_sandbox.tracksale.answer_views import OFFSETS_PER_ANSWER, AnswerView
from api_sandbox.tracksale.contacts import contact_keys
from api_sandbox.tracksale.history import NO_SCORE, AnswerColumns, Recipients
from api_sandbox.tracksale.people import People
from api_sandbox.tracksale.queries import Window


class AnswerBook:
    """The answers of one sandbox. Not thread-safe on its own: the dataset locks around it."""

    def __init__(self, renderer: AnswerRenderer, people: People) -> None:
        self.renderer = renderer
        self.columns: AnswerColumns = renderer.answers
        self.recipients: Recipients = renderer.recipients
        self._people = people
        count = len(self.columns)
        self._by_time = DateIndex(self.columns.time, range(count))
        self._blobs: list[bytes | None] = [None] * count
        self._arrays: list[bytes] = [b""] * count
        self._offsets = array("I", bytes(4 * OFFSETS_PER_ANSWER * count))
        self._by_person: dict[int, list[int]] | None = None
        self._by_contact: dict[str, list[int]] = {}

    def __len__(self) -> int:
        return len(self.columns)

    # Selecting and serving

    def select(self, window: Window, campaigns: frozenset[int] | None = None) -> list[int]:
        """Rows given in `window` (by campaign index, when given), in serving order."""
        rows = self._by_time.span(window.start, window.end + 1).all()
        if campaigns is None:
            return rows.tolist()
        of = self.columns.campaign
        return [row for row in rows if of[row] in campaigns]

    def encode(self, rows: Iterable[int], view: AnswerView) -> list[bytes]:
        """The JSON of each row, as `view` serves it."""
        blobs, offsets, arrays = self._blobs, self._offsets, self._arrays
        render = self._render
        if view.whole:
            return [blobs[row] or render(row) for row in rows]
        pieces = view.pieces
        encoded: list[bytes] = []
        append = encoded.append
        for row in rows:
            blob = blobs[row] or render(row)
            base = row * OFFSETS_PER_ANSWER
            append(
                b"".join(
                    [
                        arrays[row]
                        if first < 0
                        else blob[offsets[base + first] : offsets[base + after]]
                        for first, after in pieces
                    ]
                )
            )
        return encoded

    def prerender(self) -> int:
        """Render every answer not rendered yet; returns how many."""
        missing = [row for row, blob in enumerate(self._blobs) if blob is None]
        for row in missing:
            self._render(row)
        return len(missing)

    def forget(self, row: int) -> None:
        """Drop a row's rendered JSON after it changed."""
        self._blobs[row] = None

    # Finding

    def rows_of(self, key: str) -> list[int]:
        """Rows of the answers given by the customer with this contact key, in time order."""
        rows = list(self._by_contact.get(key, ()))
        number = self._people.number_of(key)
        if number is not None:
            rows += self._person_rows().get(number, ())
        rows.sort(key=lambda row: (self.columns.time[row], row))
        return rows

    def exists(self, row: int) -> bool:
        return 0 <= row < len(self.columns)

    # Growing

    def appended(self, row: int) -> None:
        """Index a row just appended to the columns."""
        self._by_time.insert(row)
        self._blobs.append(None)
        self._arrays.append(b"")
        self._offsets.extend(bytes(4 * OFFSETS_PER_ANSWER))
        recipient = self.columns.recipient[row]
        if recipient >= 0 and self._by_person is not None:
            self._by_person.setdefault(self.recipients.person[recipient], []).append(row)

    def insert(self, campaign: int, time: int, score: int, answer: InsertedAnswer) -> int:
        """Append an answer sent through `POST /answer`; returns its row."""
        row = self.columns.append(
            time=time,
            recipient=-1,
            campaign=campaign,
            score=score,
            last_score=NO_SCORE,
            commented=bool(answer.comment),
        )
        self.renderer.inserted[row] = answer
        for key in contact_keys(answer.customer):
            self._by_contact.setdefault(key, []).append(row)
        self.appended(row)
        return row

    def _person_rows(self) -> dict[int, list[int]]:
        if self._by_person is None:
            person, by_person = self.recipients.person, {}
            for row, recipient in enumerate(self.columns.recipient):
                if recipient >= 0:
                    by_person.setdefault(person[recipient], []).append(row)
            self._by_person = by_person
        return self._by_person

    def _render(self, row: int) -> bytes:
        blob, offsets, array_piece = self.renderer.render(row)
        self._blobs[row] = blob
        self._arrays[row] = array_piece
        base = row * OFFSETS_PER_ANSWER
        self._offsets[base : base + OFFSETS_PER_ANSWER] = array("I", offsets)
        return blob
