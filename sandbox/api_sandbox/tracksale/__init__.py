"""The emulated Tracksale API v2 (NPS surveys): campaigns, answers, dispatches, reports, writes."""

from api_sandbox.tracksale.api import CONTROLS, TracksaleEmulator
from api_sandbox.tracksale.auth import API_TOKEN
from api_sandbox.tracksale.dataset import TracksaleDataset

__all__ = ["API_TOKEN", "CONTROLS", "TracksaleDataset", "TracksaleEmulator"]
