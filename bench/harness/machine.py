"""What the figures were measured on: CPU, cores, Python, versions, date and load."""

from __future__ import annotations

import contextlib
import importlib.util
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
    spec = importlib.util.find_spec("singer_sdk")  # the largest import of most contenders
    source = spec.origin if spec and spec.origin else ""
    compiled = importlib.util.cache_from_source(source) if source else ""
    ahead = "compiled ahead by `make setup`" if os.path.exists(compiled) else "not compiled ahead"
    if os.environ.get("PYTHONDONTWRITEBYTECODE"):
        return (
            f"{ahead}; PYTHONDONTWRITEBYTECODE is set, so a module without a cache is compiled "
            "again at every start"
        )
    return f"{ahead}; written and used as usual"


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
