"""Singer output: msgspec-encoded lines, buffered, flushed with each STATE or SCHEMA line.

Records are buffered; every STATE line is flushed together with the records before it, so a
consumer never sees a bookmark ahead of the records it covers, and a killed run loses nothing
its last STATE line promised. `write_record` is the fast path the streams use: it encodes a
record straight into the buffer, without building a message object.
"""

from __future__ import annotations

import atexit
import sys
from collections.abc import Iterable
from typing import Any

import msgspec
from singer_sdk.contrib.msgspec import MsgSpecWriter, enc_hook
from singer_sdk.singerlib import RecordMessage
from singer_sdk.singerlib.encoding.simple import Message

BUFFER_BYTES = 1 << 16


class BufferedSingerWriter(MsgSpecWriter):
    """The SDK's msgspec writer, writing in 64 KiB blocks instead of flushing every record."""

    def __init__(self) -> None:
        super().__init__()
        self._buffer = bytearray()
        self._encoder = msgspec.json.Encoder(enc_hook=enc_hook, decimal_format="number")
        self._frame_key: tuple[str, str, int | None] | None = None
        self._frame_bytes = (b"", b"")
        atexit.register(self.flush)

    def write_message(self, message: Message) -> None:
        self._append(message.to_dict())
        if not isinstance(message, RecordMessage):
            self.flush()

    def write_record(
        self, stream: str, record: dict[str, Any], time_extracted: str, version: int | None = None
    ) -> None:
        """Write one RECORD line for `record` as it is."""
        self.write_records(stream, (record,), time_extracted, version)

    def write_records(
        self,
        stream: str,
        records: Iterable[dict[str, Any]],
        time_extracted: str,
        version: int | None = None,
    ) -> None:
        """Write a RECORD line for each record as it is, encoding only the record itself.

        The message around it is the same bytes for every record of the stream within one
        second, encoded once and kept until the stream, time or version changes.
        """
        head, tail = self._frame(stream, time_extracted, version)
        buffer = self._buffer
        encode_into = self._encoder.encode_into
        for record in records:
            buffer += head
            encode_into(record, buffer, -1)
            buffer += tail
            if len(buffer) >= BUFFER_BYTES:
                self._drain()

    def _frame(self, stream: str, time_extracted: str, version: int | None) -> tuple[bytes, bytes]:
        """The bytes before and after the record in a RECORD line (the last ones kept)."""
        key = (stream, time_extracted, version)
        if self._frame_key != key:
            encode = self._encoder.encode
            head = b'{"type":"RECORD","stream":' + encode(stream) + b',"record":'
            tail = b',"time_extracted":' + encode(time_extracted) + b"}\n"
            if version is not None:
                tail = b',"version":' + encode(version) + tail
            self._frame_key, self._frame_bytes = key, (head, tail)
        return self._frame_bytes

    def _append(self, message: dict[str, Any]) -> None:
        buffer = self._buffer
        self._encoder.encode_into(message, buffer, -1)
        buffer += b"\n"
        if len(buffer) >= BUFFER_BYTES:
            self._drain()

    def _drain(self) -> None:
        if self._buffer:
            sys.stdout.buffer.write(self._buffer)
            self._buffer.clear()

    def flush(self) -> None:
        """Write out whatever is buffered and flush stdout."""
        self._drain()
        sys.stdout.buffer.flush()
