"""An append-only JSON Lines file, opened on first write and flushed on demand."""

from __future__ import annotations

import datetime as dt
import threading
from pathlib import Path
from typing import IO, Any

import msgspec


def _encode_other(value: Any) -> Any:
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    return str(value)


_encoder = msgspec.json.Encoder(enc_hook=_encode_other)


class JsonLinesFile:
    """Appends one JSON object per line to `path`, creating its folder when first needed."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.lines_written = 0
        self._file: IO[bytes] | None = None
        self._lock = threading.Lock()

    def write(self, row: dict[str, Any]) -> None:
        line = _encoder.encode(row) + b"\n"
        with self._lock:
            if self._file is None:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                self._file = self.path.open("ab")
            self._file.write(line)
            self.lines_written += 1

    def flush(self) -> None:
        with self._lock:
            if self._file is not None:
                self._file.flush()

    def close(self) -> None:
        with self._lock:
            if self._file is not None:
                self._file.close()
                self._file = None
