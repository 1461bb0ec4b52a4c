"""Impact CRM users, API keys and login tokens.

An API key belongs to one domain (sent as `X-DOMAIN`); a user's role grants report families;
a login token lives `token_ttl` seconds and, when `token_ttl_requests` is set, serves at most
that many report calls (0: every token is refused, as a CRM that refuses every login's token).
The sandbox has one API key and two users: a reports user with all three families, and one
with Trackbox Reports only.
"""

from __future__ import annotations

import hmac
import secrets
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass

FAMILY_PERMISSIONS = {
    "trackbox": "Trackbox Reports",
    "ib": "IB Reports",
    "cellxpert": "Cellxpert Reports",
}
FAMILIES = tuple(FAMILY_PERMISSIONS)


@dataclass(frozen=True)
class Credentials:
    """What a connector needs to log in to the sandbox CRM."""

    email: str
    password: str
    api_key: str
    x_domain: str


@dataclass(frozen=True)
class User:
    """A CRM user and the report permissions of its role."""

    email: str
    password: str
    permissions: frozenset[str]


CREDENTIALS = Credentials(
    email="reports@sandbox.test",
    password="sandbox-password",
    api_key="sandbox-api-key",
    x_domain="sandbox.impact-crm.test",
)
TRACKBOX_ONLY_CREDENTIALS = Credentials(
    email="trackbox-only@sandbox.test",
    password=CREDENTIALS.password,
    api_key=CREDENTIALS.api_key,
    x_domain=CREDENTIALS.x_domain,
)
USERS = {
    user.email: user
    for user in (
        User(CREDENTIALS.email, CREDENTIALS.password, frozenset(FAMILY_PERMISSIONS.values())),
        User(
            TRACKBOX_ONLY_CREDENTIALS.email, CREDENTIALS.password, frozenset({"Trackbox Reports"})
        ),
    )
}
API_KEY_DOMAINS = {CREDENTIALS.api_key: CREDENTIALS.x_domain}


class AuthError(Exception):
    """A rejected call: the HTTP status and the message the API answers with."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass
class _Session:
    """What a token stands for: its user, when it was issued, how many calls it was shown on."""

    email: str
    issued: float
    calls: int = 0


class Authenticator:
    """Checks API keys, logs users in and checks tokens and permissions on report calls."""

    def __init__(self, token_ttl: float = 3600, token_ttl_requests: int | None = None) -> None:
        if token_ttl_requests is not None and token_ttl_requests < 0:
            raise ValueError(f"token_ttl_requests must be 0 or more, got {token_ttl_requests}")
        self.token_ttl = token_ttl
        self.token_ttl_requests = token_ttl_requests
        self._tokens: dict[str, _Session] = {}
        self._issued: list[str] = []
        self._lock = threading.Lock()

    def check_api_key(self, headers: Mapping[str, str]) -> None:
        """403 unless `X-Api-Key` is known and `X-DOMAIN` is its domain."""
        domain = API_KEY_DOMAINS.get(headers.get("x-api-key", ""))
        if domain is None or not hmac.compare_digest(domain, headers.get("x-domain", "")):
            raise AuthError(403, "invalid or expired API key")

    def login(self, headers: Mapping[str, str], email: str, password: str) -> str:
        """A fresh token for a user with the right password; 401 otherwise."""
        self.check_api_key(headers)
        user = USERS.get(email)
        if user is None or not hmac.compare_digest(user.password, password):
            raise AuthError(401, "invalid credentials")
        token = secrets.token_urlsafe(32)
        now = time.monotonic()
        with self._lock:
            # Expired tokens are kept a while, so that they are still told apart from unknown ones.
            forget_after = 2 * self.token_ttl + 60
            stale_tokens = [t for t, s in self._tokens.items() if now - s.issued > forget_after]
            for stale in stale_tokens:
                del self._tokens[stale]
            self._tokens[token] = _Session(user.email, now)
            self._issued.append(token)
        return token

    def issued_tokens(self) -> list[str]:
        """Every token issued so far, oldest first, for tests that look for leaked secrets."""
        with self._lock:
            return list(self._issued)

    def authorize(self, headers: Mapping[str, str], family: str) -> User:
        """The caller of a report call in `family`, if its key, token and role allow it."""
        self.check_api_key(headers)
        with self._lock:
            session = self._tokens.get(headers.get("x-auth-token", ""))
            if session is not None:
                session.calls += 1
                calls = session.calls
        if session is None:
            raise AuthError(401, "invalid token")
        if time.monotonic() - session.issued > self.token_ttl:
            raise AuthError(401, "token expired")
        if self.token_ttl_requests is not None and calls > self.token_ttl_requests:
            raise AuthError(401, "token expired")
        user = USERS[session.email]
        permission = FAMILY_PERMISSIONS[family]
        if permission not in user.permissions:
            raise AuthError(403, f"missing permission: {permission}")
        return user
