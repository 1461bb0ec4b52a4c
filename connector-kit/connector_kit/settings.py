"""Settings every tap of this project shares, declared once with their descriptions."""

from __future__ import annotations

from typing import Any

from singer_sdk import typing as th

from connector_kit.request_budget import DEFAULT_MAX_REQUESTS, DEFAULT_WINDOW_SECONDS


def date_range_settings(*, window_days: int = 30) -> list[th.Property[Any]]:
    """`start_date`, `end_date` and `window_days`, for taps that read through date filters."""
    return [
        th.Property(
            "start_date",
            th.DateTimeType,
            required=True,
            description=(
                "First date to read (YYYY-MM-DD or an ISO 8601 time; its UTC date counts). "
                "Used until a bookmark exists; then each run starts on the bookmark's day."
            ),
        ),
        th.Property(
            "end_date",
            th.DateTimeType,
            description="Last date to read, inclusive. Default: today (UTC).",
        ),
        th.Property(
            "window_days",
            th.IntegerType,
            default=window_days,
            description=(
                "Days per date-filter window. Each request asks for at most this many days, "
                "and the bookmark moves after each window, so an interrupted run re-reads at "
                "most one window."
            ),
        ),
    ]


def lookback_setting(*, default: int, what: str) -> th.Property[Any]:
    """`lookback_days`, for taps whose records change after their date."""
    return th.Property(
        "lookback_days",
        th.IntegerType,
        default=default,
        description=f"Days before the bookmark read again on every run, so that {what} "
        "reach the warehouse.",
    )


def http_settings() -> list[th.Property[Any]]:
    """Concurrency, timeout, plain-HTTP opt-in and retry budget."""
    return [
        th.Property(
            "max_concurrency",
            th.IntegerType,
            default=8,
            description=(
                "Most requests in flight at once: the pages of one query once the first page "
                "gives the total, or one report per campaign. 1 makes one request at a time."
            ),
        ),
        th.Property(
            "request_timeout",
            th.NumberType,
            default=60,
            description="Seconds to wait for each HTTP response before retrying.",
        ),
        th.Property(
            "allow_insecure_http",
            th.BooleanType,
            default=False,
            description=(
                "Allow a plain http:// URL to a host other than this machine. Credentials then "
                "cross the network unencrypted; a warning is logged on every run."
            ),
        ),
        th.Property(
            "max_retries",
            th.IntegerType,
            default=8,
            description=(
                "Retries of a request that failed with 429, 5xx, a timeout or a dropped "
                "connection, with exponential backoff and jitter (honouring Retry-After), "
                "before the run fails."
            ),
        ),
    ]


def request_budget_settings(*, api: str, lock: str) -> list[th.Property[Any]]:
    """`max_requests_per_window` and `rate_window_seconds`, for APIs that lock busy accounts.

    `api` names the API, `lock` says what it does past its limit (for the descriptions).
    """
    return [
        th.Property(
            "max_requests_per_window",
            th.IntegerType(minimum=1),
            default=DEFAULT_MAX_REQUESTS,
            description=(
                f"Most requests sent to {api} in any `rate_window_seconds`, by every thread "
                f"of the run together (retries count). {lock} Keep it below that limit, and "
                "lower it when other programs use the same token at the same time."
            ),
        ),
        th.Property(
            "rate_window_seconds",
            th.NumberType(exclusive_minimum=0),
            default=DEFAULT_WINDOW_SECONDS,
            description=(
                "Length of the sliding window `max_requests_per_window` counts requests in, "
                "in seconds. Each wait for the budget is logged with its length."
            ),
        ),
    ]


def secret_values(config: dict[str, Any], schema: dict[str, Any]) -> list[str]:
    """The configured values of every setting the schema marks secret."""
    properties = schema.get("properties", {})
    return [
        str(config[name])
        for name, prop in properties.items()
        if prop.get("secret") and config.get(name) not in (None, "")
    ]
