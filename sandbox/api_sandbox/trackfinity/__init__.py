"""The emulated Trackfinity admin API: profit/loss and payout preview reports of affiliates."""

from api_sandbox.trackfinity.access import (
    CREDENTIALS,
    DEFAULT_ALLOWED_IPS,
    Credentials,
    parse_allowed_ips,
)
from api_sandbox.trackfinity.api import TrackfinityEmulator

API_USERNAME = CREDENTIALS.api_username
API_KEY = CREDENTIALS.api_key

__all__ = [
    "API_KEY",
    "API_USERNAME",
    "CREDENTIALS",
    "DEFAULT_ALLOWED_IPS",
    "Credentials",
    "TrackfinityEmulator",
    "parse_allowed_ips",
]
