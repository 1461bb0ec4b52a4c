"""A minimal stock Singer SDK tap of Impact CRM leads: the baseline `make bench` compares with.

It is what a first tap for this endpoint would look like with the SDK's defaults: a
`RESTStream` with the SDK's JSON writer and type conformance on, one login, the
`X-Api-Key`/`X-DOMAIN`/`X-Auth-Token` headers, page/pageSize paging until `total` is reached,
and one `lastModifiedDate` window from `start_date` to `end_date`. No tuning of any kind.

    .venv/bin/python bench/reference_tap.py --config config.json > /dev/null

The config takes the same keys as tap-impact-crm: `api_url`, `x_domain`, `api_key`, `email`,
`password`, `start_date`, `end_date`, `page_size`, `report_family`.
"""

from __future__ import annotations

import sys
from functools import cached_property
from typing import Any

import requests
from singer_sdk import Tap
from singer_sdk import typing as th
from singer_sdk.pagination import PageNumberPaginator
from singer_sdk.streams import RESTStream

UTM_DETAILS = th.ObjectType(
    th.Property("utmSource", th.StringType),
    th.Property("utmMedium", th.StringType),
    th.Property("utmCampaign", th.StringType),
    th.Property("utmTerm", th.StringType),
    th.Property("utmContent", th.StringType),
)

TAGS = th.ArrayType(
    th.ObjectType(
        th.Property("category", th.StringType),
        th.Property("tags", th.ArrayType(th.StringType)),
    )
)

LEAD_SCHEMA = th.PropertiesList(
    th.Property("leadId", th.IntegerType, required=True),
    th.Property("firstName", th.StringType),
    th.Property("lastName", th.StringType),
    th.Property("email", th.StringType),
    th.Property("phone", th.StringType),
    th.Property("country", th.StringType),
    th.Property("language", th.StringType),
    th.Property("status", th.StringType),
    th.Property("affId", th.StringType),
    th.Property("campaignId", th.StringType),
    th.Property("utmDetails", UTM_DETAILS),
    th.Property("tags", TAGS),
    th.Property("registrationDate", th.DateTimeType),
    th.Property("lastModifiedDate", th.DateTimeType),
).to_dict()


class TotalPaginator(PageNumberPaginator):
    """Page numbers from 1, until `page * pageSize` reaches the `total` of the last page."""

    def __init__(self, page_size: int) -> None:
        super().__init__(start_value=1)
        self.page_size = page_size

    def has_more(self, response: requests.Response) -> bool:
        total = int(body_of(response).get("total") or 0)
        return self.current_value * self.page_size < total


def body_of(response: requests.Response) -> dict:
    """The decoded page, decoded once for both the records and the paginator."""
    body = getattr(response, "decoded_body", None)
    if body is None:
        body = response.json()
        response.decoded_body = body  # type: ignore[attr-defined]
    return body


class LeadsStream(RESTStream):
    """Trackbox leads through the `lastModifiedDate` filter, one window, every page."""

    name = "leads"
    path = "/leads"
    primary_keys = ("leadId",)
    replication_key = "lastModifiedDate"
    schema = LEAD_SCHEMA

    @property
    def url_base(self) -> str:
        family = self.config.get("report_family") or "trackbox"
        return f"{str(self.config['api_url']).rstrip('/')}/api/v1/{family}"

    @property
    def http_headers(self) -> dict:
        return {**super().http_headers, **self._tap.auth_headers}  # type: ignore[attr-defined]

    def get_new_paginator(self) -> TotalPaginator:
        return TotalPaginator(int(self.config.get("page_size") or 1000))

    def get_url_params(self, context: Any, next_page_token: Any) -> dict[str, Any]:
        return {
            "lastModifiedDateFrom": str(self.config["start_date"])[:10],
            "lastModifiedDateTo": str(self.config["end_date"])[:10],
            "page": next_page_token or 1,
            "pageSize": int(self.config.get("page_size") or 1000),
        }

    def parse_response(self, response: requests.Response) -> Any:
        yield from body_of(response).get("data") or []


class ReferenceTap(Tap):
    """The stock baseline: one leads stream, SDK defaults throughout."""

    name = "reference-tap"

    config_jsonschema = th.PropertiesList(
        th.Property("api_url", th.StringType, required=True),
        th.Property("x_domain", th.StringType, required=True),
        th.Property("api_key", th.StringType, required=True, secret=True),
        th.Property("email", th.StringType, required=True),
        th.Property("password", th.StringType, required=True, secret=True),
        th.Property("start_date", th.StringType, required=True),
        th.Property("end_date", th.StringType, required=True),
        th.Property("page_size", th.IntegerType, default=1000),
        th.Property("report_family", th.StringType, default="trackbox"),
    ).to_dict()

    @cached_property
    def auth_headers(self) -> dict[str, str]:
        """Logs in once and returns the headers every report call carries."""
        key_headers = {"X-Api-Key": self.config["api_key"], "X-DOMAIN": self.config["x_domain"]}
        response = requests.post(
            f"{str(self.config['api_url']).rstrip('/')}/api/v1/auth/login",
            json={
                "email": self.config["email"],
                "password": self.config["password"],
                "rememberMe": True,
            },
            headers=key_headers,
            timeout=60,
        )
        response.raise_for_status()
        return {**key_headers, "X-Auth-Token": response.json()["token"]}

    def discover_streams(self) -> list[LeadsStream]:
        return [LeadsStream(tap=self)]


if __name__ == "__main__":
    sys.exit(ReferenceTap.cli())
