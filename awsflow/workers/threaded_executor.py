"""Run a worker in threads: several pollers, and for activities a pool that runs them.

CPython's GIL makes threads worth it for I/O-bound activities and for a few pollers; use the
multiprocessing executors for CPU-bound work.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from ._transport import PollAborted

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
        if pollers < 1:
            raise ValueError(f"pollers must be 1 or more, not {pollers}")
        initializer = self._initializer

        def loop() -> None:
            initializer(self)
            self._worker._poll_loop()

        self._worker.start(pollers, loop=loop)


class ThreadedActivityExecutor(ThreadedExecutor):
    """Polls with ``pollers`` threads and runs up to ``workers`` activities at once.

    A poller asks SWF for a task only when a worker thread is free, so no task waits here while
    its SWF timeouts run.
    """

    def start(self, pollers: int = 1, workers: int = 1) -> None:
        if pollers < 1 or workers < 1:
            raise ValueError(f"pollers and workers must be 1 or more, not {pollers} and {workers}")
        worker = self._worker
        pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix=f"{worker!r} activity")
        free = threading.Semaphore(workers)
        initializer = self._initializer

        def run(task: Any) -> None:
            try:
                worker.handle_task(task)
            finally:
                free.release()

        def loop() -> None:
            initializer(self)
            failures = 0
            for _ in worker._rounds():
                free.acquire()
                try:
                    task = worker.poll_task()
                    failures = 0
                except PollAborted:
                    free.release()
                    return
                except Exception as error:
                    free.release()
                    failures += 1
                    worker._poll_failed(error, failures)
                    continue
                if task is None:
                    free.release()
                    continue
                pool.submit(run, task)

        def shutdown_after_pollers(threads: list[threading.Thread]) -> None:
            for thread in threads:
                thread.join()
            pool.shutdown(wait=True)

        worker.start(pollers, loop=loop)
        closer = threading.Thread(
            target=shutdown_after_pollers,
            args=(list(worker._threads),),
            name=f"{worker!r} pool closer",
            daemon=True,
        )
        worker._threads.append(closer)
        closer.start()
