"""Query parameters of the Trackfinity endpoints, validated the way the vendor documents them.

The seed's status codes decide the answer: a parameter the endpoint does not take, or a value
outside a documented set, is "an invalid parameter" (404); a required parameter that is
missing or malformed, or a documented value the sandbox does not emulate, is "an invalid or
unsupported request" (400).

The profit/loss report takes `view` and `params[...]` entries (a PHP array, url-encoded as
`params[start]=2025-01-01`); the transaction report takes the same filters as plain
parameters, plus `trans_start`/`trans_count` paging. Filters the sandbox has no data for
(campaign, country, program, adtool, ...) are accepted and select everything.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from api_sandbox.timestamps import parse_day
from api_sandbox.trackfinity.vocabulary import (
    DOCUMENTED_PERIODS,
    DOCUMENTED_VIEWS,
    EMULATED_VIEWS,
    PERIODS,
    TRANSACTION_TYPES,
)

PROFIT_LOSS_ENDPOINT = "report/profitloss"
TRANSACTION_ENDPOINT = "report/transaction"
PAYOUT_PREVIEW_ENDPOINT = "transaction/transaction_payout_preview"

PROFIT_LOSS_PARAMS = (
    "period", "start", "end", "acct_rep", "filter_loginid", "filter_campaignid",
    "filter_offerid", "filter_landingpageid", "filter_adtoolid", "filter_programid",
    "filter_countryid", "productcode", "limit_inhouse", "limit_mediabuy",
)  # fmt: skip
"""The entries of `params` the profit/loss page documents."""
PROFIT_LOSS_PARAMETERS = ("view", *(f"params[{name}]" for name in PROFIT_LOSS_PARAMS))
TRANSACTION_PARAMETERS = (
    "period", "start", "end", "filter_affiliate", "filter_loginid", "filter_campaignid",
    "filter_offerid", "filter_landingpageid", "filter_adtoolid", "filter_programid",
    "filter_countryid", "no_inhouse", "trans_type", "filter_external_clickid",
    "filter_transaction_hash", "filter_orderid", "trans_start", "trans_count",
)  # fmt: skip
PAYOUT_PREVIEW_PARAMETERS = ("transaction_hash", "amount", "transaction_type")
DEFAULT_TRANS_COUNT = 100
_INTEGER = re.compile(r"\d{1,18}")
_NUMBER = re.compile(r"-?\d{1,12}(\.\d{1,6})?")


class QueryError(Exception):
    """A rejected query: 400 or 404, with a message naming the parameter."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True)
class Selection:
    """Which days, affiliates and offers a report covers; None means no restriction."""

    start: date | None = None
    end: date | None = None
    loginid: int | None = None
    offerid: int | None = None


@dataclass(frozen=True)
class ProfitLossQuery:
    """One profit/loss report: its view (breakdown) and what it covers."""

    view: str
    selection: Selection


@dataclass(frozen=True)
class TransactionQuery:
    """One page of the transaction report."""

    selection: Selection
    trans_type: str | None = None
    transaction_hash: str | None = None
    orderid: int | None = None
    external_clickid: str | None = None
    trans_start: int = 0
    trans_count: int = DEFAULT_TRANS_COUNT


@dataclass(frozen=True)
class PreviewQuery:
    """One payout preview: a click, the conversion amount (None: 100) and its type."""

    transaction_hash: str
    amount: float | None
    transaction_type: str


def parse_profit_loss(params: Mapping[str, str]) -> ProfitLossQuery:
    """`view` and `params[...]`; the view defaults to `period`, the period to freeform."""
    _refuse_unknown(params, PROFIT_LOSS_PARAMETERS, PROFIT_LOSS_ENDPOINT)
    view = params.get("view", "period").strip()
    if view not in DOCUMENTED_VIEWS:
        raise QueryError(
            404, f"invalid parameter: view={view!r} (one of {', '.join(DOCUMENTED_VIEWS)})"
        )
    if view not in EMULATED_VIEWS:
        raise QueryError(
            400,
            f"view={view!r} is documented but the sandbox has no data for it "
            f"(it emulates {', '.join(EMULATED_VIEWS)})",
        )
    inner = {name[len("params[") : -1]: value for name, value in params.items() if name != "view"}
    return ProfitLossQuery(view, _selection(inner, prefix="params[", suffix="]"))


