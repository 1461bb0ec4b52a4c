"""Who may call the Trackfinity admin API: the IP allow-list, then the admin's header credentials.

The install lets only addresses in its `ADMIN_API_ALLOWED_IPS` setting in at all (403 for any
other caller), and only a full admin account's `api-username` and `api-key` headers (401 when
missing or wrong). Header names are case-insensitive; the server hands them over lower-case.
"""

from __future__ import annotations

import hmac
import ipaddress
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

IpNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

DEFAULT_ALLOWED_IPS = ("127.0.0.1", "::1")


@dataclass(frozen=True)
class Credentials:
    """What a connector sends to the sandbox install: the admin's username and API key."""

    api_username: str
    api_key: str


CREDENTIALS = Credentials(api_username="sandbox-admin", api_key="sandbox-trackfinity-key")


class AccessError(Exception):
    """A refused call: the HTTP status and the message the API answers with."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def parse_allowed_ips(entries: Iterable[str] | str) -> tuple[IpNetwork, ...]:
    """Addresses or networks (`10.0.0.0/8`), from an iterable or a comma-separated string.

    `ValueError` names an entry that is neither.
    """
    if isinstance(entries, str):
        entries = entries.split(",")
    networks: list[IpNetwork] = []
    for entry in entries:
        text = entry.strip()
        if not text:
            continue
        try:
            networks.append(ipaddress.ip_network(text, strict=False))
        except ValueError:
            raise ValueError(f"not an IP address or network: {text!r}") from None
    return tuple(networks)


class AccessGuard:
    """Checks the caller's address against the allow-list, then its credentials."""

    def __init__(self, allowed_ips: Iterable[str] | str = DEFAULT_ALLOWED_IPS) -> None:
        self._allowed = parse_allowed_ips(allowed_ips)
        self._lock = threading.Lock()

    @property
    def allowed_ips(self) -> list[str]:
        """The allow-list, as addresses (single hosts) and networks."""
        return [_network_text(network) for network in self._allowed]

    def allow_only(self, entries: Iterable[str] | str) -> None:
        """Replace the allow-list, as an admin does under Settings, Security."""
        networks = parse_allowed_ips(entries)
        with self._lock:
            self._allowed = networks

    def check(self, client_ip: str, headers: Mapping[str, str]) -> None:
        """Raise `AccessError` (403, then 401) unless the caller may use the API."""
        if not self._is_allowed(client_ip):
            raise AccessError(
                403, f"access denied: {client_ip or 'this address'} is not in ADMIN_API_ALLOWED_IPS"
            )
        username, key = headers.get("api-username"), headers.get("api-key")
        if not username or not key:
            raise AccessError(401, "the api-key and api-username headers are required")
        valid_username = _same(username, CREDENTIALS.api_username)
        valid_key = _same(key, CREDENTIALS.api_key)
        if not (valid_username and valid_key):
            raise AccessError(401, "invalid api-key or api-username")

    def _is_allowed(self, client_ip: str) -> bool:
        try:
            address = ipaddress.ip_address(client_ip.split("%", 1)[0])
        except ValueError:
            return False
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
            address = address.ipv4_mapped
        with self._lock:
            allowed = self._allowed
        return any(address in network for network in allowed)


def _same(given: str, expected: str) -> bool:
    return hmac.compare_digest(given.encode("utf-8", "surrogatepass"), expected.encode())


def _network_text(network: IpNetwork) -> str:
    single = network.prefixlen == network.max_prefixlen
    return str(network.network_address) if single else str(network)
