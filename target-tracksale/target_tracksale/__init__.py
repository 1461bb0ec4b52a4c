"""Singer target for Tracksale: NPS survey dispatches, answers, survey links, notes and tags."""

from importlib.metadata import version

__version__ = version("target-tracksale")
