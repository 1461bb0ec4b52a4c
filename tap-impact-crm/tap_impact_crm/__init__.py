"""Singer tap for Impact CRM reports: Trackbox, IB and Cellxpert families."""

from importlib.metadata import version

__version__ = version("tap-impact-crm")
