"""Two plugins installed into one environment share `connector_kit`'s files (README, "How the
plugins are packaged"): both run; uninstalling one removes the shared files, and reinstalling
the other brings them back.
"""

from __future__ import annotations

import subprocess

import pytest

from tests.packaging.builds import BIN, about, fresh_venv, run, uv_install

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("packaging-wheels")]


def test_tap_and_target_in_one_environment(dists, tmp_path):
    venv = fresh_venv(tmp_path / "venv")
    uv_install(venv, dists["tap-tracksale"][1], dists["target-tracksale"][1])
    assert about(venv, "tap-tracksale")["name"] == "tap-tracksale"
    assert about(venv, "target-tracksale")["name"] == "target-tracksale"

    run(BIN / "uv", "pip", "uninstall", "--quiet", "--python", venv / "python", "target-tracksale")
    broken = subprocess.run(
        [str(venv / "tap-tracksale"), "--about"], capture_output=True, text=True, check=False
    )
    assert broken.returncode != 0
    assert "No module named 'connector_kit" in broken.stderr, broken.stderr[-2000:]

    uv_install(venv, "--reinstall-package", "tap-tracksale", dists["tap-tracksale"][1])
    assert about(venv, "tap-tracksale")["name"] == "tap-tracksale"
