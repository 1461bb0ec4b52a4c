"""The two Trackfinity reports, each declaring only what sets it apart."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from connector_kit.errors import ConnectorError
from connector_kit.records import normalize_timestamp
from connector_kit.streams import WindowedStream
from connector_kit.windows import DateWindow, parse_date

from tap_trackfinity import schemas
from tap_trackfinity.client import TrackfinityStream
from tap_trackfinity.parameters import PAYOUT_PREVIEW_DEFAULTS, WINDOW_PARAMS


class ProfitLossStream(TrackfinityStream, WindowedStream):
    """Profit and loss per day, affiliate and offer, read window by window."""

    name = "profit_loss"
    endpoint = "report/profitloss"
    params_setting = "profitloss_params"
    reserved_params = WINDOW_PARAMS
    primary_keys = ("date", "affiliate_id", "offer_id")
    replication_key = "date"
    schema = schemas.PROFIT_LOSS
    uses_lookback = True

    def records_in_window(self, window: DateWindow, context: dict | None) -> Iterable[dict]:
        params = {
            "start_date": window.start.isoformat(),
            "end_date": window.end.isoformat(),
            **self.extra_params,
        }
        return self.api.records(self.endpoint, params, params_setting=self.params_setting)

    def post_process(self, row: dict, context: dict | None = None) -> dict | None:
        record = super().post_process(row, context)
        if record is not None:
            record["date"] = calendar_date(record.get("date"))
        return record


def calendar_date(value: object) -> object:
    """`YYYY-MM-DD` of a date or an ISO 8601 time; anything else is kept as served."""
    if not isinstance(value, str) or (len(value) == 10 and value[4] == "-" and value[7] == "-"):
        return value
    try:
        return parse_date(value).isoformat()
    except ConnectorError:
        return value


class PayoutPreviewStream(TrackfinityStream):
    """What each affiliate is due, as previewed now; every run adds a stamped snapshot."""

    name = "payout_preview"
    endpoint = "transaction/transaction_payout_preview"
    params_setting = "payout_preview_params"
    default_params = PAYOUT_PREVIEW_DEFAULTS
    primary_keys = ("snapshot_time", "affiliate_id", "payvia_type_id")
    schema = schemas.PAYOUT_PREVIEW

    def get_records(self, context: dict | None) -> Iterable[dict]:
        taken = snapshot_time()
        rows = self.api.records(
            self.endpoint, self.extra_params, params_setting=self.params_setting
        )
        for row in rows:
            row["snapshot_time"] = taken
            yield row


def snapshot_time() -> str:
    """Now, in UTC, as ISO 8601 to the microsecond, so two runs never share a snapshot."""
    return str(normalize_timestamp(dt.datetime.now(dt.timezone.utc).isoformat()))


STREAM_TYPES = [ProfitLossStream, PayoutPreviewStream]
