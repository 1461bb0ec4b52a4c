"""target-tracksale: settings, the sink of each stream, and when STATE may be released."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, ClassVar

from connector_kit.redaction import protect_secrets
from connector_kit.sdk_target_path import DirectRecordTarget
from connector_kit.settings import http_settings, request_budget_settings, secret_values
from connector_kit.startup import TunedCommandLine
from singer_sdk import Sink
from singer_sdk import typing as th
from singer_sdk.contrib.msgspec import MsgSpecReader
from singer_sdk.exceptions import ConfigValidationError
from singer_sdk.helpers.capabilities import CapabilitiesEnum, PluginCapabilities
from singer_sdk.mapper import RemoveRecordTransform

from target_tracksale.batch_files import batch_records
from target_tracksale.client import DEFAULT_API_URL, TOKEN_PAGE
from target_tracksale.ledger_database import LedgerUrlError
from target_tracksale.outputs import DEFAULT_PATHS
from target_tracksale.run import MAX_BATCH_SIZE, Run, ledger_location
from target_tracksale.sinks import IgnoredStreamSink, TracksaleSink
from target_tracksale.stream_actions import (
    ACTIONS,
    LEDGER_KEYS,
    SEND_MODES,
    StreamAction,
    parse_stream_actions,
)

STREAM_ACTION = th.ObjectType(
    th.Property(
        "action",
        th.StringType,
        required=True,
        allowed_values=list(ACTIONS),
        description="What to do with each record of the stream.",
    ),
    th.Property(
        "campaign_code",
        th.IntegerType,
        description="The campaign (its `code` in GET /campaign); a record's own "
        "`campaign_code` wins.",
    ),
    th.Property(
        "send",
        th.StringType,
        allowed_values=list(SEND_MODES),
        description="dispatch only: `now` (default), `lot` (add to the campaign's open lot) "
        "or `lot_then_send` (add to the lot, send the lot at the end of the run).",
    ),
    th.Property(
        "schedule_time",
        th.IntegerType,
        description="dispatch only, Unix seconds: with `now`, when to send records that have "
        "no `schedule_time` of their own; with `lot_then_send`, when to send the lot. A time "
        "less than a minute ahead when a request is sent (Tracksale refuses past times) is "
        "sent a minute ahead, with a warning.",
    ),
    th.Property(
        "finish_after_days",
        th.IntegerType,
        description="dispatch only: the survey closes this many days after it is sent "
        "(`finish_time`, sent at the top level of the request) for records without a "
        "`finish_time` of their own. Default: no finish time (Tracksale's own).",
    ),
    th.Property(
        "ledger_key",
        th.StringType,
        allowed_values=list(LEDGER_KEYS),
        description="How the ledger names a customer: by the campaign's main channel "
        "(default; e-mail lower-cased, or phone digits) or by `identification`.",
    ),
    th.Property(
        "start_date",
        th.DateType,
        description="notes only: first day of the answers a note by customer may attach to.",
    ),
    th.Property(
        "end_date",
        th.DateType,
        description="notes only: last day of the answers a note by customer may attach to.",
    ),
    additional_properties=False,
)


class TargetTracksale(TunedCommandLine, DirectRecordTarget):
    """Sends NPS surveys and writes answers, links, notes and tags into Tracksale."""

    name = "target-tracksale"
    default_sink_class = TracksaleSink
    message_reader_class = MsgSpecReader
    # Records are checked field by field by each action, rejects kept: no JSON Schema check.
    capabilities: ClassVar[list[CapabilitiesEnum]] = [
        PluginCapabilities.ABOUT,
        PluginCapabilities.STREAM_MAPS,
        PluginCapabilities.FLATTENING,
        PluginCapabilities.STRUCTURED_LOGGING,
        PluginCapabilities.BATCH,
    ]

    config_jsonschema = th.PropertiesList(
        th.Property(
            "api_url",
            th.StringType,
            default=DEFAULT_API_URL,
            description="Tracksale's API base URL. Plain http:// is refused except to this "
            "machine.",
        ),
        th.Property(
            "api_token",
            th.StringType,
            required=True,
            secret=True,
            description=f"API token, from {TOKEN_PAGE}; sent as `Authorization: bearer`.",
        ),
        th.Property(
            "stream_actions",
            th.ObjectType(additional_properties=STREAM_ACTION),
            required=True,
            description="Per incoming stream name (after stream maps), what to do with its "
            'records, e.g. {"customers": {"action": "dispatch", "campaign_code": 123, '
            '"send": "now"}}. Actions: dispatch, answers, survey_links, notes, '
            "fill_empty_tags. A stream with no entry stops the run when its SCHEMA arrives. "
            "Dispatch options: campaign_code, send, schedule_time, finish_after_days, "
            "ledger_key.",
        ),
        th.Property(
            "batch_size",
            th.IntegerType(minimum=1, maximum=MAX_BATCH_SIZE),
            default=MAX_BATCH_SIZE,
            description="Records per request (dispatch, answers, survey links); at most 500, "
            "Tracksale's limit. max_concurrency requests of this size are sent at once.",
        ),
        th.Property(
            "dry_run",
            th.BooleanType,
            default=False,
            description="Check, batch and count what would be sent, and send nothing (only "
            "GET /campaign is called). Rejects and the summary are written; STATE is not "
            "emitted, so a later real run sends everything.",
        ),
        th.Property(
            "check_can_impact",
            th.BooleanType,
            default=False,
            description="Before a dispatch, ask Tracksale (can-impact, one request per "
            "customer) whether the 90-day rule allows surveying each customer; those it "
            "does not are rejected with that reason instead of sent.",
        ),
        th.Property(
            "ledger_enabled",
            th.BooleanType,
            default=True,
            description="Keep the ledger (at ledger_url, or ledger_path), so no record is "
            "sent twice across batches, retries and runs. Off: only repeats within one run "
            "are caught.",
        ),
        th.Property(
            "ledger_url",
            th.StringType,
            secret=True,
            description="Where the ledger lives, for runners whose files do not outlive a run "
            "(containers, CI, Kubernetes) or several runners at once: "
            "postgresql://user:password@host:5432/database (tables in schema "
            "target_tracksale), or sqlite:///path/ledger.sqlite. Default: the SQLite file "
            "at ledger_path.",
        ),
        th.Property(
            "ledger_path",
            th.StringType,
            default=str(DEFAULT_PATHS["ledger_path"]),
            description="SQLite file recording what each campaign accepted (relative to the "
            "working directory), when ledger_url is not set. Only for a runner whose files "
            "survive between runs.",
        ),
        th.Property(
            "ledger_lease_seconds",
            th.NumberType,
            default=60,
            description="A run that shares the ledger and goes silent (killed, its machine "
            "lost) for this long is taken as stopped: what it was sending is sent again "
            "where Tracksale detects repeats, and reported ambiguous where it does not.",
        ),
        th.Property(
            "rejects_path",
            th.StringType,
            default=str(DEFAULT_PATHS["rejects_path"]),
            description="JSON Lines file every record not delivered is appended to, with its "
            "stream, action, status and reason.",
        ),
        th.Property(
            "summary_path",
            th.StringType,
            default=str(DEFAULT_PATHS["summary_path"]),
            description="JSON file with the run's counts per stream and action (replaced by "
            "each run).",
        ),
        th.Property(
            "survey_links_path",
            th.StringType,
            default=str(DEFAULT_PATHS["survey_links_path"]),
            description="JSON Lines file the survey_links action appends each customer and "
            "its link to, to load back into the warehouse.",
        ),
        th.Property(
            "max_concurrency",
            th.IntegerType(minimum=1),
            default=8,
            description="Most requests in flight at once: the requests of one batch (of "
            "batch_size records each) are sent together. 1 sends one request at a time.",
        ),
        *(setting for setting in http_settings() if setting.name != "max_concurrency"),
        *request_budget_settings(
            api="Tracksale",
            lock="Tracksale locks the token's account past 1000 requests in five minutes "
            "(HTTP 405 and a CAPTCHA a person must solve).",
        ),
    ).to_dict()

    @classmethod
    def append_builtin_config(cls, config_jsonschema: dict[str, Any]) -> None:
        """The SDK's built-in settings, less three with no meaning here.

        (`load_method`: records are always sent, never upserted into a table;
        `add_record_metadata`: Singer metadata columns would not be sent anyway;
        `batch_config`: BATCH messages name their files by full URL, read as they are.)
        """
        super().append_builtin_config(config_jsonschema)
        for name in ("load_method", "add_record_metadata", "batch_config"):
            config_jsonschema["properties"].pop(name, None)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        protect_secrets(secret_values(dict(self.config), self.config_jsonschema))
        actions, errors = parse_stream_actions(self.config)
        errors.extend(_limits(self.config))
        try:
            ledger_location(self.config)
        except LedgerUrlError as wrong:
            errors.append(str(wrong))
        if errors:
            raise ConfigValidationError("Config validation failed", errors=errors)
        self.stream_actions: dict[str, StreamAction] = actions
        # Sinks drain one after another; each sends its own batch concurrently.
        self.max_parallelism = 1
        self.run = Run(self.config, emit_state=self.write_state_now, logger=self.logger)
        if self.run.dry_run:
            self.logger.info("Dry run: nothing will be sent to Tracksale and no STATE emitted.")

    def get_sink_class(self, stream_name: str) -> type[Sink]:
        action = self.stream_actions.get(stream_name)
        if action is not None:
            return TracksaleSink
        if self._removed_by_stream_maps(stream_name):
            return IgnoredStreamSink
        self.run.settle()
        configured = ", ".join(sorted(self.stream_actions)) or "none"
        msg = (
            f"Stream '{stream_name}' has no action. Add it to `stream_actions`, e.g. "
            f'"{stream_name}": {{"action": "dispatch", "campaign_code": 123}}, or leave the '
            f"stream out upstream (select, or a stream map to __NULL__). Configured streams: "
            f"{configured}."
        )
        raise ConfigValidationError(msg, errors=[msg])

    def batch_message_records(self, message: dict[str, Any]) -> Iterable[dict[str, Any]]:
        """The records of a BATCH message's files (JSON Lines, gzip or not)."""
        return batch_records(
            str(message.get("stream")), message.get("encoding"), message.get("manifest")
        )

    def _removed_by_stream_maps(self, stream_name: str) -> bool:
        maps = [
            stream_map
            for stream_maps in self.mapper.stream_maps.values()
            for stream_map in stream_maps
            if stream_map.stream_alias == stream_name
        ]
        return bool(maps) and all(isinstance(m, RemoveRecordTransform) for m in maps)

    def on_first_state(self, state: Any, *, after_records: bool) -> None:
        """A STATE before any record is the tap's bookmarks from its earlier runs."""
        if not after_records:
            self.run.check_ledger_against(state)

    def checkpoint_after(self, draining: Sink) -> dict[str, Any] | None:
        """The STATE `draining`'s batch releases once settled, if any (`state_release`)."""
        return self.run.state.checkpoint(
            self.latest_state(),
            other_sinks_hold_records=self.sinks_holding_records(besides=draining),
        )

    def write_state_when_settled(self, state: dict[str, Any]) -> None:
        """A STATE the SDK would write now: every batch in flight settles first."""
        self.run.settle()
        self.run.state.release(state)

    def process_endofpipe(self) -> None:
        try:
            super().process_endofpipe()
            self.run.finish()
        finally:
            self.run.close()


def _limits(config: Mapping[str, Any]) -> list[str]:
    errors = []
    batch_size = config.get("batch_size", MAX_BATCH_SIZE)
    if not isinstance(batch_size, int) or not 1 <= batch_size <= MAX_BATCH_SIZE:
        errors.append(f"`batch_size` must be from 1 to {MAX_BATCH_SIZE}, got {batch_size!r}.")
    concurrency = config.get("max_concurrency", 8)
    if not isinstance(concurrency, int) or concurrency < 1:
        errors.append(f"`max_concurrency` must be 1 or more, got {concurrency!r}.")
    return errors


if __name__ == "__main__":
    TargetTracksale.cli()
