"""The account's campaigns and their main channel, read once per run from `GET /campaign`.

A campaign's main channel decides which field a customer must have (an e-mail for e-mail
campaigns, a phone for SMS and WhatsApp ones) and so which field names a customer in the
ledger.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from connector_kit.records import to_int

EMAIL = "email"
PHONE = "phone"
ANY = "any"
"""A campaign whose channel (a link, a widget) names no customer field: any one will do."""

_PHONE_CHANNELS = ("sms", "whatsapp", "phone", "wpp", "telefone", "voice")


def channel_field(main_channel: Any) -> str:
    """The customer field a campaign's `main_channel` requires: email, phone or any."""
    text = str(main_channel or "").strip().lower()
    if "mail" in text:
        return EMAIL
    if any(name in text for name in _PHONE_CHANNELS):
        return PHONE
    return ANY


@dataclass(frozen=True)
class Campaign:
    """A Tracksale campaign as this target needs it."""

    code: int
    name: str
    main_channel: str
    """The raw channel name, e.g. `email`, `sms`, `whatsapp`."""
    channel_field: str = ""
    """The customer field the channel requires: email, phone or any."""

    def __post_init__(self) -> None:
        if not self.channel_field:
            object.__setattr__(self, "channel_field", channel_field(self.main_channel))


def parse_campaigns(body: Any) -> dict[int, Campaign]:
    """Campaigns by code, from `GET /campaign` (a list, or one campaign, or an envelope)."""
    if isinstance(body, dict):
        listed = next(
            (
                body[key]
                for key in ("campaigns", "data", "items")
                if isinstance(body.get(key), list)
            ),
            [body],
        )
    else:
        listed = body if isinstance(body, list) else []
    campaigns: dict[int, Campaign] = {}
    for entry in listed:
        if not isinstance(entry, dict):
            continue
        code = to_int(entry.get("code", entry.get("cod")))
        if code is None:
            continue
        campaigns[code] = Campaign(
            code, str(entry.get("name") or ""), str(entry.get("main_channel") or "")
        )
    return campaigns


class CampaignDirectory:
    """Campaigns by code, fetched on first use and kept for the rest of the run."""

    def __init__(self, fetch: Callable[[], Iterable[Campaign] | dict[int, Campaign]]) -> None:
        self._fetch = fetch
        self._campaigns: dict[int, Campaign] | None = None
        self._lock = threading.Lock()

    def _all(self) -> dict[int, Campaign]:
        if self._campaigns is not None:
            return self._campaigns
        with self._lock:
            if self._campaigns is None:
                fetched = self._fetch()
                self._campaigns = (
                    dict(fetched)
                    if isinstance(fetched, dict)
                    else {campaign.code: campaign for campaign in fetched}
                )
            return self._campaigns

    def get(self, code: int) -> Campaign | None:
        return self._all().get(code)

    def codes(self) -> list[int]:
        return sorted(self._all())
