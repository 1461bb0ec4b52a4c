"""Process start-up: what a plugin's entry module does once its imports are done."""

from __future__ import annotations

import gc


def freeze_imported_objects() -> None:
    """Move every object alive now (modules, classes, the SDK) out of the collector's sight.

    They live as long as the process, so the collector would only scan them again and again
    during a run, and tear them down one by one at exit, which takes a tenth of a second or
    more after importing the Singer SDK. Called once, at the end of an entry module's imports.
    """
    gc.freeze()