def parse_transactions(params: Mapping[str, str]) -> TransactionQuery:
    """The transaction report's filters and paging."""
    _refuse_unknown(params, TRANSACTION_PARAMETERS, TRANSACTION_ENDPOINT)
    trans_type = params.get("trans_type")
    if trans_type is not None and trans_type not in ("all", *TRANSACTION_TYPES):
        raise QueryError(
            404,
            f"invalid parameter: trans_type={trans_type!r} "
            f"(one of all, {', '.join(TRANSACTION_TYPES)})",
        )
    count = _integer(params, "trans_count")
    return TransactionQuery(
        selection=_selection(params),
        trans_type=None if trans_type in (None, "all") else trans_type,
        transaction_hash=params.get("filter_transaction_hash") or None,
        orderid=_integer(params, "filter_orderid"),
        external_clickid=params.get("filter_external_clickid") or None,
        trans_start=_integer(params, "trans_start") or 0,
        trans_count=DEFAULT_TRANS_COUNT if count is None else count,
    )


def parse_payout_preview(params: Mapping[str, str]) -> PreviewQuery:
    """`transaction_hash` (required), `amount` (a number) and `transaction_type`."""
    _refuse_unknown(params, PAYOUT_PREVIEW_PARAMETERS, PAYOUT_PREVIEW_ENDPOINT)
    transaction_hash = (params.get("transaction_hash") or "").strip()
    if not transaction_hash:
        raise QueryError(400, "transaction_hash is required: the click hash to look up")
    amount_text = params.get("amount")
    amount = None
    if amount_text is not None:
        if not _NUMBER.fullmatch(amount_text.strip()):
            raise QueryError(400, f"amount must be a number, got {amount_text!r}")
        amount = float(amount_text)
    transaction_type = params.get("transaction_type", "initial").strip()
    if transaction_type not in TRANSACTION_TYPES:
        raise QueryError(
            404,
            f"invalid parameter: transaction_type={transaction_type!r} "
            f"(one of {', '.join(TRANSACTION_TYPES)})",
        )
    return PreviewQuery(transaction_hash, amount, transaction_type)


def _selection(params: Mapping[str, str], *, prefix: str = "", suffix: str = "") -> Selection:
    def named(name: str) -> str:
        return f"{prefix}{name}{suffix}"

    period = params.get("period", "8").strip()
    if period not in DOCUMENTED_PERIODS:
        raise QueryError(404, f"invalid parameter: {named('period')}={period!r} (0 to 8)")
    if period not in PERIODS:
        raise QueryError(
            400,
            f"{named('period')}={period} is documented but not emulated: the sandbox serves "
            "7 (all time) and 8 (freeform, start and end)",
        )
    start = end = None
    if PERIODS[period] == "free":
        start = _day(params, "start", named("start"))
        end = _day(params, "end", named("end"))
        if start > end:
            raise QueryError(400, f"{named('start')} ({start}) is after {named('end')} ({end})")
    return Selection(
        start=start,
        end=end,
        loginid=_integer(params, "filter_loginid", named("filter_loginid")),
        offerid=_integer(params, "filter_offerid", named("filter_offerid")),
    )


def _refuse_unknown(params: Mapping[str, str], known: tuple[str, ...], endpoint: str) -> None:
    unknown = sorted(set(params) - set(known))
    if unknown:
        raise QueryError(
            404,
            f"invalid parameter: {', '.join(unknown)} ({endpoint} takes {', '.join(known)})",
        )


def _day(params: Mapping[str, str], key: str, name: str) -> date:
    value = params.get(key)
    if value is None or value == "":
        raise QueryError(400, f"{name} is required with period 8 (freeform), as YYYY-MM-DD")
    try:
        return parse_day(value)
    except ValueError:
        raise QueryError(400, f"{name} must be a date YYYY-MM-DD, got {value!r}") from None


def _integer(params: Mapping[str, str], key: str, name: str | None = None) -> int | None:
    value = params.get(key)
    if value is None or value == "":
        return None
    if not _INTEGER.fullmatch(value.strip()):
        raise QueryError(400, f"{name or key} must be a whole number, got {value!r}")
    return int(value)
