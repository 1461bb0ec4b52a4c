"""The read endpoints: campaigns, draft lots, widgets and the five reports.

`GET /campaign/{code}` answers a JSON array holding the campaign, as public client code shows
(an object under the `tracksale-campaign-object` quirk). Each takes the request's query
parameters and path parameters and answers JSON; a malformed parameter raises `QueryError`,
answered 400 by the API.
"""

from __future__ import annotations

from collections.abc import Mapping

from api_sandbox.exchange import ApiResponse, error_response, json_response
from api_sandbox.tracksale.campaigns import Campaign
from api_sandbox.tracksale.dataset import TracksaleDataset
from api_sandbox.tracksale.queries import (
    is_on,
    parse_codes,
    parse_limit,
    parse_view,
    parse_window,
)

Query = Mapping[str, str]


class ReadEndpoints:
    """Answers the GET routes from a dataset."""

    def __init__(self, dataset: TracksaleDataset, *, campaign_as_object: bool = False) -> None:
        self.dataset = dataset
        self.campaign_as_object = campaign_as_object

    def campaigns(self, query: Query, params: tuple[str, ...], now: int) -> ApiResponse:
        records = self.dataset.campaign_records(
            parse_window(query, now), now, limits=is_on(query, "dispatch_limits")
        )
        return json_response(200, records)

    def campaign(self, query: Query, params: tuple[str, ...], now: int) -> ApiResponse:
        campaign = self.campaign_named(params[0])
        if campaign is None:
            return campaign_not_found(params[0])
        records = self.dataset.campaign_records(
            parse_window(query, now),
            now,
            codes=frozenset({campaign.code}),
            limits=is_on(query, "dispatch_limits"),
        )
        return json_response(200, records[0] if self.campaign_as_object else records[:1])

    def draft_lots(self, query: Query, params: tuple[str, ...], now: int) -> ApiResponse:
        campaign = self.campaign_named(params[0])
        if campaign is None:
            return campaign_not_found(params[0])
        return json_response(200, self.dataset.draft_lots(campaign))

    def widget(self, query: Query, params: tuple[str, ...], now: int) -> ApiResponse:
        widget = self.dataset.widgets.get(params[0])
        if widget is None:
            return error_response(404, f"widget not found: {params[0]}")
        return json_response(200, widget)

    def answers(self, query: Query, params: tuple[str, ...], now: int) -> ApiResponse:
        body = self.dataset.answer_bytes(
            parse_window(query, now), parse_codes(query), parse_limit(query), parse_view(query)
        )
        return ApiResponse(200, body)

    def dispatches(self, query: Query, params: tuple[str, ...], now: int) -> ApiResponse:
        body = self.dataset.dispatch_bytes(parse_window(query, now), parse_codes(query), now)
        return ApiResponse(200, body)

    def nps(self, query: Query, params: tuple[str, ...], now: int) -> ApiResponse:
        report = self.dataset.nps(
            parse_window(query, now), parse_codes(query), is_on(query, "compare")
        )
        return json_response(200, report)

    def categories(self, query: Query, params: tuple[str, ...], now: int) -> ApiResponse:
        report = self.dataset.categories(parse_window(query, now), parse_codes(query))
        return json_response(200, report)

    def statuses(self, query: Query, params: tuple[str, ...], now: int) -> ApiResponse:
        report = self.dataset.statuses(parse_window(query, now), parse_codes(query))
        return json_response(200, report)

    def campaign_named(self, text: str) -> Campaign | None:
        """The campaign a path's code names, or None."""
        return self.dataset.campaign(int(text)) if text.isdigit() else None


def campaign_not_found(code: object) -> ApiResponse:
    return error_response(404, f"campaign not found: {code}")
