"""The emulated Impact CRM reports API (Trackbox, IB and Cellxpert families)."""

from api_sandbox.impact_crm.api import ImpactCrmEmulator
from api_sandbox.impact_crm.auth import (
    CREDENTIALS,
    FAMILIES,
    TRACKBOX_ONLY_CREDENTIALS,
    Credentials,
)
from api_sandbox.impact_crm.dataset import (
    DEFAULT_DATA_END,
    DEFAULT_DATA_START,
    STREAMS,
    ImpactCrmDataset,
)

__all__ = [
    "CREDENTIALS",
    "DEFAULT_DATA_END",
    "DEFAULT_DATA_START",
    "FAMILIES",
    "STREAMS",
    "TRACKBOX_ONLY_CREDENTIALS",
    "Credentials",
    "ImpactCrmDataset",
    "ImpactCrmEmulator",
]
