"""The project's `sandbox` environment makes the demo exercise every tap-trackfinity stream."""

from __future__ import annotations

from pathlib import Path

import yaml
from api_sandbox import Sandbox
from tap_trackfinity.parameters import preview_lookups

MELTANO_YML = Path(__file__).parents[2] / "meltano.yml"


def sandbox_config() -> dict:
    project = yaml.safe_load(MELTANO_YML.read_text())
    (environment,) = [e for e in project["environments"] if e["name"] == "sandbox"]
    extractors = environment["config"]["plugins"]["extractors"]
    (tap,) = [p for p in extractors if p["name"] == "tap-trackfinity"]
    return tap["config"]


def test_the_sandbox_environment_previews_clicks_every_sandbox_knows():
    lookups = preview_lookups(sandbox_config()["payout_preview_hashes"])
    clicks = Sandbox(seed=99, scale=10).trackfinity.preview_clicks
    assert len(lookups) == len(clicks)
    assert [lookup.transaction_hash for lookup in lookups] == list(clicks)
    assert Sandbox(seed=1, scale=200).trackfinity.counts()["payout_preview"] == len(lookups)
