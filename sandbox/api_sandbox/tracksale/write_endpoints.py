"""The write endpoints: dispatches and lots, answers, survey links, notes, tags, the 90-day rule.

Each takes the decoded JSON body and the path parameters; a malformed body raises
`BodyError`, answered 400 by the API. Unknown campaigns, lots and answers are 404.

A dispatch's `schedule_time` in the past is refused with `400 {"error": "Invalid Time"}` (as a
public client's tests model it; 0 still means now), and so is a `finish_time`, sent beside it
at the top level of the body, that is not after the send time. Survey links come back under
`customers` (the seed), or under `customers_links` (a public client reads them there) when the
sandbox runs with the `tracksale-customers-links` quirk.
"""

from __future__ import annotations

from collections.abc import Mapping
from hashlib import blake2b

from api_sandbox.exchange import ApiResponse, error_response, json_response
from api_sandbox.tracksale.campaigns import Campaign
from api_sandbox.tracksale.contacts import Customer, email_key, identification_key, phone_key
from api_sandbox.tracksale.dataset import TracksaleDataset
from api_sandbox.tracksale.queries import QueryError, Window, is_on, parse_moment
from api_sandbox.tracksale.read_endpoints import campaign_not_found
from api_sandbox.tracksale.write_bodies import (
    BodyError,
    campaign_code_of,
    contact_of,
    customer_of,
    entries,
    integer_field,
    tags_of,
)
from api_sandbox.tracksale.write_log import WriteLog

SURVEY_LINK_ROOT = "https://tracksale.co/s/"
Body = dict[str, object]
Query = Mapping[str, str]


def invalid_time() -> ApiResponse:
    """Tracksale's refusal of a send or finish time it cannot use."""
    return json_response(400, {"error": "Invalid Time"})


