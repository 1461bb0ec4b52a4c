"""tap-trackfinity: settings, streams, and the connection test."""

from __future__ import annotations

from functools import cached_property

from connector_kit.settings import date_range_settings, http_settings, lookback_setting
from connector_kit.tap_base import ConnectorTap
from singer_sdk import Stream
from singer_sdk import typing as th

from tap_trackfinity.client import ALLOW_LIST, TrackfinityClient
from tap_trackfinity.parameters import DEFAULT_VIEWS, PROFITLOSS_VIEWS
from tap_trackfinity.streams import DEFAULT_PAGE_SIZE, STREAM_TYPES


class TapTrackfinity(ConnectorTap):
    """Trackfinity profit/loss, transactions and payout previews as Singer streams."""

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
            "profitloss_views",
            th.ArrayType(th.StringType),
            default=list(DEFAULT_VIEWS),
            description="Views (breakdowns) of /report/profitloss to read; one request per day "
            f"and view. One of: {', '.join(PROFITLOSS_VIEWS)}.",
        ),
        th.Property(
            "profitloss_params",
            th.ObjectType(additional_properties=True),
            description="Extra entries of the profit/loss report's `params` array, passed "
            'through unchanged as params[name]=value, e.g. {"filter_loginid": 12, '
            '"limit_inhouse": 2}. period, start and end are set by the tap for each day.',
        ),
        th.Property(
            "transaction_params",
            th.ObjectType(additional_properties=True),
            description="Extra query parameters for /report/transaction, passed through "
            'unchanged, e.g. {"filter_loginid": 12, "trans_type": "initial", "no_inhouse": 1}. '
            "period, start, end, trans_start and trans_count are set by the tap.",
        ),
        th.Property(
            "page_size",
            th.IntegerType,
            default=DEFAULT_PAGE_SIZE,
            description="Transactions asked for per request (trans_count; the API's default is "
            "100). A server that sends fewer is paged by what it sent, so a cap loses nothing.",
        ),
        th.Property(
            "payout_preview_hashes",
            th.ArrayType(
                th.CustomType(
                    {
                        "anyOf": [
                            {"type": "string"},
                            {
                                "type": "object",
                                "properties": {
                                    "transaction_hash": {"type": "string"},
                                    "amount": {"type": "number"},
                                    "transaction_type": {"type": "string"},
                                },
                                "required": ["transaction_hash"],
                            },
                        ]
                    }
                )
            ),
            description="Clicks to preview the payout of, one request each: click hashes, or "
            'objects like {"transaction_hash": "156097c947ece92.38318951", "amount": 50.25, '
            '"transaction_type": "initial"}. None configured: no request, no records.',
        ),
        *http_settings(),
    ).to_dict()

    @cached_property
    def api(self) -> TrackfinityClient:
        """The API client shared by every stream of this run."""
        return TrackfinityClient(self.config)

    def discover_streams(self) -> list[Stream]:
        return [stream_type(tap=self) for stream_type in STREAM_TYPES]

    def sync_all(self) -> None:  # type: ignore[misc]  # the SDK marks it final; runs it whole
        """Check every stream's settings first, so a bad one fails before any request."""
        for stream in self.streams.values():
            check = getattr(stream, "check_settings", None)
            if check is not None and stream.selected:
                check()
        super().sync_all()

    def check_connection(self) -> str:
        """Call the ping endpoint (or the older one); say which answered, and as whom."""
        endpoint = self.api.ping()
        return f"GET {endpoint} answered true for api_username {self.api.username}"


if __name__ == "__main__":
    TapTrackfinity.cli()
