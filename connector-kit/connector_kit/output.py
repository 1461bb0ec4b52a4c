"""Singer output: msgspec-encoded lines, flushed when a state or schema line is written.

Records are buffered; every STATE line is flushed together with the records before it, so a
consumer never sees a bookmark ahead of the records it covers, and a killed run loses nothing
its last STATE line promised.
"""

from __future__ import annotations

import sys

from singer_sdk.contrib.msgspec import MsgSpecWriter
from singer_sdk.singerlib import RecordMessage
from singer_sdk.singerlib.encoding.simple import Message


class BufferedSingerWriter(MsgSpecWriter):
    """The SDK's msgspec writer, without a flush after every record."""

    def write_message(self, message: Message) -> None:
        stream = sys.stdout.buffer
        stream.write(self.format_message(message))
        if not isinstance(message, RecordMessage):
            stream.flush()
