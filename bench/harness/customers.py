"""A Singer stream of generated customers for target-tracksale, written to a file beforehand."""

from __future__ import annotations

import json
from pathlib import Path


def write_customers(path: Path, *, stream: str, count: int, domain: str) -> Path:
    """SCHEMA, `count` RECORDs with a name and a unique e-mail under `domain`, then a STATE."""
    schema = {
        "type": "SCHEMA",
        "stream": stream,
        "schema": {
            "type": "object",
            "properties": {"name": {"type": "string"}, "email": {"type": "string"}},
        },
        "key_properties": ["email"],
    }
    with path.open("w") as out:
        out.write(json.dumps(schema) + "\n")
        for number in range(count):
            record = {"name": f"Customer {number}", "email": f"customer{number}@{domain}"}
            out.write(json.dumps({"type": "RECORD", "stream": stream, "record": record}) + "\n")
        out.write(json.dumps({"type": "STATE", "value": {"customers": count}}) + "\n")
    return path
