"""``python -m awsflow.local``: run the SWF-compatible service until SIGINT or SIGTERM."""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading
from collections.abc import Sequence
from types import FrameType

from ._server import LocalSWF
from ._service import SNAPSHOT_EVERY


def _credentials(value: str) -> tuple[str, str]:
    access_key, sep, secret = value.partition(":")
    if not sep or not access_key or not secret:
        raise argparse.ArgumentTypeError("expected ACCESS_KEY:SECRET")
    return access_key, secret


def _snapshot_every(value: str) -> int | None:
    try:
        every = int(value)
    except ValueError as err:
        raise argparse.ArgumentTypeError("expected a whole number") from err
    if every < 0:
        raise argparse.ArgumentTypeError("expected 0 (never) or more")
    return every or None


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m awsflow.local",
        description="An Amazon SWF-compatible service for development and tests.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="interface to bind (default: 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8080, help="TCP port; 0 picks a free one (default: 8080)")
    parser.add_argument("--db", default=None, help="SQLite file for durable state (default: in memory)")
    parser.add_argument(
        "--poll-timeout",
        type=float,
        default=60.0,
        help="seconds a poll waits for a task (default: 60, as SWF)",
    )
    parser.add_argument(
        "--verify-sigv4",
        type=_credentials,
        metavar="ACCESS_KEY:SECRET",
        default=None,
        help="reject requests whose SigV4 signature does not verify with these credentials",
    )
    parser.add_argument(
        "--synchronous",
        choices=("NORMAL", "FULL"),
        default="NORMAL",
        help="with --db: NORMAL survives the process being killed; FULL also power loss (default: NORMAL)",
    )
    parser.add_argument(
        "--snapshot-every",
        type=_snapshot_every,
        default=SNAPSHOT_EVERY,
        metavar="N",
        help=f"compact the store after N journaled commands (default: {SNAPSHOT_EVERY}; 0: never)",
    )
    parser.add_argument("--log-level", default="INFO", help="logging level; DEBUG logs every request")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(
        level=args.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    swf = LocalSWF(
        db=args.db,
        poll_timeout=args.poll_timeout,
        host=args.host,
        port=args.port,
        verify_sigv4=args.verify_sigv4,
        snapshot_every=args.snapshot_every,
        synchronous=args.synchronous,
    )
    stop = threading.Event()

    def request_stop(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)
    with swf:
        print(f"awsflow.local listening on {swf.endpoint_url}", flush=True)
        stop.wait()
        logging.getLogger(__name__).info("stopping")
    return 0


if __name__ == "__main__":
    sys.exit(main())
