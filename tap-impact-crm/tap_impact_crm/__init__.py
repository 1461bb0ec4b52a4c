"""Singer tap for Impact CRM reports: Trackbox, IB and Cellxpert families."""
