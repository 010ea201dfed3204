"""Automatic heartbeats: a background thread that heartbeats for an activity while it runs.

SWF times an activity out when it goes ``heartbeat_timeout`` seconds without a heartbeat
(SWF-SEMANTICS §3). Code that cannot heartbeat itself (one long library call) would die of
it, so while a plain-function activity whose type has a heartbeat timeout runs, the worker
heartbeats for it every third of that timeout: two beats can be lost or late before SWF gives up.

Time is read from an injected clock (:class:`awsflow._clock.Clock`): the wall clock
in production, the service's :class:`~awsflow.local.VirtualClock` in tests, where every
``advance`` wakes the heartbeaters so an hour of heartbeats costs no wall time. A heartbeat the
activity sent itself postpones the next automatic one.

What this thread cannot do is interrupt the activity: when SWF answers ``cancelRequested``,
it only records the request on the :class:`~awsflow.context.ActivityContext`; the activity's
next manual heartbeat raises :class:`~awsflow.exceptions.ActivityCancelledError`.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Callable, Iterator
from typing import Any

from .._clock import Clock
from ..context import ActivityContext
from ..swf_exceptions import UnknownResourceError

logger = logging.getLogger(__name__)

BEATS_PER_TIMEOUT = 3


def heartbeat_interval(heartbeat_timeout: int | str | None) -> float | None:
    """Seconds between automatic heartbeats for a heartbeat timeout; None when there is none.

    >>> heartbeat_interval(30)
    10.0
    >>> heartbeat_interval("NONE") is None
    True
    """
    if heartbeat_timeout is None or str(heartbeat_timeout).upper() == "NONE":
        return None
    seconds = float(heartbeat_timeout)
    return seconds / BEATS_PER_TIMEOUT if seconds > 0 else None


class AutoHeartbeat:
    """Calls ``beat`` every ``interval`` seconds of ``clock`` time from a thread, until :meth:`stop`.

    Args:
        beat: sends one heartbeat; errors are logged and the next beat comes on time, except
            UnknownResourceError (SWF no longer has the task: it timed out or was answered),
            which ends the heartbeats.
        interval: seconds between beats.
        clock: the clock the interval is measured on.
        ticks: a condition the clock's jumps notify (the worker subscribes it once).
        name: the thread's name.
    """

    def __init__(
        self,
        beat: Callable[[], None],
        interval: float,
        clock: Clock,
        ticks: threading.Condition,
        name: str,
    ) -> None:
        self._beat = beat
        self._interval = interval
        self._clock = clock
        self._ticks = ticks
        self._stopped = False
        self._due = clock.now() + interval
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def postpone(self) -> None:
        """A heartbeat was just sent by other means: the next one is due an interval from now."""
        with self._ticks:
            self._due = self._clock.now() + self._interval

    def stop(self) -> None:
        """End the heartbeats and wait for a beat in flight to finish."""
        with self._ticks:
            self._stopped = True
            self._ticks.notify_all()
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join()

    def _run(self) -> None:
        while self._wait_until_due():
            try:
                self._beat()
            except UnknownResourceError as gone:
                logger.warning("automatic heartbeat: SWF no longer has the task (%s); stopping", gone.message)
                return
            except Exception as error:  # a lost beat is retried at the next interval
                logger.warning("automatic heartbeat failed: %r; retrying in %.1f s", error, self._interval)

    def _wait_until_due(self) -> bool:
        with self._ticks:
            while not self._stopped and self._clock.now() < self._due:
                self._clock.wait(self._ticks, self._due)
            if self._stopped:
                return False
            self._due = self._clock.now() + self._interval
            return True


def woken_by(clock: Clock) -> threading.Condition:
    """A condition for heartbeaters to wait on, notified whenever ``clock`` jumps."""
    ticks = threading.Condition()

    def notify() -> None:
        with ticks:
            ticks.notify_all()

    clock.subscribe(notify)
    return ticks


@contextlib.contextmanager
def auto_heartbeats(
    context: ActivityContext, activity_type: Any, *, clock: Clock, ticks: threading.Condition
) -> Iterator[None]:
    """Heartbeat for ``context``'s task in the background while the block runs, when its type
    asks for it (a heartbeat timeout, ``auto_heartbeat`` on); the activity's own heartbeats
    postpone the next automatic one."""
    interval = heartbeat_interval(activity_type.heartbeat_timeout)
    if interval is None or not activity_type.auto_heartbeat:
        yield
        return
    beater = AutoHeartbeat(
        context.background_heartbeat, interval, clock, ticks, f"heartbeat {context.task.id}"
    )
    context.on_heartbeat = beater.postpone
    beater.start()
    try:
        yield
    finally:
        beater.stop()
        context.on_heartbeat = None