class WriteEndpoints:
    """Answers the POST routes, changing a dataset and noting dispatched customers."""

    def __init__(
        self, dataset: TracksaleDataset, log: WriteLog, *, links_key: str = "customers"
    ) -> None:
        self.dataset = dataset
        self.log = log
        self.links_key = links_key

    def dispatch(self, body: Body, query: Query, params: tuple[str, ...], now: int) -> ApiResponse:
        campaign = self._campaign(params[0])
        if campaign is None:
            return campaign_not_found(params[0])
        customers = entries(body, "customers")
        schedule_time = integer_field(body, "schedule_time")
        finish_time = integer_field(body, "finish_time")
        if schedule_time is not None and 0 < schedule_time < now:
            return invalid_time()
        sent_at = schedule_time or now
        if finish_time is not None and finish_time <= sent_at:
            return invalid_time()
        outcome = self.dataset.dispatch(campaign, customers, schedule_time, now)
        self.log.record_received(campaign.code, outcome.lot.code, outcome.inserted)
        answer: Body = {
            "msg": (
                "Customers have been successfully added!"
                if schedule_time is None
                else "Dispatch executed!"
            ),
            "dispatch_code": outcome.lot.code,
            "status": {
                "duplicated": len(outcome.duplicated),
                "invalid": len(outcome.invalid),
                "inserted": len(outcome.inserted),
            },
            "campaign": {"name": campaign.name, "cod": campaign.code},
        }
        if is_on(query, "getNotInserted"):
            answer["duplicated_customers"] = outcome.duplicated
            answer["invalid_customers"] = outcome.invalid
        return json_response(200, answer)

    def send_lot(self, body: Body, query: Query, params: tuple[str, ...], now: int) -> ApiResponse:
        campaign = self._campaign(params[0])
        if campaign is None:
            return campaign_not_found(params[0])
        time = integer_field(body, "time")
        if time is None or time < 0:
            raise BodyError('the body must be {"time": <Unix seconds, or 0 for now>}')
        lot = self.dataset.send_lot(campaign, params[1], time, now)
        if lot is None:
            return error_response(404, f"no open lot {params[1]} in campaign {campaign.code}")
        return json_response(200, {"msg": "Dispatch executed!", "customers": lot.size})

    def discard_lot(
        self, body: Body, query: Query, params: tuple[str, ...], now: int
    ) -> ApiResponse:
        campaign = self._campaign(params[0])
        if campaign is None:
            return campaign_not_found(params[0])
        if not self.dataset.discard_lot(campaign, params[1]):
            return error_response(404, f"no open lot {params[1]} in campaign {campaign.code}")
        return json_response(200, {"success": True})

    def survey_links(
        self, body: Body, query: Query, params: tuple[str, ...], now: int
    ) -> ApiResponse:
        campaign = self._campaign(params[0])
        if campaign is None:
            return campaign_not_found(params[0])
        linked = []
        for position, item in enumerate(entries(body, "customers")):
            where = f"customers[{position}]"
            tags_of(item, where)
            link = survey_link(self.dataset.seed, campaign, customer_of(item, where))
            linked.append({**item, "survey_link": link})
        return json_response(200, {self.links_key: linked})

    def can_impact(
        self, body: Body, query: Query, params: tuple[str, ...], now: int
    ) -> ApiResponse:
        campaign = self._campaign(params[0])
        if campaign is None:
            return campaign_not_found(params[0])
        key = contact_of(body, "body")
        return json_response(200, {"can_impact": self.dataset.can_impact(campaign, key, now)})

    def insert_answers(
        self, body: Body, query: Query, params: tuple[str, ...], now: int
    ) -> ApiResponse:
        code = campaign_code_of(body)
        if code is None:
            raise BodyError("campaign_code is required")
        campaign = self.dataset.campaign(code)
        if campaign is None:
            return campaign_not_found(code)
        inserted = self.dataset.insert_answers(campaign, entries(body, "answers"), now)
        answer: Body = {
            "msg": f"{len(inserted.rows)} Answer inserted",
            "status": {"invalid": inserted.invalid, "inserted": len(inserted.rows)},
        }
        if is_on(query, "return_answer_id"):
            answer["answers"] = [
                {
                    "answer_id": self.dataset.answer_id(row),
                    **{
                        field: item.get(field)
                        for field in ("name", "email", "phone", "identification")
                    },
                }
                for row, item in zip(inserted.rows, inserted.items, strict=True)
            ]
        return json_response(200, answer)

    def note(self, body: Body, query: Query, params: tuple[str, ...], now: int) -> ApiResponse:
        comment = body.get("comment")
        if not isinstance(comment, str) or not comment.strip():
            raise BodyError("comment is required")
        if body.get("answer_id") is not None:
            row = self.dataset.answer_row(body["answer_id"])
        else:
            found = body.get("filter")
            if not isinstance(found, dict):
                raise BodyError("send answer_id, or filter with a customer and a date range")
            row = self._answer_by_filter(found)
        if row is None:
            return error_response(404, "no answer matches")
        return json_response(200, {"msg": "Success", "answer_id": self.dataset.answer_id(row)})

    def fill_empty_tags(
        self, body: Body, query: Query, params: tuple[str, ...], now: int
    ) -> ApiResponse:
        tags = tags_of(body, "body")
        if not tags:
            raise BodyError("tags is required")
        if body.get("answer_id") is not None:
            row = self.dataset.answer_row(body["answer_id"])
        else:
            customer = body.get("customer")
            if not isinstance(customer, dict):
                raise BodyError(
                    "send answer_id, or customer with an email, phone or identification"
                )
            code = campaign_code_of(body)
            campaign = None if code is None else self.dataset.campaign(code)
            if code is not None and campaign is None:
                return campaign_not_found(code)
            row = self.dataset.find_answer(contact_of(customer, "customer"), campaign=campaign)
        if row is None:
            return error_response(404, "no answer matches")
        self.dataset.fill_empty_tags(row, tags, now)
        return json_response(
            200, {"answer_id": self.dataset.answer_id(row), "msg": "Request received successfully!"}
        )

    def _answer_by_filter(self, found: Mapping[str, object]) -> int | None:
        key = contact_of(found, "filter")
        start, end = found.get("start_date"), found.get("end_date")
        if not isinstance(start, str) or not isinstance(end, str):
            raise BodyError("filter needs start_date and end_date, YYYY-MM-DD")
        try:
            window = Window(
                parse_moment("filter.start_date", start),
                parse_moment("filter.end_date", end, end_of_day=True),
            )
        except QueryError as error:
            raise BodyError(str(error)) from None
        code = campaign_code_of(found)
        campaign = None if code is None else self.dataset.campaign(code)
        if code is not None and campaign is None:
            return None
        return self.dataset.find_answer(key, window, campaign)

    def _campaign(self, text: str) -> Campaign | None:
        return self.dataset.campaign(int(text)) if text.isdigit() else None


def survey_link(seed: int, campaign: Campaign, customer: Customer) -> str:
    """The customer's survey link for the campaign, the same for the same customer."""
    identity = "|".join(
        key or ""
        for key in (
            email_key(customer.email),
            phone_key(customer.phone),
            identification_key(customer.identification),
            customer.name,
        )
    )
    digest = blake2b(f"{seed}:{campaign.code}:{identity}".encode(), digest_size=8).hexdigest()
    return SURVEY_LINK_ROOT + digest
