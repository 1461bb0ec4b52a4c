"""The Trackfinity streams, each declaring only what sets it apart."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterable, Iterator, Mapping
from functools import cached_property
from typing import Any

from connector_kit.errors import ConnectorError
from connector_kit.records import normalize_timestamp, to_int
from connector_kit.streams import WindowedStream
from connector_kit.windows import DateWindow

from tap_trackfinity import schemas
from tap_trackfinity.answers import (
    payout_preview_record,
    profit_loss_records,
    transaction_records,
)
from tap_trackfinity.client import TrackfinityStream
from tap_trackfinity.parameters import (
    FREEFORM_PERIOD,
    TRANSACTION_RESERVED,
    PreviewLookup,
    passthrough_params,
    preview_lookups,
    profitloss_params,
    profitloss_views,
)

DEFAULT_PAGE_SIZE = 500


class ProfitLossStream(TrackfinityStream, WindowedStream):
    """The profit & loss report, one request per day and view; one record per row.

    The days of a window are asked for concurrently (up to `max_concurrency`); the bookmark
    moves when the whole window has been read.
    """

    name = "profit_loss"
    endpoint = "report/profitloss"
    params_setting = "profitloss_params"
    primary_keys = ("date", "view", "break")
    replication_key = "date"
    schema = schemas.PROFIT_LOSS
    uses_lookback = True

    def check_settings(self) -> None:
        """Fail on a bad `profitloss_views` or `profitloss_params` before any request."""
        _ = self.views, self.extra_params

    @cached_property
    def views(self) -> tuple[str, ...]:
        return profitloss_views(self.config.get("profitloss_views"))

    @cached_property
    def extra_params(self) -> dict[str, Any]:
        return dict(self.log_passed(profitloss_params(self.config.get(self.params_setting))))

    def records_in_window(
        self, window: DateWindow, context: Mapping[str, Any] | None
    ) -> Iterable[dict[str, Any]]:
        days = [
            (window.start + dt.timedelta(days=n)).isoformat()
            for n in range((window.end - window.start).days + 1)
        ]
        asks = [(day, view) for day in days for view in self.views]
        answers = self.api.pool.map(self._report, asks)
        for (day, view), body in zip(asks, answers, strict=True):
            where = f"{self.where} (view={view}, day {day})"
            yield from profit_loss_records(body, day=day, view=view, where=where)

    def _report(self, ask: tuple[str, str]) -> Any:
        day, view = ask
        params = {
            "view": view,
            "params[period]": FREEFORM_PERIOD,
            "params[start]": day,
            "params[end]": day,
            **self.extra_params,
        }
        return self.get(params)


class TransactionsStream(TrackfinityStream, WindowedStream):
    """The transaction report, window by window, paged by offset.

    Each page asks for `page_size` transactions from the offset; the next offset is the last
    one plus the number of transactions that came back, since a server may send fewer than
    asked. A window ends at an empty page; a short page does not end it. A page of
    transactions all already read (a server that ignores the offset) stops the run rather
    than end the window short.
    """

    name = "transactions"
    endpoint = "report/transaction"
    params_setting = "transaction_params"
    primary_keys = ("id",)
    replication_key = "time"
    schema = schemas.TRANSACTION

    @cached_property
    def extra_params(self) -> dict[str, Any]:
        params = passthrough_params(
            self.config.get(self.params_setting),
            setting=self.params_setting,
            reserved=TRANSACTION_RESERVED,
            what="(period=8, each window's start and end, and the paging)",
        )
        return dict(self.log_passed(params))

    def check_settings(self) -> None:
        """Fail on a bad `transaction_params` or `page_size` before any request."""
        _ = self.extra_params
        if self.page_size < 1:
            msg = f"`page_size` must be at least 1, got {self.page_size}."
            raise ConnectorError(msg)

    @property
    def page_size(self) -> int:
        size = self.config.get("page_size")
        return DEFAULT_PAGE_SIZE if size is None else int(size)

    def batches_in_window(
        self, window: DateWindow, context: Mapping[str, Any] | None
    ) -> Iterator[list[dict[str, Any]]]:
        dates = {
            "period": FREEFORM_PERIOD,
            "start": window.start.isoformat(),
            "end": window.end.isoformat(),
        }
        seen: set[str] = set()
        offset = 0
        while True:
            params = {
                **dates,
                **self.extra_params,
                "trans_start": offset,
                "trans_count": self.page_size,
            }
            where = (
                f"{self.where} (start={dates['start']}, end={dates['end']}, trans_start={offset})"
            )
            page = transaction_records(self.get(params), where=where)
            if not page:
                return
            fresh = [record for record in page if record["id"] not in seen]
            if not fresh:
                msg = (
                    f"{where} answered only transactions already read: the server seems to "
                    f"ignore trans_start, so the rest of the window {window} cannot be paged "
                    "to. Nothing of the window was bookmarked. Raise `page_size` (trans_count) "
                    "above the transactions of one window, or lower `window_days`."
                )
                raise ConnectorError(msg)
            seen.update(record["id"] for record in fresh)
            offset += len(page)
            yield fresh

    def records_in_window(
        self, window: DateWindow, context: Mapping[str, Any] | None
    ) -> Iterable[dict[str, Any]]:
        for batch in self.batches_in_window(window, context):
            yield from batch

    def post_process(
        self, row: dict[str, Any], context: Mapping[str, Any] | None = None
    ) -> dict[str, Any] | None:
        record = super().post_process(row, context)
        payouts = record.get("payouts") if record else None
        if isinstance(payouts, list):
            for payout in payouts:
                if isinstance(payout, dict):
                    conform_payout(payout)
        return record


def conform_payout(payout: dict[str, Any]) -> None:
    """Types a payout's fields as the schema declares them, where the value allows it."""
    if isinstance(payout.get("id"), int):
        payout["id"] = str(payout["id"])
    loginid = to_int(payout.get("loginid"))
    if loginid is not None:
        payout["loginid"] = loginid
    amount = payout.get("amount")
    if isinstance(amount, str):
        with contextlib.suppress(ValueError):  # else kept as served: the loader reports it
            payout["amount"] = (
                int(amount) if amount.strip().lstrip("-").isdigit() else float(amount)
            )


