"""Singer target for Tracksale: NPS survey dispatches, answers, survey links, notes and tags."""
