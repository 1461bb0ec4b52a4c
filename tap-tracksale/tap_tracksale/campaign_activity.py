"""Which campaign and period pairs an aggregate report can have anything to say about.

The nps, categories and statuses reports cost one request per campaign and period, and
Tracksale locks an account past 1000 requests in five minutes; `codes` cannot merge campaigns
there, since those answers do not keep campaigns apart. The campaign list the tap reads anyway
(`GET /campaign` over the run's whole range) tells, per campaign, when it was created and how
many dispatches and answers it had in that range. A report is not asked for:

- for a period that ended more than a day before the campaign was created (the day of slack
  covers any time zone), since no dispatch or answer of it can fall there;
- for any period of a campaign that had no dispatch and no answer in the whole range: all its
  counts are zero, and it has no category or status to report.

A campaign the list does not show, or shows without these figures, is always asked for.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from connector_kit.errors import ConnectorError
from connector_kit.records import to_int
from connector_kit.windows import DateWindow, parse_date

CREATION_SLACK = dt.timedelta(days=1)


@dataclass(frozen=True)
class CampaignActivity:
    """What the campaign list says of one campaign: its first day, and whether it was active."""

    first_day: dt.date | None
    active: bool

    def may_report(self, period: DateWindow) -> bool:
        """False when the campaign can have nothing in `period` (see the module's rules)."""
        if not self.active:
            return False
        return self.first_day is None or period.end >= self.first_day - CREATION_SLACK


def activity_of(campaign: Mapping[str, Any]) -> CampaignActivity:
    """A campaign's activity from its `GET /campaign` record (counters over the run's range)."""
    first_day = _day_of(campaign.get("create_time"))
    dispatches, answers = to_int(campaign.get("dispatches")), to_int(campaign.get("answers"))
    active = not (dispatches == 0 and answers == 0)
    return CampaignActivity(first_day, active)


def _day_of(created: Any) -> dt.date | None:
    """The UTC day of a creation time given in Unix seconds or as a time text; None if neither."""
    seconds = to_int(created)
    if seconds is not None:
        return dt.datetime.fromtimestamp(seconds, dt.timezone.utc).date()
    if isinstance(created, str) and created.strip():
        try:
            return parse_date(created)
        except ConnectorError:
            return None
    return None


def activities(campaigns: Iterable[Mapping[str, Any]]) -> dict[int, CampaignActivity]:
    """Each listed campaign's activity, by code."""
    found = {}
    for campaign in campaigns:
        code = to_int(campaign.get("code"))
        if code is not None:
            found[code] = activity_of(campaign)
    return found
