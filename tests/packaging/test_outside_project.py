"""A Meltano project outside the repository follows the README's "Use these plugins in your own
Meltano project" step by step, and `meltano run tap-tracksale target-jsonl` lands the sandbox's
records.

The steps are read from that README section's `sh` blocks, with its placeholders filled in:
`<clone>` and `<repository URL>` name a committed copy of this working tree, the token is the
sandbox's. One step differs: `meltano add ... target-jsonl` would ask Meltano Hub (the internet),
so the test adds target-jsonl from this project's own definition of it (the Hub's variant
installs the same `target-jsonl` package). Plugins install through the package index, as
`make setup` does.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess

import pytest
import yaml
from api_sandbox.tracksale import API_TOKEN

from tests.packaging.builds import BIN, REPO
from tests.tracksale.conftest import sandbox  # noqa: F401 (the fixture, lock raised)

pytestmark = pytest.mark.slow
SECTION = "## Use these plugins in your own Meltano project"
HUB_LOADER = "meltano add --no-install --plugin-type loader target-jsonl"


def readme_steps() -> list[str]:
    """The shell commands of the README section, in order, continuation lines joined."""
    readme = (REPO / "README.md").read_text()
    section = readme.split(SECTION, 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```sh\n(.*?)```", section, flags=re.DOTALL)
    assert blocks, "the README section has no sh block"
    return [line for block in blocks for line in block.replace("\\\n", " ").splitlines() if line]


def test_readme_steps_run_tap_tracksale_into_jsonl(sandbox, repository, tmp_path):  # noqa: F811
    project = tmp_path / "project"
    project.mkdir()
    (project / "meltano.yml").write_text("default_environment: dev\nenvironments:\n- name: dev\n")
    out = tmp_path / "jsonl"
    env = {
        **os.environ,
        "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        "MELTANO_SEND_ANONYMOUS_USAGE_STATS": "false",
        "TAP_TRACKSALE_API_URL": sandbox.tracksale_url,
        "TAP_TRACKSALE_END_DATE": "2026-10-31",
        "TARGET_JSONL_DESTINATION_PATH": str(out),
    }
    fills = {
        "<clone>": str(repository),
        "<repository URL>": f"file://{repository}",
        "<your API token>": API_TOKEN,
    }

    def meltano(step: str) -> None:
        for placeholder, value in fills.items():
            step = step.replace(placeholder, value)
        words = shlex.split(step)
        assert words[0] == "meltano", step
        done = subprocess.run(
            [str(BIN / "meltano"), *words[1:]],
            cwd=project,
            env=env,
            capture_output=True,
            text=True,
            timeout=900,
            check=False,
        )
        assert done.returncode == 0, f"{step}\n{done.stderr[-4000:]}"

    steps = readme_steps()
    assert steps[0].startswith("meltano add"), steps
    for step in steps:
        if step == HUB_LOADER:
            meltano(f"{HUB_LOADER} --from-ref {jsonl(tmp_path)}")
        elif step == "meltano install":
            fill_repository_url(project, fills["<repository URL>"])
            meltano(step)
        else:
            meltano(step)

    campaigns = records(out, "campaigns")
    assert {c["code"] for c in campaigns} == {c["code"] for c in sandbox.tracksale.campaigns()}
    answers = records(out, "answers")
    assert answers, "no answers landed"
    assert {a["campaign_code"] for a in answers} <= {c["code"] for c in campaigns}
    assert {p.name.split("-")[0] for p in out.iterdir()} == {"campaigns", "answers"}


def jsonl(tmp_path) -> str:
    """This project's definition of target-jsonl as a file `meltano add --from-ref` reads."""
    project = yaml.safe_load((REPO / "meltano.yml").read_text())
    entry = next(p for p in project["plugins"]["loaders"] if p["name"] == "target-jsonl")
    definition = {key: value for key, value in entry.items() if key != "config"}
    path = tmp_path / "target-jsonl.yml"
    path.write_text(yaml.safe_dump({**definition, "variant": "andyh1203"}, sort_keys=False))
    return str(path)


def fill_repository_url(project, url: str) -> None:
    """The README's edit: `<repository URL>` in meltano.yml's pip_url becomes the real URL."""
    path = project / "meltano.yml"
    text = path.read_text()
    assert "git+<repository URL>#subdirectory=tap-tracksale" in text
    path.write_text(text.replace("<repository URL>", url))


def records(out, stream: str) -> list[dict]:
    files = sorted(out.glob(f"{stream}-*.jsonl"))
    assert len(files) == 1, f"{stream}: {files}"
    return [json.loads(line) for line in files[0].read_text().splitlines()]
