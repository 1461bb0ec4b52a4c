"""The plain loop a tap is measured against: requests, a JSON parse, one RECORD line per record.

Logs in, reads every page of the leads report for one `lastModifiedDate` window, one page
after another through one keep-alive session, and writes a Singer RECORD line per record to
stdout. With `--msgspec` it decodes and encodes with msgspec instead of the json module: the
fastest a single-threaded Python loop of this shape goes.

    .venv/bin/python bench/plain_loop.py --config config.json [--msgspec] > /dev/null

The config is tap-impact-crm's (`api_url`, `x_domain`, `api_key`, `email`, `password`,
`start_date`, `end_date`, `page_size`, `report_family`).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import msgspec
from crm_login import logged_in_session


def pages(config: dict[str, Any], decode: Callable[[bytes], Any]) -> Iterator[list[dict]]:
    """The records of each page, in page order."""
    api = f"{str(config['api_url']).rstrip('/')}/api/v1"
    family = config.get("report_family") or "trackbox"
    page_size = int(config.get("page_size") or 1000)
    with logged_in_session(config) as session:
        params = {
            "lastModifiedDateFrom": str(config["start_date"])[:10],
            "lastModifiedDateTo": str(config["end_date"])[:10],
            "pageSize": page_size,
        }
        page = 1
        while True:
            response = session.get(
                f"{api}/{family}/leads", params=params | {"page": page}, timeout=60
            )
            response.raise_for_status()
            body = decode(response.content)
            records = body.get("data") or []
            if records:
                yield records
            if not records or page * page_size >= int(body.get("total") or 0):
                return
            page += 1


def run_json(config: dict[str, Any]) -> int:
    out = sys.stdout
    count = 0
    for records in pages(config, json.loads):
        extracted = datetime.now(timezone.utc).isoformat()
        for record in records:
            message = {"type": "RECORD", "stream": "leads", "record": record}
            message["time_extracted"] = extracted
            out.write(json.dumps(message) + "\n")
        count += len(records)
    out.flush()
    return count


def run_msgspec(config: dict[str, Any]) -> int:
    out = sys.stdout.buffer
    encoder = msgspec.json.Encoder()
    buffer = bytearray()
    count = 0
    for records in pages(config, msgspec.json.decode):
        extracted = datetime.now(timezone.utc).isoformat()
        for record in records:
            message = {"type": "RECORD", "stream": "leads", "record": record}
            message["time_extracted"] = extracted
            encoder.encode_into(message, buffer, -1)
            buffer += b"\n"
        out.write(buffer)
        buffer.clear()
        count += len(records)
    out.flush()
    return count


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", type=Path, required=True)
    parser.add_argument("--msgspec", action="store_true", help="msgspec instead of json")
    args = parser.parse_args()
    config = json.loads(args.config.read_text())
    count = run_msgspec(config) if args.msgspec else run_json(config)
    print(f"{count} records", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
