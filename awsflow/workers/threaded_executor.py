"""Run a worker in threads: several pollers, and for activities a pool that runs them.

CPython's GIL makes threads worth it for I/O-bound activities and for a few pollers; use the
multiprocessing executors for CPU-bound work.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

__all__ = ["ThreadedActivityExecutor", "ThreadedExecutor", "ThreadedWorkflowExecutor"]

logger = logging.getLogger(__name__)


class ThreadedExecutor:
    """Base of the threaded executors: ``start()``, ``stop()``, ``join()``."""

    def __init__(self, worker: Any) -> None:
        self._worker = worker
        self._initializer: Callable[[Any], None] = lambda executor: None

    @property
    def initializer(self) -> Callable[[Any], None]:
        """Called with the executor in each new thread before it polls."""
        return self._initializer

    @initializer.setter
    def initializer(self, func: Callable[[Any], None]) -> None:
        self._initializer = func

    def stop(self) -> bool:
        """Stop polling, as botoflow's did: polls in flight are answered and their tasks handled,
        running tasks finish. False if not running."""
        if not self.is_running:
            return False
        self._worker.stop(finish_committed_polls=True)
        return True

    def join(self, timeout: float | None = None) -> None:
        """Wait for the threads to end."""
        self._worker.join(timeout)

    @property
    def is_running(self) -> bool:
        return bool(self._worker.is_running)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self._worker!r}>"


class ThreadedWorkflowExecutor(ThreadedExecutor):
    """Runs a workflow worker's decision loop in ``pollers`` threads."""

    def start(self, pollers: int = 1) -> None:
        initializer = self._initializer
        self._worker.start(pollers, initializer=lambda: initializer(self))


class ThreadedActivityExecutor(ThreadedExecutor):
    """Polls with ``pollers`` threads and runs up to ``workers`` activities at once.

    A poller asks SWF for a task only when a worker thread is free, so no task waits here while
    its SWF timeouts run. (The worker's own ``start(pollers, max_concurrent=workers)``.)
    """

    def start(self, pollers: int = 1, workers: int = 1) -> None:
        if pollers < 1 or workers < 1:
            raise ValueError(f"pollers and workers must be 1 or more, not {pollers} and {workers}")
        initializer = self._initializer
        self._worker.start(pollers, max_concurrent=workers, initializer=lambda: initializer(self))
