"""Dispatch lots as `GET /report/dispatch` serves them, encoded once per lot and status.

A lot's customers are its generated recipients (people, and whether each answered) or the
customers sent through the API, each stamped with the lot's send time and status.
"""

from __future__ import annotations

from collections.abc import Sequence

import msgspec

from api_sandbox.tracksale.campaigns import Campaign
from api_sandbox.tracksale.history import NO_ANSWER, Recipients
from api_sandbox.tracksale.lots import Lot
from api_sandbox.tracksale.people import People

_encode = msgspec.json.Encoder().encode
_LOT = b'{"campaign":%s,"dispatch_code":"%s","status":"%s","create_time":%d,"customers":[%s]}'
_PERSON = (
    b'{"name":"%s","identification":%s,"email":"%s","phone":"%s","dispatch_time":%d,'
    b'"status":"%s","has_answered":%s}'
)


class DispatchRenderer:
    """Encodes lots, keeping each lot's JSON until its status changes."""

    def __init__(
        self,
        campaigns: Sequence[Campaign],
        people: People,
        recipients: Recipients,
        *,
        documented_types: bool = False,
    ) -> None:
        """`documented_types`: codes and `has_answered` as text, as the seed quotes them."""
        code_value = str if documented_types else int
        self._campaigns = {
            campaign.code: _encode({"name": campaign.name, "code": code_value(campaign.code)})
            for campaign in campaigns
        }
        self._answered = (b'"1"', b'"0"') if documented_types else (b"true", b"false")
        self._unanswered = msgspec.json.decode(self._answered[1])  # for customers sent
        self._people = people
        self._recipients = recipients
        self._encoded: dict[str, tuple[str, bytes]] = {}

    def encode(self, lot: Lot, now: int) -> bytes:
        """The lot as the dispatch report lists it; the lot must have been sent or scheduled."""
        status = lot.status(now)
        cached = self._encoded.get(lot.code)
        if cached is not None and cached[0] == status:
            return cached[1]
        encoded = _LOT % (
            self._campaigns[lot.campaign_code],
            lot.code.encode(),
            status.encode(),
            lot.create_time,
            b",".join(self._customers(lot, status)),
        )
        self._encoded[lot.code] = (status, encoded)
        return encoded

    def as_dict(self, lot: Lot, now: int) -> dict[str, object]:
        return msgspec.json.decode(self.encode(lot, now))

    def _customers(self, lot: Lot, status: str) -> list[bytes]:
        sent = lot.send_time or 0
        encoded = [
            _encode(
                {
                    "name": customer.name,
                    "identification": customer.identification,
                    "email": customer.email,
                    "phone": customer.phone,
                    "dispatch_time": sent,
                    "status": status,
                    "has_answered": self._unanswered,
                }
            )
            for customer in lot.customers
        ]
        person_of, answer_of = self._recipients.person, self._recipients.answer
        status_bytes = status.encode()
        for recipient in lot.recipients:
            person = self._people.person(person_of[recipient])
            identification = person.identification
            encoded.append(
                _PERSON
                % (
                    person.name.encode(),
                    b"null" if identification is None else b'"%s"' % identification.encode(),
                    person.email.encode(),
                    person.phone.encode(),
                    sent,
                    status_bytes,
                    self._answered[answer_of[recipient] == NO_ANSWER],
                )
            )
        return encoded
