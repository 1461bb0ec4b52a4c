"""The end-to-end tests' PostgreSQL server, one per test worker, started when first needed.

Tests that use it are marked `xdist_group("postgres")`, so one worker runs them all against
one server.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.e2e.postgres_server import PostgresServer, running_postgres


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    with running_postgres() as server:
        yield server
