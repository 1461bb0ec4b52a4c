"""What the figures were measured on: CPU, cores, Python, versions, date and load."""

from __future__ import annotations

import contextlib
import os
import platform
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path
from typing import Any

from harness.process import peak_rss_method


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def load() -> str:
    try:
        one, five, fifteen = os.getloadavg()
    except OSError:
        return "unknown"
    return f"{one:.2f}, {five:.2f}, {fifteen:.2f} (1, 5, 15 min)"


def bytecode_caches() -> str:
    """Whether the contenders can use compiled bytecode, which changes every startup figure."""
    if os.environ.get("PYTHONDONTWRITEBYTECODE"):
        return (
            "not written (PYTHONDONTWRITEBYTECODE is set): a process compiles every module "
            "it imports that has no cache yet, which adds to each startup figure"
        )
    return "written and used as usual"


def machine_info(pinning: str) -> dict[str, Any]:
    versions = []
    for package in ("singer-sdk", "msgspec", "requests"):
        with contextlib.suppress(metadata.PackageNotFoundError):
            versions.append(f"{package} {metadata.version(package)}")
    return {
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "cpu": cpu_model(),
        "cores": os.cpu_count(),
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "os": platform.platform(),
        "packages": ", ".join(versions),
        "pinning": pinning,
        "peak RSS": peak_rss_method(),
        "bytecode caches": bytecode_caches(),
        "load at start": load(),
    }
