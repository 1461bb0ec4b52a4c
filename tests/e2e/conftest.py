"""End-to-end tests share one xdist worker: Meltano keeps each plugin's run files (catalog,
config) under the project's `.meltano/run/`, so two `meltano run`s of one plugin at once
would overwrite each other's."""

from __future__ import annotations

import pytest


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/e2e/" in str(item.path).replace("\\", "/"):
            item.add_marker(pytest.mark.xdist_group("meltano"))
