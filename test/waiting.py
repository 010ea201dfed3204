"""Polling with a deadline, for state that lives in another thread or process.

The tests wait on events where they can; where the state is elsewhere (a server process, a
service thread), they poll it with a deadline rather than sleep a fixed time.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable


def wait_until(predicate: Callable[[], bool], timeout: float = 10.0, what: str = "the condition") -> None:
    """Return once ``predicate()`` is true; AssertionError after ``timeout`` real seconds."""
    deadline = time.monotonic() + timeout
    pause = threading.Event()
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        pause.wait(0.005)
