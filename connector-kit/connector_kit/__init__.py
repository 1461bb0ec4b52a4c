"""Shared building blocks of this project's Singer plugins.

Each plugin lists this distribution as a dependency, so the retry policy, date windows,
tolerant record handling, concurrent paging, secret redaction and fast output are written
once and behave the same in every tap and target.
"""
