"""The five Impact CRM reports, each declaring only what sets it apart."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from connector_kit.streams import TolerantStream

from tap_impact_crm import schemas
from tap_impact_crm.accounts import trading_accounts
from tap_impact_crm.client import ImpactCrmStream
from tap_impact_crm.servers import server_records


class LeadsStream(ImpactCrmStream):
    """Leads, read by last modification so that edits reach the warehouse."""

    name = "leads"
    endpoint = "leads"
    date_filter = "lastModifiedDate"
    primary_keys = ("leadId",)
    replication_key = "lastModifiedDate"
    schema = schemas.LEAD
    family_settings = {"cellxpert": {"affId": "aff_id"}}


class RegistrationsStream(ImpactCrmStream):
    """Customers (converted leads), with their live trading accounts parsed."""

    name = "registrations"
    endpoint = "registrations"
    date_filter = "lastModifiedDate"
    primary_keys = ("userId",)
    replication_key = "lastModifiedDate"
    schema = schemas.REGISTRATION
    family_settings = {"cellxpert": {"affId": "aff_id"}}

    def post_process(
        self, row: dict[str, Any], context: Mapping[str, Any] | None = None
    ) -> dict[str, Any] | None:
        record = super().post_process(row, context)
        if record is not None:
            record["tradingAccounts"] = trading_accounts(record.get("userAdditionalId"))
        return record


class TransactionsStream(ImpactCrmStream):
    """Successful deposits, withdrawals, credits and the like."""

    name = "transactions"
    endpoint = "transactions"
    date_filter = "transactionDate"
    primary_keys = ("transactionId",)
    replication_key = "transactionDate"
    schema = schemas.TRANSACTION
    family_settings = {"ib": {"includeFake": "include_fake"}}


class ServersStream(TolerantStream):
    """Trading servers, one record per tag; the parent of `positions`."""

    name = "servers"
    primary_keys = ("platform", "serverTag")
    schema = schemas.SERVER

    def get_records(self, context: Mapping[str, Any] | None) -> Iterable[dict[str, Any]]:
        return server_records(self.tap.api.get("servers"))

    def generate_child_contexts(
        self, record: dict[str, Any], context: Mapping[str, Any] | None
    ) -> Iterable[dict[str, Any] | None]:
        wanted = self.config.get("server_tags")
        if not wanted or record["serverTag"] in wanted:
            yield {"serverTag": record["serverTag"]}


class PositionsStream(ImpactCrmStream):
    """Closed positions of one server; one partition and one bookmark per server tag."""

    name = "positions"
    endpoint = "positions"
    date_filter = "positionCloseDate"
    primary_keys = ("serverTag", "positionId")
    replication_key = "closeDate"
    schema = schemas.POSITION
    parent_stream_type = ServersStream
    state_partitioning_keys = ("serverTag",)

    def filters(self, context: Mapping[str, Any] | None) -> dict[str, Any]:
        return {**super().filters(context), "serverTag": (context or {})["serverTag"]}


STREAM_TYPES = [
    LeadsStream,
    RegistrationsStream,
    TransactionsStream,
    ServersStream,
    PositionsStream,
]
