"""`stream_actions`: what the target does with each incoming stream, checked before any input.

Each entry maps a stream name (after stream maps) to an object such as
`{"action": "dispatch", "campaign_code": 123, "send": "lot_then_send"}`. Unknown actions,
options an action does not take (a typo), and values of the wrong kind are configuration
errors that name the setting to fix.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from connector_kit.records import to_int

DISPATCH = "dispatch"
ANSWERS = "answers"
SURVEY_LINKS = "survey_links"
NOTES = "notes"
FILL_EMPTY_TAGS = "fill_empty_tags"
ACTIONS = (DISPATCH, ANSWERS, SURVEY_LINKS, NOTES, FILL_EMPTY_TAGS)

SEND_NOW = "now"
SEND_LOT = "lot"
SEND_LOT_THEN_SEND = "lot_then_send"
SEND_MODES = (SEND_NOW, SEND_LOT, SEND_LOT_THEN_SEND)

MAIN_CHANNEL = "main_channel"
IDENTIFICATION = "identification"
LEDGER_KEYS = (MAIN_CHANNEL, IDENTIFICATION)

_OPTIONS: dict[str, frozenset[str]] = {
    DISPATCH: frozenset(
        {"campaign_code", "send", "schedule_time", "finish_after_days", "ledger_key"}
    ),
    ANSWERS: frozenset({"campaign_code", "ledger_key"}),
    SURVEY_LINKS: frozenset({"campaign_code", "ledger_key"}),
    NOTES: frozenset({"campaign_code", "start_date", "end_date"}),
    FILL_EMPTY_TAGS: frozenset({"campaign_code"}),
}


@dataclass(frozen=True)
class StreamAction:
    """One stream's action and its options, as configured."""

    stream: str
    action: str
    campaign_code: int | None = None
    send: str = SEND_NOW
    schedule_time: int | None = None
    finish_after_days: int | None = None
    ledger_key: str = MAIN_CHANNEL
    start_date: str | None = None
    end_date: str | None = None

    @property
    def setting(self) -> str:
        """Where this action is configured, for messages."""
        return f"stream_actions.{self.stream}"


def parse_stream_actions(config: Mapping[str, Any]) -> tuple[dict[str, StreamAction], list[str]]:
    """The configured actions by stream, and every configuration error found."""
    raw = config.get("stream_actions")
    if raw is None:
        return {}, []
    if not isinstance(raw, Mapping):
        return {}, ["`stream_actions` must be an object of stream name to action."]
    actions: dict[str, StreamAction] = {}
    errors: list[str] = []
    for stream, options in raw.items():
        action, problems = parse_stream_action(str(stream), options)
        errors.extend(problems)
        if action is not None:
            actions[str(stream)] = action
    return actions, errors


def parse_stream_action(stream: str, options: Any) -> tuple[StreamAction | None, list[str]]:
    """One stream's action, or the reasons it is not a valid one."""
    where = f"`stream_actions.{stream}`"
    if not isinstance(options, Mapping):
        return None, [f"{where} must be an object like {{'action': 'dispatch', ...}}."]
    action = options.get("action")
    if action not in ACTIONS:
        return None, [f"{where}.action must be one of {', '.join(ACTIONS)}, got {action!r}."]
    errors = [
        f"{where} has `{name}`, which the {action} action does not take (it takes "
        f"{', '.join(sorted(_OPTIONS[action]))})."
        for name in sorted(set(options) - _OPTIONS[action] - {"action"})
    ]
    campaign_code = _optional_int(options, "campaign_code", where, errors)
    schedule_time = _optional_int(options, "schedule_time", where, errors)
    finish_after_days = _optional_int(options, "finish_after_days", where, errors)
    if finish_after_days == 0:
        errors.append(f"{where}.finish_after_days must be at least 1, got 0.")
    send = options.get("send", SEND_NOW)
    if send not in SEND_MODES:
        errors.append(f"{where}.send must be one of {', '.join(SEND_MODES)}, got {send!r}.")
    if send == SEND_LOT and schedule_time is not None:
        errors.append(
            f"{where} sends to the campaign's lot (send: lot), which is sent later by hand, so "
            "it takes no schedule_time; use send: lot_then_send to send the lot at that time."
        )
    ledger_key = options.get("ledger_key", MAIN_CHANNEL)
    if ledger_key not in LEDGER_KEYS:
        errors.append(f"{where}.ledger_key must be one of {', '.join(LEDGER_KEYS)}.")
    dates = {
        name: _optional_date(options, name, where, errors) for name in ("start_date", "end_date")
    }
    if errors:
        return None, errors
    return StreamAction(
        stream=stream,
        action=str(action),
        campaign_code=campaign_code,
        send=str(send),
        schedule_time=schedule_time,
        finish_after_days=finish_after_days,
        ledger_key=str(ledger_key),
        start_date=dates["start_date"],
        end_date=dates["end_date"],
    ), []


def _optional_int(
    options: Mapping[str, Any], name: str, where: str, errors: list[str]
) -> int | None:
    value = options.get(name)
    if value is None:
        return None
    number = None if isinstance(value, bool) else to_int(value)
    if number is None or number < 0:
        errors.append(f"{where}.{name} must be a whole number, got {value!r}.")
    return number


def _optional_date(
    options: Mapping[str, Any], name: str, where: str, errors: list[str]
) -> str | None:
    value = options.get(name)
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(str(value)[:10]).isoformat()
    except ValueError:
        errors.append(f"{where}.{name} must be a date like 2025-01-31, got {value!r}.")
        return None
