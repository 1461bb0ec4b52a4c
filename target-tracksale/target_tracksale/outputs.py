"""What a run leaves behind besides the ledger: the rejects file, survey links, the summary.

Every record not delivered goes to the rejects file with its stream, action, status and
reason; every outcome is counted in the summary, which is rewritten after each settled batch
(so a failed or killed run leaves its counts behind) and logged at the end.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from target_tracksale.deliveries import REJECTED_STATUSES, Outcome
from target_tracksale.jsonl import JsonLinesFile
from target_tracksale.rejects import RejectsFile
from target_tracksale.summary import RunSummary

OUTPUT_DIR = Path(".output") / "target-tracksale"
DEFAULT_PATHS = {
    "ledger_path": OUTPUT_DIR / "ledger.sqlite",
    "rejects_path": OUTPUT_DIR / "rejects.jsonl",
    "summary_path": OUTPUT_DIR / "summary.json",
    "survey_links_path": OUTPUT_DIR / "survey_links.jsonl",
}


def setting_path(config: Mapping[str, Any], name: str) -> Path:
    """A path setting, or its default under `.output/target-tracksale/`."""
    return Path(str(config.get(name) or DEFAULT_PATHS[name]))


class RunOutputs:
    """The run's files: rejects, survey links, and the summary of what became of each record."""

    def __init__(self, config: Mapping[str, Any], *, run_id: str, dry_run: bool) -> None:
        self.rejects = RejectsFile(setting_path(config, "rejects_path"), run_id=run_id)
        self.survey_links = JsonLinesFile(setting_path(config, "survey_links_path"))
        self.summary = RunSummary(
            setting_path(config, "summary_path"), run_id=run_id, dry_run=dry_run
        )
        self.summary.files = {"rejects": str(self.rejects.path)}

    def count(self, stream: str, action: str, outcomes: Iterable[Outcome]) -> None:
        """Count each outcome in the summary; keep the rejected records."""
        outcomes = list(outcomes)
        counts = Counter(outcome.status for outcome in outcomes)
        if not REJECTED_STATUSES.isdisjoint(counts):
            for outcome in outcomes:
                if outcome.status in REJECTED_STATUSES:
                    delivery = outcome.delivery
                    self.rejects.add(
                        stream=stream,
                        action=action,
                        record=delivery.record,
                        status=outcome.status,
                        reason=outcome.reason,
                        campaign_code=delivery.campaign_code,
                    )
        for status, number in counts.items():
            self.summary.add(stream, action, status, number)

    def flush(self) -> None:
        """Everything written so far is on disk (before a STATE goes out)."""
        self.rejects.flush()
        self.survey_links.flush()

    def progress(self) -> None:
        """The summary so far, rewritten after each settled batch."""
        self.summary.write(status="running")

    def succeeded(self, logger: logging.Logger) -> None:
        if self.survey_links.lines_written:
            self.summary.files["survey_links"] = str(self.survey_links.path)
        self.summary.write(status="succeeded")
        self.summary.log(logger)

    def failed(self, error: BaseException, logger: logging.Logger) -> None:
        self.summary.write(status="failed", error=str(error))
        self.summary.log(logger)

    def close(self) -> None:
        self.rejects.close()
        self.survey_links.close()