class PayoutPreviewStream(TrackfinityStream):
    """What a conversion on each configured click would pay, as previewed now.

    One request per entry of `payout_preview_hashes`, none when there is none. Every run adds
    a snapshot stamped with `snapshot_time`.
    """

    name = "payout_preview"
    endpoint = "transaction/transaction_payout_preview"
    params_setting = "payout_preview_hashes"
    primary_keys = ("snapshot_time", "lookup")
    schema = schemas.PAYOUT_PREVIEW

    def check_settings(self) -> None:
        """Fail on a bad `payout_preview_hashes` before any request."""
        _ = self.lookups

    @cached_property
    def lookups(self) -> list[PreviewLookup]:
        return preview_lookups(self.config.get(self.params_setting))

    def get_records(self, context: Mapping[str, Any] | None) -> Iterable[dict[str, Any]]:
        lookups = self.lookups
        if not lookups:
            self.logger.info(
                "%s: no `payout_preview_hashes` configured, so no preview is asked for", self.name
            )
            return
        taken = snapshot_time()
        answers = self.api.pool.map(lambda lookup: self.get(lookup.query()), lookups)
        for lookup, answer in zip(lookups, answers, strict=True):
            record = payout_preview_record(answer, lookup)
            record["snapshot_time"] = taken
            yield record


def snapshot_time() -> str:
    """Now, in UTC, as ISO 8601 to the microsecond, so two runs never share a snapshot."""
    return str(normalize_timestamp(dt.datetime.now(dt.timezone.utc).isoformat()))


STREAM_TYPES: list[type[TrackfinityStream]] = [
    ProfitLossStream,
    TransactionsStream,
    PayoutPreviewStream,
]
