"""What the user configures for each Trackfinity endpoint, checked and turned into a query.

Extra query parameters are passed through unchanged, since real installs may take more than
the vendor's pages list. Values become query text (`true`/`false` for booleans); a list repeats
the parameter. Parameters the tap sets itself (the dates, paging) cannot be overridden. The
profit/loss report takes its parameters inside a PHP array, url-encoded as `params[name]=...`.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from connector_kit.errors import ConnectorError

QueryValue = str | list[str]

PROFITLOSS_VIEWS = (
    "period", "month", "year", "offer_group", "landing_page", "offer", "subid1", "subid2",
    "login", "adtool", "demographic", "refurl", "device_type", "device_brand", "device_model",
    "device_os", "device_os_version", "device_carrier", "device_browser",
)  # fmt: skip
"""The views (breakdowns) https://docs.trackfinity.com/api/reporting/profit-loss-report lists."""
TIME_VIEWS = ("period", "month", "year")
"""Views whose `break` is a Unix time (the start of the period)."""
DEFAULT_VIEWS = ("login",)
FREEFORM_PERIOD = "8"
"""`period` 8: freeform, from `start` to `end`."""
PROFITLOSS_RESERVED = ("period", "start", "end")
"""Entries of `params` the tap sets for each day of the profit/loss report."""
TRANSACTION_RESERVED = ("period", "start", "end", "trans_start", "trans_count")
"""Parameters the tap sets for each window and page of the transaction report."""


def passthrough_params(
    configured: Any,
    *,
    setting: str,
    reserved: Collection[str] = (),
    what: str = "for each window from `start_date`, `end_date` and `window_days`",
) -> dict[str, QueryValue]:
    """The query parameters of `setting`; a null value leaves one out."""
    if configured is None:
        configured = {}
    if not isinstance(configured, Mapping):
        msg = (
            f'`{setting}` must be an object of query parameters, e.g. {{"filter_loginid": 12}}, '
            f"got {configured!r}."
        )
        raise ConnectorError(msg)
    overridden = sorted(set(configured) & set(reserved))
    if overridden:
        msg = (
            f"`{setting}` must not set {', '.join(overridden)}: the tap sets "
            f"{'it' if len(overridden) == 1 else 'them'} {what}."
        )
        raise ConnectorError(msg)
    return {
        str(name): _query_value(value, f"{setting}.{name}")
        for name, value in configured.items()
        if value is not None
    }


def profitloss_params(configured: Any, *, setting: str = "profitloss_params") -> dict[str, Any]:
    """`profitloss_params` as `params[name]` query entries; `params[name]` keys are taken too."""
    if isinstance(configured, Mapping):
        configured = {_inner_name(str(name)): value for name, value in configured.items()}
    inner = passthrough_params(
        configured,
        setting=setting,
        reserved=PROFITLOSS_RESERVED,
        what="(params[period]=8 and each day as params[start] and params[end])",
    )
    return {f"params[{name}]": value for name, value in inner.items()}


def _inner_name(name: str) -> str:
    if name.startswith("params[") and name.endswith("]"):
        return name[len("params[") : -1]
    return name


def profitloss_views(configured: Any, *, setting: str = "profitloss_views") -> tuple[str, ...]:
    """The configured views, checked against the documented list (default: login)."""
    if configured is None:
        return DEFAULT_VIEWS
    if isinstance(configured, str) or not isinstance(configured, list) or not configured:
        msg = (
            f'`{setting}` must be a non-empty list of views, e.g. ["login", "offer"], '
            f"got {configured!r}."
        )
        raise ConnectorError(msg)
    unknown = [view for view in configured if view not in PROFITLOSS_VIEWS]
    if unknown:
        msg = (
            f"`{setting}` has {', '.join(map(repr, unknown))}, which the profit/loss report "
            f"does not document; choose from: {', '.join(PROFITLOSS_VIEWS)}."
        )
        raise ConnectorError(msg)
    return tuple(dict.fromkeys(configured))


@dataclass(frozen=True)
class PreviewLookup:
    """One payout preview to ask for: a click hash, and optionally an amount and a type."""

    transaction_hash: str
    amount: float | None = None
    transaction_type: str | None = None

    def query(self) -> dict[str, str]:
        """The documented parameters, only those configured."""
        query = {"transaction_hash": self.transaction_hash}
        if self.amount is not None:
            query["amount"] = _query_text(self.amount, "amount")
        if self.transaction_type is not None:
            query["transaction_type"] = self.transaction_type
        return query

    @property
    def key(self) -> str:
        """The lookup as one text (its query), unique among the configured lookups."""
        return "&".join(f"{name}={value}" for name, value in self.query().items())


def preview_lookups(
    configured: Any, *, setting: str = "payout_preview_hashes"
) -> list[PreviewLookup]:
    """The configured lookups: strings (click hashes) or objects with `transaction_hash`."""
    if configured is None:
        return []
    if not isinstance(configured, list):
        msg = f"`{setting}` must be a list of click hashes (or of objects), got {configured!r}."
        raise ConnectorError(msg)
    lookups = [_lookup(entry, f"{setting}[{number}]") for number, entry in enumerate(configured)]
    keys = [lookup.key for lookup in lookups]
    repeated = sorted({key for key in keys if keys.count(key) > 1})
    if repeated:
        msg = f"`{setting}` asks for the same lookup twice: {', '.join(repeated)}."
        raise ConnectorError(msg)
    return lookups


def _lookup(entry: Any, where: str) -> PreviewLookup:
    example = '"156097c947ece92.38318951" or {"transaction_hash": "...", "amount": 50.25}'
    if isinstance(entry, str) and entry.strip():
        return PreviewLookup(entry.strip())
    if not isinstance(entry, Mapping):
        msg = f"`{where}` must be a click hash or an object, e.g. {example}; got {entry!r}."
        raise ConnectorError(msg)
    unknown = sorted(set(entry) - {"transaction_hash", "amount", "transaction_type"})
    transaction_hash = entry.get("transaction_hash")
    if unknown or not isinstance(transaction_hash, str) or not transaction_hash.strip():
        msg = (
            f"`{where}` needs `transaction_hash` (a click hash) and may have `amount` and "
            f"`transaction_type`, e.g. {example}; got {dict(entry)!r}."
        )
        raise ConnectorError(msg)
    amount = entry.get("amount")
    if amount is not None and (
        isinstance(amount, bool) or not isinstance(amount, (int, float, Decimal))
    ):
        msg = f"`{where}.amount` must be a number (the conversion amount), got {amount!r}."
        raise ConnectorError(msg)
    kind = entry.get("transaction_type")
    if kind is not None and (not isinstance(kind, str) or not kind.strip()):
        msg = f"`{where}.transaction_type` must be a text such as initial, got {kind!r}."
        raise ConnectorError(msg)
    return PreviewLookup(
        transaction_hash.strip(),
        None if amount is None else float(amount),
        None if kind is None else kind.strip(),
    )


def _query_value(value: Any, where: str) -> QueryValue:
    if isinstance(value, list):
        return [_query_text(item, where) for item in value]
    return _query_text(value, where)


def _query_text(value: Any, where: str) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (float, Decimal)) and value == int(value):
        return str(int(value))
    if isinstance(value, (str, int, float, Decimal)):
        return str(value)
    msg = f"`{where}` must be a string, a number, a boolean or a list of them, got {value!r}."
    raise ConnectorError(msg)
