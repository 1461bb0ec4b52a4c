"""What the run needs of a stream's sink: its action, and how it plans, screens and sends.

The run (`run.Run`) screens, sends and settles batches for any sink that has these; it never
imports the sinks, which are built on it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from target_tracksale.deliveries import Delivery, Outcome, Request
from target_tracksale.stream_actions import StreamAction


class ActionSink(Protocol):
    """One stream's sink, as the run sees it."""

    @property
    def action(self) -> str:
        """`dispatch`, `answers`, `survey_links`, `notes` or `fill_empty_tags`."""
        ...

    @property
    def resend_is_safe(self) -> bool:
        """Whether Tracksale itself detects a repeat, so an unsettled record may be sent again."""
        ...

    @property
    def stream_name(self) -> str: ...

    @property
    def stream_action(self) -> StreamAction: ...

    @property
    def sends_lots(self) -> bool: ...

    def plan(self, deliveries: Sequence[Delivery]) -> list[Request]:
        """The requests for these deliveries."""
        ...

    def screen_remotely(self, deliveries: list[Delivery]) -> tuple[list[Delivery], list[Outcome]]:
        """Ask Tracksale about each delivery before sending; those to send, and the refused."""
        ...

    def send(self, request: Request) -> list[Outcome]:
        """Make the request; what became of each delivery. Runs in a worker thread."""
        ...

    def after_outcomes(self, request: Request, outcomes: Sequence[Outcome]) -> None:
        """Anything to keep from an answered request besides the ledger and the rejects."""
        ...
