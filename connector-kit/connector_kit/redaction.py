"""Keeps secret values (API keys, passwords, tokens) out of every log line.

The plugins never log secrets on purpose; this filter is the second line of defence for
anything a library might log (an exception text, a debug dump), at every log level.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable

MASK = "***"
_MIN_SECRET_LENGTH = 4


class SecretRedactor(logging.Filter):
    """A logging filter that replaces known secret values in messages with `***`."""

    def __init__(self) -> None:
        super().__init__()
        self._secrets: tuple[str, ...] = ()
        self._lock = threading.Lock()

    def add(self, *secrets: str | None) -> None:
        """Register more secret values (a new token after a login, say)."""
        usable = {s for s in secrets if isinstance(s, str) and len(s) >= _MIN_SECRET_LENGTH}
        with self._lock:
            self._secrets = tuple(sorted(set(self._secrets) | usable, key=len, reverse=True))

    def redact(self, text: str) -> str:
        """Return `text` with every registered secret replaced by the mask."""
        for secret in self._secrets:
            if secret in text:
                text = text.replace(secret, MASK)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        if not self._secrets:
            return True
        message = record.getMessage()
        redacted = self.redact(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        if record.exc_info and record.exc_info[1] is not None:
            text = logging.Formatter().formatException(record.exc_info)
            if self.redact(text) != text:
                record.exc_text = self.redact(text)
                record.exc_info = None
        extra = record.__dict__.get("extra")
        if extra:
            record.__dict__["extra"] = self.redact(str(extra))
        return True


redactor = SecretRedactor()


def protect_secrets(secrets: Iterable[str | None]) -> SecretRedactor:
    """Register `secrets` and attach the shared redactor to every handler of the root logger.

    Handlers added later by a library get it the next time this is called; the plugins call
    it when their configuration is known and again whenever a new token is issued.
    """
    redactor.add(*secrets)
    loggers = [logging.getLogger(), *map(logging.getLogger, list(logging.root.manager.loggerDict))]
    for logger in loggers:
        for handler in getattr(logger, "handlers", []):
            if redactor not in handler.filters:
                handler.addFilter(redactor)
    return redactor
