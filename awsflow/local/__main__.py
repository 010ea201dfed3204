"""``python -m awsflow.local``: run the SWF-compatible service until SIGINT or SIGTERM.

Stopping must work however busy the service is. Two things make it so:

* Only the main thread receives SIGINT/SIGTERM. The signals are blocked before any service
  thread starts (threads inherit the mask) and unblocked in the main thread alone, so the
  kernel cannot hand one to a request thread while the main thread sleeps through it; the main
  thread also wakes twice a second to look, wherever signal masks do not exist.
* The stop has a deadline. ``LocalSWF.stop`` lets the answers in flight finish for most of
  ``--shutdown-grace``; a watchdog ends the process when the grace period is over in any case
  (exit status 1). The store survives that like a kill: committed commands are in its WAL.
  A second signal during the stop ends the process at once, the same way.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Sequence
from types import FrameType

from ._injection import Rule, parse_faults, parse_throttle
from ._model import operation_names
from ._server import LocalSWF
from ._service import SNAPSHOT_EVERY

logger = logging.getLogger(__name__)

_STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)
# The part of the grace period kept back from the in-flight answers, for closing the store and
# sockets before the watchdog fires.
_CLOSING_MARGIN = 1.0


def _credentials(value: str) -> tuple[str, str]:
    access_key, sep, secret = value.partition(":")
    if not sep or not access_key or not secret:
        raise argparse.ArgumentTypeError("expected ACCESS_KEY:SECRET")
    return access_key, secret


def _throttle(value: str) -> str:
    try:
        parse_throttle(value)
    except ValueError as err:
        raise argparse.ArgumentTypeError(str(err)) from err
    return value


def _faults(value: str) -> tuple[Rule, ...]:
    try:
        return parse_faults(value, operation_names())
    except ValueError as err:
        raise argparse.ArgumentTypeError(str(err)) from None


def _page_size(value: str) -> int:
    try:
        size = int(value)
    except ValueError:
        size = 0
    if not 1 <= size <= 1000:
        raise argparse.ArgumentTypeError("expected a whole number from 1 to 1000")
    return size


def _grace(value: str) -> float:
    try:
        seconds = float(value)
    except ValueError:
        seconds = 0.0
    if not seconds > 0:
        raise argparse.ArgumentTypeError("expected a positive number of seconds")
    return seconds


def _snapshot_every(value: str) -> int | None:
    try:
        every = int(value)
    except ValueError as err:
        raise argparse.ArgumentTypeError("expected a whole number") from err
    if every < 0:
        raise argparse.ArgumentTypeError("expected 0 (never) or more")
    return every or None


def parse_args(
    argv: Sequence[str] | None = None, prog: str = "python -m awsflow.local"
) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog=prog,
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
        "--page-size",
        type=_page_size,
        default=1000,
        metavar="N",
        help="events per GetWorkflowExecutionHistory / PollForDecisionTask page, at most, whatever "
        "maximumPageSize asks (1-1000; default: 1000, as SWF documents)",
    )
    parser.add_argument(
        "--verify-sigv4",
        type=_credentials,
        metavar="ACCESS_KEY:SECRET",
        default=None,
        help="reject requests whose SigV4 signature does not verify with these credentials, or "
        "is dated more than 15 minutes from the service's clock (as AWS does)",
    )
    parser.add_argument(
        "--shutdown-grace",
        type=_grace,
        default=10.0,
        metavar="SECONDS",
        help="on SIGINT/SIGTERM, exit within this many seconds, finishing the answers in flight "
        "(default: 10)",
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
    parser.add_argument(
        "--faults",
        type=_faults,
        default=(),
        metavar="SPEC",
        help="answer some requests with faults on purpose, e.g. "
        "'RespondActivityTaskCompleted:drop@p=0.1;PollForActivityTask:lose@nth=3;*:throttle@p=0.02' "
        "(actions: throttle, 500, 503, delay=S, drop, lose; when: p=, nth=, every=)",
    )
    parser.add_argument(
        "--fault-seed", type=int, default=0, help="seeds the p= draws of --faults (default: 0)"
    )
    parser.add_argument(
        "--throttle",
        type=_throttle,
        default=None,
        metavar="aws[:SCALE]",
        help="aws: throttle requests with SWF's documented token buckets (ThrottlingException); "
        "aws:0.01 scales every bucket by 0.01",
    )
    parser.add_argument("--log-level", default="INFO", help="logging level; DEBUG logs every request")
    return parser.parse_args(argv)


def main(
    argv: Sequence[str] | None = None,
    prog: str = "python -m awsflow.local",
    on_started: Callable[[str], Callable[[], None]] | None = None,
) -> int:
    """Run the service until SIGINT or SIGTERM; ``prog`` names the command in its help.

    ``on_started(endpoint_url)``, if given, runs once the service listens (``awsflow local --ui``
    starts the web timeline there); what it returns is called when the service stops, before it
    closes.
    """
    args = parse_args(argv, prog)
    logging.basicConfig(
        level=args.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    stop = threading.Event()

    def request_stop(signum: int, frame: FrameType | None) -> None:
        if stop.is_set():
            _exit_now(f"second {signal.Signals(signum).name} while stopping; exiting at once")
        stop.set()

    for sig in _STOP_SIGNALS:
        signal.signal(sig, request_stop)
    masked = hasattr(signal, "pthread_sigmask")
    if masked:
        signal.pthread_sigmask(signal.SIG_BLOCK, _STOP_SIGNALS)
    try:
        swf = LocalSWF(
            db=args.db,
            poll_timeout=args.poll_timeout,
            host=args.host,
            port=args.port,
            verify_sigv4=args.verify_sigv4,
            page_size=args.page_size,
            snapshot_every=args.snapshot_every,
            synchronous=args.synchronous,
            faults=args.faults,
            fault_seed=args.fault_seed,
            throttle=args.throttle,
        ).start()
    finally:
        if masked:
            # Every service thread exists now (or is started by one) with the signals blocked.
            signal.pthread_sigmask(signal.SIG_UNBLOCK, _STOP_SIGNALS)
    print(f"awsflow.local listening on {swf.endpoint_url}", flush=True)
    try:
        stop_extra = on_started(swf.endpoint_url) if on_started is not None else None
    except BaseException:
        swf.stop(grace=0.0)  # what was to run beside the service failed: the service ends too
        raise
    while not stop.wait(0.5):
        pass
    started = time.monotonic()
    watchdog = threading.Timer(
        args.shutdown_grace,
        _exit_now,
        [f"the stop did not finish within --shutdown-grace {args.shutdown_grace:g} s; exiting anyway"],
    )
    watchdog.daemon = True
    watchdog.start()
    logger.info("stopping")
    if stop_extra is not None:
        stop_extra()
    swf.stop(grace=max(0.0, args.shutdown_grace - _CLOSING_MARGIN))
    watchdog.cancel()
    logger.info("stopped in %.2f s", time.monotonic() - started)
    return 0


def _exit_now(message: str) -> None:
    # The last resort must not wait on anything: not on a logging lock another thread holds,
    # not on a stderr pipe nobody reads. The message goes out from a helper thread if it can.
    writer = threading.Thread(target=os.write, args=(2, f"awsflow.local: {message}\n".encode()), daemon=True)
    writer.start()
    writer.join(0.5)
    os._exit(1)


if __name__ == "__main__":
    sys.exit(main())
