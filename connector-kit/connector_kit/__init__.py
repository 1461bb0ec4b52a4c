"""Shared building blocks of this project's Singer plugins.

Written once, here, and built into each plugin's own distribution (each plugin folder links
`connector_kit` to this package), so the retry policy, date windows, tolerant record handling,
concurrent paging, secret redaction and fast output behave the same in every tap and target,
and a plugin installs from its own folder, git URL or wheel with nothing else named.
"""
