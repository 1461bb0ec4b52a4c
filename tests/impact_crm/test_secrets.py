"""No secret (API key, password, session token) in any output, at debug level too."""

from __future__ import annotations

import json

import pytest

from tests.impact_crm.helpers import crm_config

DEBUG = {"LOGLEVEL": "DEBUG", "TAP_IMPACT_CRM_LOGLEVEL": "DEBUG"}


def assert_secret_free(text: str, secrets: list[str]) -> None:
    for secret in secrets:
        assert secret not in text, "a secret reached the output"


@pytest.mark.parametrize("sandbox", [{"token_ttl": 1, "latency_ms": 20}], indirect=True)
def test_no_secret_in_stdout_stderr_or_state_at_debug_level(sandbox, run_crm):
    config = crm_config(sandbox, page_size=40)
    run = run_crm(config, env=DEBUG).check()
    assert "DEBUG" in run.stderr  # debug logging really was on
    tokens = sandbox.impact_crm.issued_tokens()
    assert len(tokens) > 1  # the token was renewed during the run
    secrets = [config["api_key"], config["password"], *tokens]
    assert_secret_free(run.stdout, secrets)
    assert_secret_free(run.stderr, secrets)
    assert_secret_free(json.dumps(run.final_state), secrets)


def test_no_secret_in_failures_discovery_or_about(sandbox, run_crm):
    wrong = "wrong-password-which-is-secret"
    failed = run_crm(crm_config(sandbox, password=wrong), env=DEBUG)
    assert failed.returncode != 0
    assert_secret_free(failed.stdout + failed.stderr, [wrong, "sandbox-api-key"])
    config = crm_config(sandbox)
    for args in (("--discover",), ("--about",), ("--about", "--format=json"), ("--test",)):
        run = run_crm(config, args=args, env=DEBUG)
        assert run.returncode == 0, (args, run.stderr)
        assert_secret_free(run.stdout + run.stderr, [config["api_key"], config["password"]])
