"""Fixtures shared by the whole suite: an API sandbox started in-process on a free port."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from api_sandbox import Sandbox


@pytest.fixture
def sandbox(request: pytest.FixtureRequest) -> Iterator[Sandbox]:
    """A fresh sandbox per test; `@pytest.mark.parametrize("sandbox", [{...}], indirect=True)`
    passes options (scale, latency_ms, token_ttl, quirks, ...)."""
    options = {"seed": 7, "scale": 300, **getattr(request, "param", {})}
    with Sandbox(**options).start() as running:
        yield running
