"""The Singer SDK's standard target tests, against the sandbox.

Every stream of the SDK's test files gets a dispatch action: their records carry no customer,
so each is rejected (and kept in the rejects file) rather than sent, and the run goes on.
"""

from __future__ import annotations

import atexit
import json
import shutil
import tempfile
from pathlib import Path

import singer_sdk.testing
from api_sandbox import Sandbox
from singer_sdk.testing import get_target_test_class
from target_tracksale.target import TargetTracksale

from tests.tracksale_target.helpers import campaign_code, target_config

_sandbox = Sandbox(seed=11, scale=60).start()
atexit.register(_sandbox.stop)
_workdir = Path(tempfile.mkdtemp(prefix="target-tracksale-standard-"))
atexit.register(shutil.rmtree, _workdir, ignore_errors=True)


def _standard_stream_names() -> set[str]:
    folder = Path(singer_sdk.testing.__file__).parent / "target_test_streams"
    names = set()
    for path in folder.glob("*.singer"):
        for line in path.read_text().splitlines():
            if line.strip():
                message = json.loads(line)
                if message.get("type") == "SCHEMA":
                    names.add(message["stream"])
    return names


_code = campaign_code(_sandbox)
_actions = {
    name: {"action": "dispatch", "campaign_code": _code} for name in _standard_stream_names()
}

TestTargetTracksale = get_target_test_class(
    TargetTracksale, config=target_config(_sandbox, _workdir, _actions)
)
