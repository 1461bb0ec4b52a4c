"""tap-trackfinity: settings, streams, and the connection test."""

from __future__ import annotations

from functools import cached_property

from connector_kit.settings import date_range_settings, http_settings, lookback_setting
from connector_kit.tap_base import ConnectorTap
from singer_sdk import Stream
from singer_sdk import typing as th

from tap_trackfinity.client import ALLOW_LIST, TrackfinityApi
from tap_trackfinity.parameters import PAYOUT_PREVIEW_DEFAULTS
from tap_trackfinity.streams import STREAM_TYPES


class TapTrackfinity(ConnectorTap):
    """Trackfinity affiliate profit/loss and payout preview as Singer streams."""

    name = "tap-trackfinity"

    config_jsonschema = th.PropertiesList(
        th.Property(
            "api_url",
            th.StringType,
            required=True,
            description="Your Trackfinity install's base URL, e.g. https://track.example.com "
            "(the tap calls {api_url}/api/...). Plain http:// is refused except to this "
            "machine, unless `allow_insecure_http` is true.",
        ),
        th.Property(
            "api_username",
            th.StringType,
            required=True,
            description="Username of a full admin account (sent as the api-username header). "
            f"Calls must come from an IP address in {ALLOW_LIST}.",
        ),
        th.Property(
            "api_key",
            th.StringType,
            required=True,
            secret=True,
            description="That admin's API key (sent as the api-key header): set one in "
            "Affiliates Admin with 'Change API Key', or ask Trackfinity support for it.",
        ),
        *date_range_settings(window_days=30),
        lookback_setting(
            default=7, what="figures restated after the day (late conversions, reversals)"
        ),
        th.Property(
            "profitloss_params",
            th.ObjectType(additional_properties=True),
            description="Extra query parameters for /report/profitloss, passed through "
            'unchanged, e.g. {"affiliate_id": 12}. start_date and end_date are set by the '
            "tap for each window.",
        ),
        th.Property(
            "payout_preview_params",
            th.ObjectType(additional_properties=True),
            default=PAYOUT_PREVIEW_DEFAULTS,
            description="Query parameters for /transaction/transaction_payout_preview, passed "
            "through unchanged and merged over the default (set one to null to leave it "
            "out); rule_type is enabled, disabled or all.",
        ),
        *http_settings(),
    ).to_dict()

    @cached_property
    def api(self) -> TrackfinityApi:
        """The API client shared by every stream of this run."""
        return TrackfinityApi(self.config)

    def discover_streams(self) -> list[Stream]:
        return [stream_type(tap=self) for stream_type in STREAM_TYPES]

    def check_connection(self) -> str:
        """Call the ping endpoint (or the older one); say which answered, and as whom."""
        endpoint = self.api.ping()
        return f"GET {endpoint} answered true for api_username {self.api.username}"


if __name__ == "__main__":
    TapTrackfinity.cli()
