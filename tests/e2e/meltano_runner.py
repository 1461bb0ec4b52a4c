"""Runs `meltano` from the project as a user would, each run with a `.meltano` of its own.

Meltano writes each plugin's config and catalog to `.meltano/run/<plugin>/` and removes them
after the run, so two runs of the same plugin at once (tests on two workers, a demo beside the
suite) would remove each other's files. Each run here gets its own `.meltano` under its work
folder, linking to the plugins `make meltano-install` installed.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
NOT_SHARED = ("run", "logs")


def own_run_dir(workdir: Path) -> dict[str, str]:
    """Env giving Meltano a `.meltano` of its own under `workdir`, sharing the plugins."""
    own = workdir / ".meltano"
    if not own.exists():
        own.mkdir()
        for entry in (REPO / ".meltano").iterdir():
            if entry.is_dir() and entry.name not in NOT_SHARED:
                (own / entry.name).symlink_to(entry, target_is_directory=True)
    return {"MELTANO_SYS_DIR_ROOT": str(own)}


def meltano_env(sandbox, workdir: Path, overrides: dict[str, str] | None = None) -> dict[str, str]:
    """The environment of a `meltano` run against `sandbox`, its files under `workdir`."""
    return {
        **os.environ,
        "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        "MELTANO_SEND_ANONYMOUS_USAGE_STATS": "false",
        "MELTANO_DATABASE_URI": f"sqlite:///{workdir / 'meltano.db'}",
        "TAP_IMPACT_CRM_API_URL": sandbox.impact_crm_url,
        "TAP_TRACKSALE_API_URL": sandbox.tracksale_url,
        "TAP_TRACKFINITY_API_URL": sandbox.trackfinity_url,
        "TARGET_DUCKDB_FILEPATH": str(workdir / "warehouse.duckdb"),
        **own_run_dir(workdir),
        **(overrides or {}),
    }


def meltano_run(
    sandbox, workdir: Path, *blocks: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess:
    """`meltano --environment sandbox run BLOCKS...`; fails the test when the run fails."""
    done = subprocess.run(
        [str(BIN / "meltano"), "--environment", "sandbox", "run", *blocks],
        cwd=REPO,
        env=meltano_env(sandbox, workdir, env),
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-4000:]
    return done
