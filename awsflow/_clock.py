"""The workers' clocks: what automatic heartbeats and grace periods wait on.

Deadlines are waited for on an injected clock: the wall clock in production, a
:class:`awsflow.local.VirtualClock` in tests, whose jumps wake the waiters at once. awsflow.local
declares the same protocol for itself (it imports nothing of the framework); the two match
structurally, so one virtual clock drives a test's service and workers alike.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Protocol

__all__ = ["Clock", "MonotonicClock", "SystemClock"]


class Clock(Protocol):
    """What the service and the workers need from a clock."""

    def now(self) -> float:
        """Seconds since the epoch, as SWF timestamps are."""
        ...

    def wait(self, cond: threading.Condition, deadline: float | None) -> None:
        """Wait on ``cond`` (held by the caller) until notified or ``deadline`` passes."""
        ...

    def subscribe(self, callback: Callable[[], None]) -> None:
        """Call ``callback`` whenever time jumps (the virtual clock's advance)."""
        ...


class SystemClock:
    """The wall clock."""

    def now(self) -> float:
        return time.time()

    def wait(self, cond: threading.Condition, deadline: float | None) -> None:
        if deadline is None:
            cond.wait()
            return
        remaining = deadline - self.now()
        if remaining > 0:
            cond.wait(remaining)

    def subscribe(self, callback: Callable[[], None]) -> None:
        # The wall clock never jumps; waiters time out on their own.
        return None


class MonotonicClock(SystemClock):
    """The wall clock's monotonic reading, for durations (grace periods, a task's running time).

    Its ``now`` is not an epoch instant: only differences mean anything. It never jumps either.
    """

    def now(self) -> float:
        return time.monotonic()
