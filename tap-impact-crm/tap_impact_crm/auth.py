"""Impact CRM login: one token per run, shared by every stream, renewed when it expires."""

from __future__ import annotations

import logging
import threading
from typing import Any

import requests
from connector_kit.api_client import ApiClient, response_message
from connector_kit.errors import AuthenticationError
from connector_kit.redaction import protect_secrets

USERS_PAGE = "Settings > System > User Management"
logger = logging.getLogger("tap-impact-crm")


REFUSED_FRESH_TOKENS = 3
"""Fresh tokens refused in a row, each before serving any request, after which a run fails."""


class ImpactCrmSession:
    """Holds the session token; logs in on first use and again when a call gets a 401.

    Token lifetimes are not documented, so a 401 on a report call means "log in again". One
    login runs at a time, shared by every thread: a thread whose request was refused with a
    token another thread has already replaced just retries with the newest one. A token
    *serves* once any request sent with it succeeds; the session gives up only when
    `REFUSED_FRESH_TOKENS` fresh tokens in a row were each refused before serving anything.
    """

    def __init__(
        self,
        client: ApiClient,
        *,
        api_url: str,
        x_domain: str,
        api_key: str,
        email: str,
        password: str,
    ) -> None:
        self.client = client
        self.login_url = f"{api_url}/api/v1/auth/login"
        self.email = email
        self._password = password
        self._key_headers = {"X-Api-Key": api_key, "X-DOMAIN": x_domain}
        self._token: str | None = None
        self._token_served = False
        self._refused_unserved: list[str] = []
        """The fresh tokens refused in a row, each before any request sent with it succeeded."""
        self._gave_up = False
        self._lock = threading.Lock()
        self.logins = 0

    def headers(self) -> dict[str, str]:
        """Headers for a report call, logging in first if no token is held yet."""
        token = self._token
        if token is None:
            with self._lock:
                if self._token is None:
                    self._login()
                token = self._token
        return {**self._key_headers, "X-Auth-Token": str(token)}

    def served(self, token: str) -> None:
        """A request sent with `token` succeeded: the token works."""
        if self._token_served and token == self._token:
            return
        with self._lock:
            if token == self._token:
                self._token_served = True
                self._refused_unserved.clear()
            elif token in self._refused_unserved:
                # Its success was told after another thread's 401 with it: it served after all.
                self._refused_unserved.clear()

    def renew(self, refused_token: str) -> bool:
        """After a 401 with `refused_token`: True to retry with the newest token, False to fail.

        Logs in again unless another thread already replaced `refused_token`. Fails once
        `REFUSED_FRESH_TOKENS` fresh tokens in a row were refused before serving any request.
        """
        with self._lock:
            if self._gave_up:
                return False
            if refused_token != self._token:
                return True  # already replaced: retry with the newest token
            if not self._token_served:
                self._refused_unserved.append(refused_token)
                if len(self._refused_unserved) >= REFUSED_FRESH_TOKENS:
                    self._gave_up = True
                    return False
            self._login()
            logger.info(
                "Impact CRM refused the session token (HTTP 401%s); logged in again (login %d)",
                "" if self._refused_unserved else ", after it had served",
                self.logins,
            )
        return True

    def _login(self) -> None:
        response = self.client.request(
            "POST",
            self.login_url,
            json={"email": self.email, "password": self._password, "rememberMe": True},
            headers={**self._key_headers, "Content-Type": "application/json"},
            describe_failure=self._describe_login_failure,
        )
        try:
            body = response.json()
        except ValueError:
            body = None
        token = token_of(body)
        protect_secrets([token])
        self._token = token
        self._token_served = False
        self.logins += 1

    def _describe_login_failure(self, response: requests.Response) -> str:
        status, message = response.status_code, response_message(response)
        if status == 401:
            return (
                f"Impact CRM refused the login of {self.email} (HTTP 401: {message}). Check "
                f"`email` and `password`, and that the user verified the e-mail the CRM sent "
                f"(unverified users expire after 7 days; {USERS_PAGE} > Users)."
            )
        if status == 403:
            return api_key_refused(message)
        if status == 404:
            return (
                f"Impact CRM has no login endpoint at {self.login_url} (HTTP 404): check "
                "`api_url`; it is the CRM's base URL, without /api/v1."
            )
        return f"Impact CRM login failed with HTTP {status}: {message}"


def token_of(body: Any) -> str:
    """The token of a login answer, `{"token": "..."}` as the seeds show it."""
    token = body.get("token") if isinstance(body, dict) else None
    if isinstance(token, str) and token:
        return token
    if isinstance(body, dict):
        seen = f"an object with {sorted(body)}"
    else:
        seen = "no JSON" if body is None else f"a JSON {type(body).__name__}"
    msg = (
        f'Impact CRM answered the login without a token (expected {{"token": "..."}}, got '
        f"{seen}): check `api_url`; it is the CRM's base URL, without /api/v1."
    )
    raise AuthenticationError(msg)


def api_key_refused(message: str) -> str:
    """What to do when the API key is refused."""
    return (
        f"Impact CRM refused the API key (HTTP 403: {message}): it is unknown, expired, or "
        f"not issued for this domain. Check `api_key` and `x_domain`, or create a new key in "
        f"{USERS_PAGE} > Api Keys."
    )
