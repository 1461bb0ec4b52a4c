"""The four plugins built once per test session: sdists, and wheels built from those sdists."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.packaging.builds import PLUGINS, build, committed_copy


@pytest.fixture(scope="session")
def dists(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, Path]]:
    """Each plugin's (sdist, wheel), built by `uv build` from its folder."""
    out = tmp_path_factory.mktemp("dist")
    return {plugin: build(plugin, out) for plugin in PLUGINS}


@pytest.fixture(scope="session")
def repository(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A git repository holding the working tree's files in one commit, for `git+file://` URLs."""
    return committed_copy(tmp_path_factory.mktemp("repository"))
