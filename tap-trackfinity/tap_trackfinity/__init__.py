"""Singer tap for the Trackfinity admin API: profit/loss, transactions, payout preview."""

from importlib.metadata import version

__version__ = version("tap-trackfinity")
