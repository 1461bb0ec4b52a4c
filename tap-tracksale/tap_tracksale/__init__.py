"""Singer tap for the Tracksale API v2 (NPS surveys)."""

from importlib.metadata import version

__version__ = version("tap-tracksale")
