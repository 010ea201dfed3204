"""Telling people once that SWF cannot be reached, and once that it answers again.

Workers retry polls and answers through an outage (a restarted service, a network blip, a
throttling burst). A log line per failed attempt buries the one fact that matters under
tracebacks, so a worker keeps one :class:`OutageLog`: the first failure of a run of them is a
WARNING, the others are DEBUG, and the first success after them is an INFO saying how long it
lasted. The clock is a parameter so the bookkeeping is tested without waiting.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

logger = logging.getLogger(__name__)


class OutageLog:
    """Counts a worker's failed calls to SWF and logs the start and the end of each outage.

    Args:
        name: who is speaking in the log lines (the worker's repr).
        clock: seconds on a monotonic clock.
    """

    def __init__(self, name: str, clock: Callable[[], float] = time.monotonic) -> None:
        self._name = name
        self._clock = clock
        self._lock = threading.Lock()
        self._since: float | None = None
        self._failures = 0

    @property
    def ongoing(self) -> bool:
        """Whether the last call failed (and none has succeeded since)."""
        return self._since is not None

    def failed(self, what: str, error: BaseException) -> None:
        """A call failed in a way worth retrying; logs a WARNING if it starts an outage."""
        with self._lock:
            self._failures += 1
            starts = self._since is None
            if starts:
                self._since = self._clock()
        if starts:
            logger.warning(
                "%s: %s failed (%r); retrying with backoff until SWF answers", self._name, what, error
            )
        else:
            logger.debug("%s: %s failed again (%r)", self._name, what, error, exc_info=error)

    def succeeded(self) -> None:
        """A call went through; logs an INFO if it ends an outage."""
        if self._since is None:  # the common case, without the lock
            return
        with self._lock:
            since, failures = self._since, self._failures
            self._since, self._failures = None, 0
        if since is not None:
            logger.info(
                "%s: SWF answers again after %.1f s and %d failed calls",
                self._name,
                self._clock() - since,
                failures,
            )
