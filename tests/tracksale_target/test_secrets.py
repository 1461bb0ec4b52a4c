"""The API token never reaches any output, at debug level too, whether it works or not."""

from __future__ import annotations

import subprocess
from pathlib import Path

from tests.tracksale_target.helpers import campaign_code, customers, messages, target_config
from tests.tracksale_target.target_runner import TARGET, record, schema, write_config

DEBUG = {"LOGLEVEL": "DEBUG", "TARGET_TRACKSALE_LOGLEVEL": "DEBUG"}


def outputs(config: dict) -> str:
    """Everything the run wrote to disk: ledger, rejects, summary, survey links."""
    texts = []
    for key in ("ledger_path", "rejects_path", "summary_path", "survey_links_path"):
        for path in Path(config[key]).parent.glob(Path(config[key]).name + "*"):
            texts.append(path.read_bytes().decode("utf-8", "replace"))
    return "\n".join(texts)


def test_no_token_in_logs_files_or_state_at_debug_level(sandbox, tmp_path, run):
    actions = {
        "customers": {"action": "dispatch", "campaign_code": campaign_code(sandbox)},
        "invites": {"action": "survey_links", "campaign_code": campaign_code(sandbox)},
    }
    config = target_config(sandbox, tmp_path, actions)
    token = config["api_token"]
    sandbox.queue_faults(path_contains="/dispatch", faults=[{"status": 503}])
    input_messages = [
        *messages([*customers(5), {"name": "no e-mail"}]),
        schema("invites"),
        record("invites", customers(1, prefix="inv")[0]),
    ]
    result = run(config, input_messages, env=DEBUG).check()
    assert "DEBUG" in result.stderr  # debug logging really was on
    assert result.rejects  # the files really were written
    for text in (result.stdout, result.stderr, outputs(config)):
        assert token not in text, "the token reached the output"


def test_no_token_in_a_refused_run_or_in_about(sandbox, tmp_path, run):
    wrong = "wrong-token-which-is-secret"
    config = target_config(sandbox, tmp_path, api_token=wrong)
    failed = run(config, messages(customers(1)), env=DEBUG)
    assert failed.returncode != 0
    assert wrong not in failed.stdout + failed.stderr
    for args in (("--about",), ("--about", "--format=json")):
        about = subprocess.run(
            [TARGET, "--config", str(write_config(tmp_path, config)), *args],
            capture_output=True,
            text=True,
            check=False,
        )
        assert about.returncode == 0, about.stderr
        assert wrong not in about.stdout + about.stderr
