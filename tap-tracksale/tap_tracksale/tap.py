"""tap-tracksale: settings, streams, and the connection test."""

from __future__ import annotations

from functools import cached_property
from typing import Any
from zoneinfo import ZoneInfo

from connector_kit.records import extract_records
from connector_kit.settings import (
    date_range_settings,
    http_settings,
    lookback_setting,
    request_budget_settings,
)
from connector_kit.tap_base import ConnectorTap
from connector_kit.windows import DateWindow, parse_date
from singer_sdk import Stream
from singer_sdk import typing as th

from tap_tracksale.campaign_activity import CampaignActivity, activities
from tap_tracksale.client import TOKEN_PAGE, TracksaleReadClient
from tap_tracksale.local_time import DEFAULT_TIMEZONE, LocalTimes, last_day_to_read, zone_of
from tap_tracksale.periods import GRANULARITIES
from tap_tracksale.streams import STREAM_TYPES


class TapTracksale(ConnectorTap):
    """Tracksale NPS campaigns, answers, dispatches and reports as Singer streams."""

    name = "tap-tracksale"

    config_jsonschema = th.PropertiesList(
        th.Property(
            "api_url",
            th.StringType,
            default="https://api.tracksale.co/v2",
            description="Tracksale API base URL.",
        ),
        th.Property(
            "api_token",
            th.StringType,
            required=True,
            secret=True,
            description=f"API token; an administrator creates one in Tracksale under {TOKEN_PAGE}.",
        ),
        *date_range_settings(window_days=30),
        lookback_setting(default=7, what="later edits to answers (status, assignee, categories)"),
        th.Property(
            "campaign_codes",
            th.ArrayType(th.IntegerType),
            description="Read only these campaigns. Default: every campaign.",
        ),
        th.Property(
            "report_granularity",
            th.StringType,
            default="week",
            allowed_values=list(GRANULARITIES),
            description="Period of the nps, categories and statuses records: day, week "
            "(Monday to Sunday) or month.",
        ),
        th.Property(
            "widget_keys",
            th.ArrayType(th.StringType),
            description="Keys of the widgets to read (shown when customizing a widget).",
        ),
        th.Property(
            "timezone",
            th.StringType,
            default=DEFAULT_TIMEZONE,
            description="IANA time zone of the account: the calendar of the start/end dates "
            "and times sent to the reports, and the zone of times the API writes without one, "
            "which are emitted in UTC. Unix seconds and bookmarks (UTC) do not depend on it.",
        ),
        th.Property(
            "max_answers_per_request",
            th.IntegerType,
            default=5000,
            description="The answer report is not paged: a window holding more answers than "
            "this is cut into `max_concurrency` parts, down to the second, until each part fits.",
        ),
        *http_settings(),
        *request_budget_settings(
            api="Tracksale",
            lock="Tracksale locks the token's account past 1000 requests in five minutes "
            "(HTTP 405 and a CAPTCHA a person must solve).",
        ),
    ).to_dict()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.zone  # noqa: B018 - a bad `timezone` fails before anything is read

    @cached_property
    def zone(self) -> ZoneInfo:
        """The account's time zone (the `timezone` setting)."""
        return zone_of(self.config.get("timezone"))

    @cached_property
    def local_times(self) -> LocalTimes:
        """Reads the API's zone-less times in the account's zone."""
        return LocalTimes(self.zone)

    @cached_property
    def api(self) -> TracksaleReadClient:
        """The API client shared by every stream of this run."""
        return TracksaleReadClient(self.config)

    def sync_all(self) -> None:  # type: ignore[misc]  # the SDK marks it final; runs it whole
        """Sync every stream, then log the requests spent and the waits for the budget."""
        try:
            super().sync_all()
        finally:
            self.api.log_budget(self.logger)

    def discover_streams(self) -> list[Stream]:
        return [stream_type(tap=self) for stream_type in STREAM_TYPES]

    def whole_range(self) -> dict[str, str]:
        """`start`/`end` covering start_date..end_date, for campaign counters."""
        start = parse_date(self.config["start_date"], setting="start_date")
        end = self.config.get("end_date")
        last = parse_date(end, setting="end_date") if end else last_day_to_read(self.zone)
        return {"start": start.isoformat(), "end": last.isoformat()}

    @cached_property
    def campaign_listing(self) -> list[dict[str, Any]]:
        """`GET /campaign` over start_date..end_date, with dispatch limits: read once a run.

        The campaigns stream emits it (unless `campaign_codes` names the campaigns), and the
        aggregate reports take their campaigns and the campaigns' activity from it.
        """
        params = {"dispatch_limits": 1, **self.whole_range()}
        return extract_records(self.api.get("campaign", params), where="campaign list")

    @cached_property
    def campaign_codes(self) -> list[int]:
        """The campaigns the streams read: `campaign_codes`, else every campaign listed."""
        configured = self.config.get("campaign_codes")
        if configured:
            return [int(code) for code in configured]
        return [int(campaign["code"]) for campaign in self.campaign_listing]

    @cached_property
    def campaign_activity(self) -> dict[int, CampaignActivity]:
        """What the campaign list says of each campaign's creation and activity."""
        return activities(self.campaign_listing)

    def campaigns_to_report(self, period: DateWindow) -> list[int]:
        """The campaigns an aggregate report of `period` is asked for (`campaign_activity`)."""
        activity = self.campaign_activity
        return [
            code
            for code in self.campaign_codes
            if code not in activity or activity[code].may_report(period)
        ]

    def check_connection(self) -> str:
        campaigns = extract_records(self.api.get("campaign"), where="campaign list")
        return f"the token was accepted; {len(campaigns)} campaigns are visible"


if __name__ == "__main__":
    TapTracksale.cli()
