"""Errors that reach the user: each says what went wrong and what to change."""

from __future__ import annotations

from singer_sdk.exceptions import FatalAPIError


class ConnectorError(FatalAPIError):
    """A failure the user has to fix (a setting, a permission, a parameter); never retried."""


class HttpError(ConnectorError):
    """A request the API refused for good (a 4xx not worth retrying).

    The message says what to fix; `status` and `api_message` (the API's own words) let a
    caller react to one kind of refusal.
    """

    def __init__(self, message: str, status: int, api_message: str = "") -> None:
        super().__init__(message)
        self.status = status
        self.api_message = api_message


class ApiLockedError(HttpError):
    """The API locked the account for too many requests; retrying cannot unlock it.

    Raised for the locking answer itself and, once a request budget was tripped by it, for
    every later attempt of the process, which is then never sent.
    """


class AuthenticationError(ConnectorError):
    """The API refused the credentials or their permissions."""


class RetriesExhaustedError(ConnectorError):
    """The API kept failing with retriable errors until the retry budget ran out."""


class InsecureUrlError(ConnectorError):
    """A plain-HTTP URL to a non-loopback host, without the user's explicit opt-in."""
