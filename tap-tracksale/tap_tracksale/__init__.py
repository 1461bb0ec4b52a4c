"""Singer tap for the Tracksale API v2 (NPS surveys)."""
