"""Clocks for awsflow.local: the wall clock, and a virtual clock tests move by hand.

Every deadline the service keeps (task and workflow timeouts, timers, long polls, retention)
is measured on one injected clock. The service shell waits for the next deadline through
``Clock.wait``: the system clock sleeps on the condition for the remaining time; the virtual
clock never advances by itself and wakes its waiters whenever a test moves it, so an hour-long
timeout costs no wall time.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Protocol

__all__ = ["Clock", "SystemClock", "VirtualClock"]


class Clock(Protocol):
    """What the service needs from a clock. Structural: the framework's workers ask the same of
    theirs (``awsflow._clock``), so one :class:`VirtualClock` can drive a test's service and
    workers together, while awsflow.local imports nothing of the framework."""

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
        remaining = deadline - time.time()
        if remaining > 0:
            cond.wait(remaining)

    def subscribe(self, callback: Callable[[], None]) -> None:
        # The wall clock never jumps; waiters time out on their own.
        return None


class VirtualClock:
    """A clock that only moves when told to.

    Args:
        start: the initial time in epoch seconds (default: a fixed, recognisable instant so
            test output is stable).

    >>> clock = VirtualClock(start=1000.0)
    >>> clock.advance(3600)
    >>> clock.now()
    4600.0
    """

    def __init__(self, start: float = 1_700_000_000.0) -> None:
        self._now = float(start)
        self._lock = threading.Lock()
        self._callbacks: list[Callable[[], None]] = []

    def now(self) -> float:
        with self._lock:
            return self._now

    def advance(self, seconds: float) -> None:
        """Move time forward by ``seconds`` and let every waiter re-check its deadline."""
        if seconds < 0:
            raise ValueError(f"a clock cannot go back: advance({seconds})")
        with self._lock:
            self._now += seconds
            callbacks = list(self._callbacks)
        for callback in callbacks:
            callback()

    def set(self, instant: float) -> None:
        """Jump to ``instant`` (must not be in the past)."""
        self.advance(instant - self.now())

    def wait(self, cond: threading.Condition, deadline: float | None) -> None:
        # Virtual time never passes while waiting: only advance() or a notify ends the wait.
        if deadline is None or deadline > self.now():
            cond.wait()

    def subscribe(self, callback: Callable[[], None]) -> None:
        with self._lock:
            self._callbacks.append(callback)
