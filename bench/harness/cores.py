"""Where the processes run: the sandbox on one core, the measured process on another.

On a machine with two cores or more, with `taskset` and `sched_setaffinity`, the sandbox is
started under `taskset -c 0` and this process (and so every contender it starts) is pinned to
core 1, so the server and the client never compete for a core. Otherwise nothing is pinned,
and the report says so.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass

SERVER_CORE = 0
CLIENT_CORE = 1


@dataclass(frozen=True)
class Pinning:
    """Whether pinning is in effect, the prefix that pins the sandbox, and a line saying so."""

    active: bool
    server_prefix: tuple[str, ...]
    description: str


def pin_processes() -> Pinning:
    """Pin this process to the client core if it can be done; say what was done."""
    taskset = shutil.which("taskset")
    if not hasattr(os, "sched_setaffinity"):
        return Pinning(False, (), "not pinned: this system has no sched_setaffinity")
    allowed = os.sched_getaffinity(0)
    if not {SERVER_CORE, CLIENT_CORE} <= allowed:
        cores = ",".join(map(str, sorted(allowed)))
        return Pinning(False, (), f"not pinned: needs cores 0 and 1, this process may use {cores}")
    if taskset is None:
        return Pinning(False, (), "not pinned: taskset not found")
    os.sched_setaffinity(0, {CLIENT_CORE})
    return Pinning(
        True,
        (taskset, "-c", str(SERVER_CORE)),
        f"sandbox pinned to core {SERVER_CORE}, measured process to core {CLIENT_CORE}",
    )
