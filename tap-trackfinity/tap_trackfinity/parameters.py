"""Extra query parameters a user passes through to a Trackfinity endpoint, unchanged.

Real installs may take parameters the vendor's page does not list, so the tap sends whatever
the user configures. Values become query text (`true`/`false` for booleans); a list repeats
the parameter. Parameters the tap sets itself (the date window) cannot be overridden.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from connector_kit.errors import ConnectorError

QueryValue = str | list[str]

PAYOUT_PREVIEW_DEFAULTS = {"payvia_type_id": 1, "rule_type": "enabled"}
"""The parameters of the vendor's own example call."""
WINDOW_PARAMS = ("start_date", "end_date")
"""Set by the tap for each date window of the profit/loss report."""


def passthrough_params(
    configured: Any,
    *,
    setting: str,
    defaults: Mapping[str, Any] | None = None,
    reserved: Collection[str] = (),
) -> dict[str, QueryValue]:
    """The query parameters of `setting`, merged over `defaults`; null leaves one out."""
    if configured is None:
        configured = {}
    if not isinstance(configured, Mapping):
        msg = (
            f'`{setting}` must be an object of query parameters, e.g. {{"offer_id": 12}}, '
            f"got {configured!r}."
        )
        raise ConnectorError(msg)
    overridden = sorted(set(configured) & set(reserved))
    if overridden:
        msg = (
            f"`{setting}` must not set {', '.join(overridden)}: the tap sets "
            f"{'it' if len(overridden) == 1 else 'them'} for each window from `start_date`, "
            "`end_date` and `window_days`."
        )
        raise ConnectorError(msg)
    merged = {**(defaults or {}), **configured}
    return {
        str(name): _query_value(value, f"{setting}.{name}")
        for name, value in merged.items()
        if value is not None
    }


def _query_value(value: Any, where: str) -> QueryValue:
    if isinstance(value, list):
        return [_query_text(item, where) for item in value]
    return _query_text(value, where)


def _query_text(value: Any, where: str) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (str, int, float)):
        return str(value)
    msg = f"`{where}` must be a string, a number, a boolean or a list of them, got {value!r}."
    raise ConnectorError(msg)
