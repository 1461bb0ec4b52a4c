"""The account's time zone: report windows' calendar, and times the API gives without a zone.

Tracksale is Brazilian and documents no time zone for `start`/`end` or for times written
without one; public clients compute their windows in America/Sao_Paulo. The `timezone`
setting names the zone (IANA). Unix seconds are absolute and need none.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from connector_kit.errors import ConnectorError
from connector_kit.records import utc_text

DEFAULT_TIMEZONE = "America/Sao_Paulo"


def zone_of(name: object) -> ZoneInfo:
    """The IANA zone `timezone` names; a clear error for anything else."""
    text = str(name if name is not None else DEFAULT_TIMEZONE).strip()
    try:
        if not text or text.startswith(("/", ".")) or ".." in text:
            raise ValueError(text)
        return ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError):
        msg = (
            f"`timezone` must be an IANA time zone name such as {DEFAULT_TIMEZONE} or UTC, "
            f"got {name!r}."
        )
        raise ConnectorError(msg) from None


def today_in(zone: ZoneInfo) -> dt.date:
    """Today's date in `zone`."""
    return dt.datetime.now(zone).date()


def last_day_to_read(zone: ZoneInfo) -> dt.date:
    """The last day a run reads by default: today in `zone` or in UTC, whichever is later.

    Whichever zone the API reads dates in, an answer given today is then inside the range.
    """
    return max(today_in(zone), dt.datetime.now(dt.timezone.utc).date())


class LocalTimes:
    """Reads times written without a zone as times in the account's zone, giving UTC text."""

    def __init__(self, zone: ZoneInfo) -> None:
        self.zone = zone

    def to_utc(self, value: object) -> object:
        """ISO 8601 UTC text for a zone-less time text; anything else is returned unchanged.

        Unix seconds (numbers or digit strings), times with a zone, and text that is not a
        time are left for the record conformer, which reads each of them already.
        """
        if type(value) is not str or len(value) < 10 or value.endswith(("Z", "z")):
            return value
        text = value.strip()
        if text.isdigit():
            return value
        try:
            moment = dt.datetime.fromisoformat(text.replace(" ", "T", 1))
        except ValueError:
            return value
        if moment.tzinfo is not None:
            return value
        try:
            return utc_text(moment.replace(tzinfo=self.zone).astimezone(dt.timezone.utc))
        except OverflowError:  # past year 9999 in UTC: left for the conformer to keep raw
            return value
