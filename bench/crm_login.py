"""An Impact CRM session logged in with plain `requests`, for the bench's own loops.

Imports only `requests`, so a contender that uses it stays a plain loop.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import requests


def logged_in_session(settings: Mapping[str, Any], *, timeout: float = 60) -> requests.Session:
    """A keep-alive session sending the API key, domain and a fresh token with each request.

    `settings` holds `api_url` (without /api/v1), `api_key`, `x_domain`, `email`, `password`.
    """
    api = f"{str(settings['api_url']).rstrip('/')}/api/v1"
    key_headers = {"X-Api-Key": settings["api_key"], "X-DOMAIN": settings["x_domain"]}
    session = requests.Session()
    login = session.post(
        f"{api}/auth/login",
        json={"email": settings["email"], "password": settings["password"], "rememberMe": True},
        headers=key_headers,
        timeout=timeout,
    )
    login.raise_for_status()
    session.headers.update(key_headers | {"X-Auth-Token": login.json()["token"]})
    return session
