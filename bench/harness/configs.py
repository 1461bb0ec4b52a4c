"""Config files and single-stream catalogs for the taps and the target, against one sandbox."""

from __future__ import annotations

import json
import subprocess
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from harness.sandbox import BIN, SandboxProcess


def one_window_days(sandbox: SandboxProcess) -> int:
    """A `window_days` that puts the whole data period in one window."""
    return max(400, (sandbox.data_end - sandbox.data_start).days + 1)


def impact_crm_config(
    sandbox: SandboxProcess, *, page_size: int = 1000, empty: bool = False
) -> dict[str, Any]:
    """tap-impact-crm's settings (also read by the plain loop and the reference tap).

    `empty` asks for one day before the data starts: a run that starts, logs in, makes one
    request and gets nothing, to measure what a run costs before its first record.
    """
    crm = sandbox.settings["impact-crm"]
    start, end = _period(sandbox, empty)
    return {
        "api_url": crm["api_url"],
        "x_domain": crm["x_domain"],
        "api_key": crm["api_key"],
        "email": crm["email"],
        "password": crm["password"],
        "start_date": start,
        "end_date": end,
        "window_days": one_window_days(sandbox),
        "page_size": page_size,
    }


def tracksale_config(sandbox: SandboxProcess) -> dict[str, Any]:
    start, end = _period(sandbox, empty=False)
    return {
        "api_url": sandbox.settings["tracksale"]["api_url"],
        "api_token": sandbox.settings["tracksale"]["api_token"],
        "start_date": start,
        "end_date": end,
        "window_days": one_window_days(sandbox),
    }


def trackfinity_config(sandbox: SandboxProcess) -> dict[str, Any]:
    finity = sandbox.settings["trackfinity"]
    start, end = _period(sandbox, empty=False)
    return {
        "api_url": finity["api_url"],
        "api_username": finity["api_username"],
        "api_key": finity["api_key"],
        "start_date": start,
        "end_date": end,
        "window_days": one_window_days(sandbox),
    }


def target_config(
    sandbox: SandboxProcess, workdir: Path, *, stream: str, campaign_code: int
) -> dict[str, Any]:
    """target-tracksale dispatching `stream` to one campaign, with files of its own."""
    return {
        "api_url": sandbox.settings["tracksale"]["api_url"],
        "api_token": sandbox.settings["tracksale"]["api_token"],
        "stream_actions": {stream: {"action": "dispatch", "campaign_code": campaign_code}},
        "max_concurrency": 8,
        "ledger_path": str(workdir / "ledger.sqlite"),
        "rejects_path": str(workdir / "rejects.jsonl"),
        "summary_path": str(workdir / "summary.json"),
    }


def _period(sandbox: SandboxProcess, empty: bool) -> tuple[str, str]:
    if empty:
        day = (sandbox.data_start - timedelta(days=1)).isoformat()
        return day, day
    return sandbox.data_start.isoformat(), sandbox.data_end.isoformat()


def write_json(path: Path, value: Any) -> Path:
    path.write_text(json.dumps(value, indent=1, default=_default))
    return path


def _default(value: Any) -> str:
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"not JSON: {value!r}")


def single_stream_catalog(executable: str, config: Path, stream: str, out: Path) -> Path:
    """Discover with `executable` and select only `stream` (and every field of it)."""
    discovered = subprocess.run(
        [str(BIN / executable), "--config", str(config), "--discover"],
        capture_output=True,
        text=True,
        check=True,
    )
    catalog = json.loads(discovered.stdout)
    names = [entry["tap_stream_id"] for entry in catalog["streams"]]
    if stream not in names:
        raise RuntimeError(f"{executable} has no stream {stream!r} (it has {names})")
    for entry in catalog["streams"]:
        for metadata in entry["metadata"]:
            if metadata["breadcrumb"] == []:
                metadata["metadata"]["selected"] = entry["tap_stream_id"] == stream
    return write_json(out, catalog)
