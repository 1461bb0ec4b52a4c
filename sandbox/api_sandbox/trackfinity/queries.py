"""Query parameters of the two Trackfinity reports, validated the way the vendor documents.

The seed's status codes decide the answer: a parameter the endpoint does not take, or a value
outside a documented set, is "an invalid parameter" (404); a required parameter that is
missing or malformed is "an invalid or unsupported request" (400).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from api_sandbox.timestamps import parse_day
from api_sandbox.trackfinity.vocabulary import RULE_TYPES

PROFIT_LOSS_PARAMETERS = ("start_date", "end_date", "affiliate_id", "offer_id", "currency")
PAYOUT_PREVIEW_PARAMETERS = ("payvia_type_id", "rule_type", "affiliate_id")
_INTEGER = re.compile(r"\d{1,18}")


class QueryError(Exception):
    """A rejected query: 400 or 404, with a message naming the parameter."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True)
class ProfitLossQuery:
    """Which profit/loss rows to serve; None means no restriction."""

    start: date | None = None
    end: date | None = None
    affiliate_id: int | None = None
    offer_id: int | None = None
    currency: str | None = None


@dataclass(frozen=True)
class PayoutPreviewQuery:
    """Which affiliates due a payout to serve; None means no restriction."""

    payvia_type_id: int | None = None
    rule_type: str = "enabled"
    affiliate_id: int | None = None


def parse_profit_loss(params: Mapping[str, str], *, complete: bool = True) -> ProfitLossQuery:
    """The profit/loss query; with `complete=False` the dates may be left out."""
    _refuse_unknown(params, PROFIT_LOSS_PARAMETERS, "report/profitloss")
    start = _day(params, "start_date", required=complete)
    end = _day(params, "end_date", required=complete)
    if start is not None and end is not None and start > end:
        raise QueryError(400, f"start_date ({start}) is after end_date ({end})")
    currency = params.get("currency")
    return ProfitLossQuery(
        start=start,
        end=end,
        affiliate_id=_integer(params, "affiliate_id"),
        offer_id=_integer(params, "offer_id"),
        currency=currency.strip().upper() if currency else None,
    )


def parse_payout_preview(params: Mapping[str, str], *, complete: bool = True) -> PayoutPreviewQuery:
    """The payout preview query; with `complete=False`, `payvia_type_id` may be left out."""
    _refuse_unknown(params, PAYOUT_PREVIEW_PARAMETERS, "transaction/transaction_payout_preview")
    payvia_type_id = _integer(params, "payvia_type_id")
    if payvia_type_id is None and complete:
        raise QueryError(400, "payvia_type_id is required")
    rule_type = params.get("rule_type", "enabled").strip().lower()
    if rule_type not in RULE_TYPES:
        raise QueryError(
            404,
            f"invalid parameter: rule_type={params['rule_type']!r} "
            f"(one of {', '.join(RULE_TYPES)})",
        )
    return PayoutPreviewQuery(payvia_type_id, rule_type, _integer(params, "affiliate_id"))


def _refuse_unknown(params: Mapping[str, str], known: tuple[str, ...], endpoint: str) -> None:
    unknown = sorted(set(params) - set(known))
    if unknown:
        raise QueryError(
            404,
            f"invalid parameter: {', '.join(unknown)} ({endpoint} takes {', '.join(known)})",
        )


def _day(params: Mapping[str, str], name: str, *, required: bool) -> date | None:
    value = params.get(name)
    if value is None or value == "":
        if required:
            raise QueryError(400, f"{name} is required, as YYYY-MM-DD")
        return None
    try:
        return parse_day(value)
    except ValueError:
        raise QueryError(400, f"{name} must be a date YYYY-MM-DD, got {value!r}") from None


def _integer(params: Mapping[str, str], name: str) -> int | None:
    value = params.get(name)
    if value is None:
        return None
    if not _INTEGER.fullmatch(value.strip()):
        raise QueryError(400, f"{name} must be an integer, got {value!r}")
    return int(value)
