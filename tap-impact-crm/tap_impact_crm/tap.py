"""tap-impact-crm: settings, streams, and the connection test."""

from __future__ import annotations

from functools import cached_property
from typing import Any

from connector_kit.settings import date_range_settings, http_settings
from connector_kit.tap_base import ConnectorTap
from singer_sdk import Stream
from singer_sdk import typing as th

from tap_impact_crm.client import FAMILY_PERMISSIONS, ImpactCrmClient
from tap_impact_crm.servers import server_records
from tap_impact_crm.streams import STREAM_TYPES


class TapImpactCrm(ConnectorTap):
    """Impact CRM reports (Trackbox, IB or Cellxpert family) as Singer streams."""

    name = "tap-impact-crm"

    config_jsonschema = th.PropertiesList(
        th.Property(
            "api_url",
            th.StringType,
            required=True,
            description="The CRM's base URL, e.g. https://crm.example.com (the tap calls "
            "{api_url}/api/v1/...). Plain http:// is refused except to this machine.",
        ),
        th.Property(
            "x_domain",
            th.StringType,
            required=True,
            description="The domain the API key was issued for (sent as X-DOMAIN).",
        ),
        th.Property(
            "api_key",
            th.StringType,
            required=True,
            secret=True,
            description="API key from Settings > System > User Management > Api Keys.",
        ),
        th.Property(
            "email",
            th.StringType,
            required=True,
            description="E-mail of the API user, whose role has the family's Reports permission.",
        ),
        th.Property(
            "password",
            th.StringType,
            required=True,
            secret=True,
            description="Password of the API user.",
        ),
        th.Property(
            "report_family",
            th.StringType,
            default="trackbox",
            allowed_values=list(FAMILY_PERMISSIONS),
            description="Which report family to read: trackbox, ib or cellxpert (the role "
            "needs the matching 'Trackbox Reports', 'IB Reports' or 'Cellxpert Reports').",
        ),
        *date_range_settings(window_days=30),
        th.Property(
            "page_size",
            th.IntegerType,
            default=1000,
            description="Records per page (the API's pageSize).",
        ),
        th.Property(
            "max_page_size",
            th.IntegerType,
            default=10_000,
            description="Largest pageSize to ask for where the CRM ignores `page` (answers "
            "page 1 to every page): each window is then read as one page of up to this many "
            "records, and a window holding more is split into smaller windows, down to a "
            "single day.",
        ),
        th.Property(
            "include_fake",
            th.BooleanType,
            default=False,
            description="IB family only: also read fake transactions (includeFake=true).",
        ),
        th.Property(
            "aff_id",
            th.StringType,
            description="Cellxpert family only: read only this affiliate's leads and "
            "registrations (affId).",
        ),
        th.Property(
            "server_tags",
            th.ArrayType(th.StringType),
            description="Read positions of these server tags only. Default: every server.",
        ),
        *http_settings(),
    ).to_dict()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        family = self.config.get("report_family", "trackbox")
        for setting, only_for in (("include_fake", "ib"), ("aff_id", "cellxpert")):
            if self.config.get(setting) and family != only_for:
                self.logger.warning(
                    "`%s` applies to the %s family only; report_family is %s, so it is ignored.",
                    setting,
                    only_for,
                    family,
                )

    @cached_property
    def api(self) -> ImpactCrmClient:
        """The logged-in report API, shared by every stream of this run."""
        return ImpactCrmClient(self.config)

    def discover_streams(self) -> list[Stream]:
        return [stream_type(tap=self) for stream_type in STREAM_TYPES]

    def check_connection(self) -> str:
        """Log in and call the servers report; return what was found."""
        count = len(server_records(self.api.get("servers")))
        return (
            f"logged in as {self.config['email']} and read the {self.api.family} servers "
            f"report ({count} servers)"
        )


if __name__ == "__main__":
    TapImpactCrm.cli()
