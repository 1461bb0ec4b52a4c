"""`api-sandbox serve`: run the sandbox server until SIGINT or SIGTERM."""

from __future__ import annotations

import argparse
import gc
import signal
import sys
import threading
import time
from collections.abc import Sequence
from datetime import date
from types import FrameType

from api_sandbox.impact_crm import (
    CREDENTIALS,
    DEFAULT_DATA_END,
    DEFAULT_DATA_START,
    STREAMS,
    TRACKBOX_ONLY_CREDENTIALS,
)
from api_sandbox.later import check_weeks_later
from api_sandbox.quirks import KNOWN_QUIRKS
from api_sandbox.sandbox import Sandbox
from api_sandbox.server import RESERVED_PREFIXES
from api_sandbox.trackfinity import CREDENTIALS as TRACKFINITY_CREDENTIALS
from api_sandbox.trackfinity import DEFAULT_ALLOWED_IPS as TRACKFINITY_DEFAULT_ALLOWED_IPS
from api_sandbox.tracksale import API_TOKEN as TRACKSALE_API_TOKEN
from api_sandbox.tracksale.security_lock import DEFAULT_LOCK_REQUESTS, DEFAULT_LOCK_WINDOW

FULL_COLLECTIONS_NEVER = 2**31 - 1
"""A gen-2 threshold no server run reaches: full collections are left to an explicit call."""


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        sandbox = _build(args)
    except ValueError as error:
        print(f"api-sandbox: {error}", file=sys.stderr)
        return 2
    stop = threading.Event()

    def request_stop(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)
    sandbox.start()
    _announce(sandbox, args)
    while not stop.wait(0.5):
        pass
    sandbox.stop()
    print("api-sandbox stopped", flush=True)
    return 0


def _build(args: argparse.Namespace) -> Sandbox:
    started = time.monotonic()
    sandbox = Sandbox(
        seed=args.seed,
        scale=args.scale,
        latency_ms=args.latency_ms,
        token_ttl=args.token_ttl,
        token_ttl_requests=args.token_ttl_requests,
        rate_429=args.rate_429,
        rate_5xx=args.rate_5xx,
        retry_after=args.retry_after,
        quirks=args.quirks,
        host=args.host,
        port=args.port,
        data_start=args.data_start,
        data_end=args.data_end,
        trackfinity_allowed_ips=args.trackfinity_allowed_ips,
        weeks_later=args.weeks_later,
        tracksale_lock_requests=args.tracksale_lock_requests,
        tracksale_lock_window=args.tracksale_lock_window,
    )
    args.prerendered = sandbox.impact_crm.dataset.prerender() if args.prerender else 0
    args.tracksale_prerendered = sandbox.tracksale.prerender() if args.prerender else 0
    args.build_seconds = time.monotonic() - started
    _quiet_collector()
    return sandbox


def _quiet_collector() -> None:
    """Keep the cyclic garbage collector from pausing the server for long.

    The world just built lives as long as the server, and what requests leave behind (the
    write and request logs, lots, customers sent) only grows: full collections would walk all
    of it, tens of milliseconds each, and every request then in flight would wait that long on
    top of its latency. So the built world is frozen out of the collector, and full
    collections are left out while serving; young objects are still collected as usual.
    """
    gc.collect()
    gc.freeze()
    young, middle, _ = gc.get_threshold()
    gc.set_threshold(young, middle, FULL_COLLECTIONS_NEVER)


def _announce(sandbox: Sandbox, args: argparse.Namespace) -> None:
    crm = CREDENTIALS
    dataset = sandbox.impact_crm.dataset
    counts = "  ".join(f"{stream}={dataset.count(stream)}" for stream in STREAMS)
    trackfinity = sandbox.trackfinity
    lines = [
        f"api-sandbox listening on {sandbox.base_url}",
        f"impact-crm  api_url={sandbox.impact_crm_url}  x_domain={crm.x_domain}"
        f"  api_key={crm.api_key}  email={crm.email}  password={crm.password}",
        f"impact-crm  trackbox-only user: email={TRACKBOX_ONLY_CREDENTIALS.email}"
        " (same password, Trackbox Reports only)",
        f"impact-crm  data {dataset.data_start}..{dataset.last_day}, seed={args.seed}: {counts}"
        f" (built in {args.build_seconds:.1f} s, {args.prerendered} records prerendered)",
        f"trackfinity  api_url={sandbox.trackfinity_url}"
        f"  api_username={TRACKFINITY_CREDENTIALS.api_username}"
        f"  api_key={TRACKFINITY_CREDENTIALS.api_key}",
        f"trackfinity  allowed IPs (ADMIN_API_ALLOWED_IPS): {','.join(trackfinity.allowed_ips)};"
        f" data {trackfinity.dataset.data_start}..{trackfinity.dataset.data_end},"
        f" {len(trackfinity.dataset.affiliates)} affiliates (days built on first request);"
        f" payout preview clicks: {','.join(trackfinity.preview_clicks)}",
        *_tracksale_lines(sandbox, args),
        f"control API: {sandbox.base_url}/_sandbox/health",
    ]
    if sandbox.weeks_later:
        weeks = "1 week" if sandbox.weeks_later == 1 else f"{sandbox.weeks_later} weeks"
        lines.insert(
            -1,
            f"{weeks} later: data period {sandbox.data_start}..{sandbox.data_end}, then"
            f" {weeks} of new and edited records to {sandbox.last_day}",
        )
    if RESERVED_PREFIXES:
        lines.insert(-1, f"reserved, not served yet (404): {'  '.join(RESERVED_PREFIXES)}")
    if sandbox.quirks:
        lines.append(f"quirks: {','.join(sorted(sandbox.quirks))}")
    print("\n".join(lines), flush=True)


