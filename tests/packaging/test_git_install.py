"""tap-tracksale installs from `git+file://<clone>#subdirectory=tap-tracksale` alone, with pip and
with uv, into an empty environment: the form of `pip_url` the README tells users to write.
"""

from __future__ import annotations

import pytest

from tests.packaging.builds import about, fresh_venv, git_requirement, pyproject, run, uv_install

pytestmark = pytest.mark.slow
PLUGIN = "tap-tracksale"


def test_pip_installs_the_plugin_from_its_git_subdirectory(repository, tmp_path):
    venv = fresh_venv(tmp_path / "venv", with_pip=True)
    run(venv / "python", "-m", "pip", "install", "--quiet", git_requirement(PLUGIN, repository))
    assert about(venv, PLUGIN)["version"] == pyproject(PLUGIN)["project"]["version"]
    run(venv / "python", "-c", "import connector_kit.api_client, connector_kit.request_budget")


def test_uv_installs_the_plugin_from_its_git_subdirectory(repository, tmp_path):
    venv = fresh_venv(tmp_path / "venv")
    uv_install(venv, git_requirement(PLUGIN, repository))
    assert about(venv, PLUGIN)["version"] == pyproject(PLUGIN)["project"]["version"]
