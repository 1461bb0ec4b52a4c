"""Two plugins installed into one environment share `connector_kit`'s files (README, "How the
plugins are packaged"): both run; uninstalling one removes the shared files, and reinstalling
the other, as the README says, brings them back.
"""

from __future__ import annotations

import subprocess

import pytest

from tests.packaging.builds import about, fresh_venv, run

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("packaging-wheels")]


def test_tap_and_target_in_one_environment(dists, tmp_path):
    venv = fresh_venv(tmp_path / "venv", with_pip=True)
    tap, target = dists["tap-tracksale"][1], dists["target-tracksale"][1]
    pip = [venv / "python", "-m", "pip"]
    run(*pip, "install", "--quiet", tap, target)
    assert about(venv, "tap-tracksale")["name"] == "tap-tracksale"
    assert about(venv, "target-tracksale")["name"] == "target-tracksale"

    run(*pip, "uninstall", "--quiet", "--yes", "target-tracksale")
    broken = subprocess.run(
        [str(venv / "tap-tracksale"), "--about"], capture_output=True, text=True, check=False
    )
    assert broken.returncode != 0
    assert "No module named 'connector_kit" in broken.stderr, broken.stderr[-2000:]

    run(*pip, "install", "--quiet", "--force-reinstall", "--no-deps", tap)
    assert about(venv, "tap-tracksale")["name"] == "tap-tracksale"