def _tracksale_lines(sandbox: Sandbox, args: argparse.Namespace) -> list[str]:
    dataset = sandbox.tracksale.dataset
    counts = "  ".join(f"{stream}={count}" for stream, count in sandbox.tracksale.counts().items())
    lock = sandbox.tracksale.security_lock
    return [
        f"tracksale  api_url={sandbox.tracksale_url}  api_token={TRACKSALE_API_TOKEN}",
        f"tracksale  security lock: 405 past {lock.max_requests} requests in"
        f" {lock.window_seconds:g} s, until POST /_sandbox/tracksale/solve-captcha",
        f"tracksale  data {dataset.data_start}..{dataset.last_day}, seed={args.seed}: {counts}"
        f" ({args.tracksale_prerendered} answers prerendered)",
    ]


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date YYYY-MM-DD: {text!r}") from None


def _weeks(text: str) -> int:
    try:
        return check_weeks_later(int(text))
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _rate(text: str) -> float:
    value = float(text)
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"a rate is between 0 and 1, got {text}")
    return value


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="api-sandbox", description="Local emulators of the project's APIs."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="serve the emulated APIs until interrupted")
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8765, help="port (default 8765); 0: any free")
    serve.add_argument("--seed", type=int, default=1, help="data and fault seed (default 1)")
    serve.add_argument("--scale", type=int, default=200, help="number of leads (default 200)")
    serve.add_argument(
        "--prerender",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="render every record's JSON before listening, within the cache budget, so no "
        "request pays for it (default; --no-prerender starts faster)",
    )
    serve.add_argument(
        "--latency-ms",
        type=int,
        default=0,
        help="time from each API request to its answer (handling included)",
    )
    serve.add_argument("--token-ttl", type=float, default=3600, help="login token lifetime, s")
    serve.add_argument(
        "--token-ttl-requests",
        type=int,
        default=None,
        metavar="N",
        help="Impact CRM: each login token serves at most N report calls, then answers 401 "
        "(0: every token is refused; default: no limit)",
    )
    serve.add_argument(
        "--rate-429", type=_rate, default=0.0, help="share of API requests answered 429"
    )
    serve.add_argument("--rate-5xx", type=_rate, default=0.0, help="share answered 503 or 500")
    serve.add_argument("--retry-after", type=int, default=1, help="Retry-After of 429s, s")
    serve.add_argument(
        "--quirks", default="", help=f"comma-separated, of: {', '.join(sorted(KNOWN_QUIRKS))}"
    )
    serve.add_argument("--data-start", type=_day, default=DEFAULT_DATA_START, help="first data day")
    serve.add_argument("--data-end", type=_day, default=DEFAULT_DATA_END, help="last data day")
    serve.add_argument(
        "--weeks-later",
        type=_weeks,
        default=0,
        metavar="N",
        help="serve the same world N weeks after --data-end: everything of week N-1 (same ids "
        "and e-mails) plus a week of new leads, customers, transactions, positions, answers "
        "and profit/loss, and some leads, customers and answers edited (default 0: the data "
        "period only)",
    )
    serve.add_argument(
        "--trackfinity-allowed-ips",
        default=",".join(TRACKFINITY_DEFAULT_ALLOWED_IPS),
        help="comma-separated addresses or networks Trackfinity lets in, its "
        "ADMIN_API_ALLOWED_IPS (default: 127.0.0.1,::1); others get 403",
    )
    serve.add_argument(
        "--tracksale-lock-requests",
        type=_positive_int,
        default=DEFAULT_LOCK_REQUESTS,
        metavar="N",
        help="Tracksale's security lock: past N requests in --tracksale-lock-window seconds, "
        "every Tracksale request is answered 405 with a CAPTCHA page until POST "
        f"/_sandbox/tracksale/solve-captcha (default {DEFAULT_LOCK_REQUESTS}, as the real API)",
    )
    serve.add_argument(
        "--tracksale-lock-window",
        type=_positive_float,
        default=DEFAULT_LOCK_WINDOW,
        metavar="SECONDS",
        help=f"the security lock's sliding window (default {DEFAULT_LOCK_WINDOW:g})",
    )
    return parser


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be 1 or more, got {text}")
    return value


def _positive_float(text: str) -> float:
    value = float(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be more than 0, got {text}")
    return value


if __name__ == "__main__":
    sys.exit(main())
