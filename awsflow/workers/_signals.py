"""SIGTERM and SIGINT as "stop gracefully", for a worker running in the foreground.

Only ``worker.run()`` installs the handlers, and only from the main thread (Python delivers
signals there alone); ``with worker:`` and ``start()`` never touch them, so a worker inside a
test or a library leaves its host's handlers alone. The previous handlers come back when
``run()`` returns.

The handler itself only starts a thread: stopping takes locks (the polls, the worker's
conditions) that the interrupted main thread may be holding, and a handler that waited on
them would deadlock it.
"""

from __future__ import annotations

import contextlib
import logging
import signal
import threading
from collections.abc import Callable, Iterator
from types import FrameType
from typing import Any

logger = logging.getLogger(__name__)

STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


@contextlib.contextmanager
def stop_on_signals(on_signal: Callable[[int], None]) -> Iterator[bool]:
    """Inside the block, SIGTERM/SIGINT call ``on_signal(signum)`` in a new thread.

    Yields False (and installs nothing) when not on the main thread.
    """
    if threading.current_thread() is not threading.main_thread():
        yield False
        return
    previous: dict[signal.Signals, Any] = {}

    def handler(signum: int, frame: FrameType | None) -> None:
        threading.Thread(
            target=on_signal, args=(signum,), name=f"awsflow {signal.Signals(signum).name}"
        ).start()

    for signum in STOP_SIGNALS:
        previous[signum] = signal.getsignal(signum)
        signal.signal(signum, handler)
    try:
        yield True
    finally:
        for number, old in previous.items():
            # None: a handler installed from C, which Python cannot reinstate; the default is the
            # nearest thing.
            signal.signal(number, signal.SIG_DFL if old is None else old)
