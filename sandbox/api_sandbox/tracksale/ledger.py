"""Who each campaign has surveyed, and when: the memory behind duplicates and the 90-day rule.

Generated people are remembered by number (their contacts are derived, see `people.py`);
customers sent through the API by every contact key they have. A customer counts as surveyed
once a lot holding them is sent or scheduled; discarded lots never count.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from api_sandbox.tracksale.contacts import Customer, contact_keys
from api_sandbox.tracksale.people import People


class SurveyLedger:
    """Send times per campaign and customer. Not thread-safe on its own."""

    def __init__(
        self, people: People, codes: Sequence[int], generated: Sequence[dict[int, list[int]]]
    ) -> None:
        self._people = people
        self._people_sent = dict(zip(codes, generated, strict=True))
        self._customers_sent: dict[int, dict[str, list[int]]] = {code: {} for code in codes}

    def record_person(self, campaign_code: int, person: int, time: int) -> None:
        self._people_sent[campaign_code].setdefault(person, []).append(time)

    def record_customers(
        self, campaign_code: int, customers: Iterable[Customer], time: int
    ) -> None:
        sent = self._customers_sent[campaign_code]
        for customer in customers:
            for key in contact_keys(customer):
                sent.setdefault(key, []).append(time)

    def send_times(self, campaign_code: int, key: str) -> list[int]:
        """When the campaign surveyed the customer with this contact key, if ever."""
        times = list(self._customers_sent[campaign_code].get(key, ()))
        number = self._people.number_of(key)
        if number is not None:
            times += self._people_sent[campaign_code].get(number, ())
        return times

    def surveyed(self, campaign_code: int, key: str) -> bool:
        if key in self._customers_sent[campaign_code]:
            return True
        number = self._people.number_of(key)
        return number is not None and number in self._people_sent[campaign_code]
