"""The records of a Singer BATCH message, read from its files one line at a time.

A tap in batch mode writes its records to files (JSON Lines, gzip-compressed or not) and
announces them in a BATCH message: `{"encoding": {"format": "jsonl", "compression": "gzip"},
"manifest": ["file:///.../part-1.json.gz", ...]}`. Each record read here goes through the
target's ordinary record path, so it is checked, screened against the ledger, sent, rejected
and counted exactly as if it had come in a RECORD message. A file that cannot be read, or an
encoding this target does not read, stops the run before the STATE that follows the BATCH
message is passed on: nothing is dropped in silence. The files are left where they are.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import fsspec
import msgspec
from connector_kit.errors import ConnectorError

FORMATS = ("jsonl",)
COMPRESSIONS = {None: None, "none": None, "gzip": "gzip"}


class BatchFileError(ConnectorError):
    """A BATCH message whose files cannot be read; the run stops and passes no STATE on."""


def batch_records(stream: str, encoding: Any, manifest: Any) -> Iterator[dict[str, Any]]:
    """Every record of a BATCH message's files, in manifest order, one at a time."""
    compression = _compression(stream, encoding)
    if not isinstance(manifest, Sequence) or isinstance(manifest, str):
        msg = f"The BATCH message of stream '{stream}' has no list of files (`manifest`)."
        raise BatchFileError(msg)
    decode = msgspec.json.Decoder().decode
    for url in manifest:
        yield from _file_records(stream, str(url), compression, decode)


def _compression(stream: str, encoding: Any) -> str | None:
    fmt = encoding.get("format") if isinstance(encoding, Mapping) else None
    compression = encoding.get("compression") if isinstance(encoding, Mapping) else None
    if fmt not in FORMATS or compression not in COMPRESSIONS:
        msg = (
            f"The BATCH message of stream '{stream}' has encoding {encoding!r}; target-tracksale "
            "reads JSON Lines files, gzip-compressed or not. Set the tap's `batch_config` to "
            '{"encoding": {"format": "jsonl", "compression": "gzip"}, ...}, or run the tap '
            "without batch_config so it sends RECORD messages."
        )
        raise BatchFileError(msg)
    return COMPRESSIONS[compression]


def _file_records(
    stream: str, url: str, compression: str | None, decode: Any
) -> Iterator[dict[str, Any]]:
    read = 0
    try:
        with fsspec.open(url, mode="rb", compression=compression) as lines:
            for read, line in enumerate(lines, start=1):
                if not line.strip():
                    continue
                try:
                    record = decode(line)
                except msgspec.DecodeError as error:
                    what = f"not JSON ({error})"
                    raise BatchFileError(_bad_line(stream, url, read, what)) from error
                if not isinstance(record, dict):
                    raise BatchFileError(_bad_line(stream, url, read, "not a JSON object"))
                yield record
    except (OSError, EOFError, ValueError) as error:
        where = f" after line {read}" if read else ""
        msg = (
            f"Could not read the batch file {url} of stream '{stream}'{where}: {error}. "
            "The file must stay where the tap wrote it until the target has read it (the tap "
            "and the target need the same storage); run the pipeline again once it is there. "
            "No STATE after this BATCH message was passed on, so no record is lost."
        )
        raise BatchFileError(msg) from error


def _bad_line(stream: str, url: str, line_number: int, what: str) -> str:
    return (
        f"Line {line_number} of the batch file {url} of stream '{stream}' is {what}: each line "
        "must be one record as a JSON object."
    )
