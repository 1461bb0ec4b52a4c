"""Builds, fresh virtual environments and a committed copy of the repository, for packaging tests.

Everything runs as a user would: `uv build`, `uv venv`, `uv pip install` and `pip install` from
the package index (uv's and pip's caches are reused), no editable installs.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10: pytest depends on tomli there
    import tomli as tomllib

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
PLUGINS = ["tap-impact-crm", "tap-tracksale", "tap-trackfinity", "target-tracksale"]
PACKAGES = {name: name.replace("-", "_") for name in PLUGINS}


def run(*command: str | Path, cwd: Path | None = None, timeout: float = 600) -> str:
    """Run `command`; fail the test with its output when it fails; return its stdout."""
    done = subprocess.run(
        [str(part) for part in command],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        env={**os.environ, "PIP_DISABLE_PIP_VERSION_CHECK": "1"},
    )
    assert done.returncode == 0, f"{command} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done.stdout


def pyproject(plugin: str) -> dict:
    """Plugin `plugin`'s pyproject.toml."""
    return tomllib.loads((REPO / plugin / "pyproject.toml").read_text())


def build(plugin: str, out: Path) -> tuple[Path, Path]:
    """`uv build` of `plugin`'s folder: its sdist, and the wheel built from that sdist."""
    run(BIN / "uv", "build", "--quiet", "--out-dir", out, REPO / plugin)
    stem = PACKAGES[plugin] + "-" + pyproject(plugin)["project"]["version"]
    sdist, wheel = out / f"{stem}.tar.gz", out / f"{stem}-py3-none-any.whl"
    built = sorted(p.name for p in out.iterdir())
    assert sdist.is_file(), built
    assert wheel.is_file(), built
    return sdist, wheel


def fresh_venv(path: Path, *, with_pip: bool = False) -> Path:
    """A new virtual environment at `path` on this Python; its `bin` folder."""
    seed = ["--seed"] if with_pip else []
    run(BIN / "uv", "venv", "--quiet", *seed, "--python", sys.executable, path)
    return path / "bin"


def uv_install(venv_bin: Path, *requirements: str | Path) -> None:
    """`uv pip install REQUIREMENTS` into the environment of `venv_bin`."""
    run(BIN / "uv", "pip", "install", "--quiet", "--python", venv_bin / "python", *requirements)


def about(venv_bin: Path, plugin: str) -> dict:
    """`<plugin> --about --format=json` as the environment of `venv_bin` runs it."""
    return json.loads(run(venv_bin / plugin, "--about", "--format=json"))


def committed_copy(dest: Path) -> Path:
    """A git repository at `dest` whose one commit holds the working tree's files as they are.

    Tracked and untracked (not ignored) files are copied, links as links, so a `git+file://`
    URL of `dest` installs what is in this folder now, committed or not.
    """
    listed = run("git", "ls-files", "-z", "--cached", "--others", "--exclude-standard", cwd=REPO)
    for name in filter(None, listed.split("\0")):
        source, target = REPO / name, dest / name
        if not source.exists() and not source.is_symlink():
            continue  # deleted in the working tree, not yet committed
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_symlink():
            target.symlink_to(os.readlink(source))
        else:
            shutil.copy2(source, target)
    identity = ["-c", "user.name=packaging test", "-c", "user.email=packaging@test.invalid"]
    run("git", "init", "--quiet", cwd=dest)
    run("git", "add", "--all", cwd=dest)
    run("git", *identity, "commit", "--quiet", "--no-verify", "-m", "working tree", cwd=dest)
    return dest


def git_requirement(plugin: str, clone: Path) -> str:
    """The requirement a user names: `<plugin> @ git+file://<clone>#subdirectory=<plugin>`."""
    return f"{plugin} @ git+file://{clone}#subdirectory={plugin}"
