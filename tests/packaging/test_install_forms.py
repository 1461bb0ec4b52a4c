"""The other forms a user installs a plugin by, naming nothing else: pip given a wheel, uv and pip
given the plugin's folder (not editable).
"""

from __future__ import annotations

import pytest

from tests.packaging.builds import REPO, about, fresh_venv, pyproject, run, uv_install

pytestmark = pytest.mark.slow


@pytest.mark.xdist_group("packaging-wheels")
def test_pip_installs_a_wheel_alone(dists, tmp_path):
    venv = fresh_venv(tmp_path / "venv", with_pip=True)
    run(venv / "python", "-m", "pip", "install", "--quiet", dists["target-tracksale"][1])
    version = pyproject("target-tracksale")["project"]["version"]
    assert about(venv, "target-tracksale")["version"] == version


def test_uv_and_pip_install_a_plugin_from_its_folder(tmp_path):
    venv = fresh_venv(tmp_path / "uv", with_pip=False)
    uv_install(venv, REPO / "tap-trackfinity")
    assert about(venv, "tap-trackfinity")["name"] == "tap-trackfinity"
    venv = fresh_venv(tmp_path / "pip", with_pip=True)
    run(venv / "python", "-m", "pip", "install", "--quiet", REPO / "tap-impact-crm")
    assert about(venv, "tap-impact-crm")["name"] == "tap-impact-crm"
    installed = run(venv / "python", "-c", "import connector_kit; print(connector_kit.__file__)")
    assert "site-packages" in installed, installed
