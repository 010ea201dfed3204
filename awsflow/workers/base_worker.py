"""What workflow and activity workers share: the client, the poll loop, starting workflows.

A worker is used in one of three ways:

- ``with worker:`` polls in a background thread and, inside the block, calling a workflow's
  ``@execute`` method starts an execution; leaving the block stops polling (the poll in flight
  is abandoned, a task being handled is finished) and joins the thread;
- ``worker.run()`` polls in the calling thread until :meth:`stop`; from the main thread it
  also turns SIGTERM and SIGINT into a graceful stop (a second signal hurries it);
- ``worker.run_once()`` handles at most one task (one long poll).

``worker.stats`` is a snapshot of the worker's counters (:class:`~awsflow.workers.WorkerStats`).

Transient and throttling errors are retried with capped exponential backoff and jitter; a task
once taken is always answered or, if its answer cannot be sent, left to SWF's timeout.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from collections.abc import Callable
from types import TracebackType
from typing import Any

from botocore.config import Config

from ..context._contexts import StartWorkflowContext, peek_context, set_context
from ..swf_exceptions import TypeAlreadyExistsError, UnknownResourceError, is_retryable
from ._backoff import backoff_delay
from ._caller import SwfCaller
from ._signals import stop_on_signals
from ._stats import Counters, WorkerStats
from ._transport import POLL_OPERATIONS, AbortablePolls, PollAborted, install, polling_for

logger = logging.getLogger(__name__)

POLL_READ_TIMEOUT = 70.0  # above SWF's 60 s long poll
RESPOND_ATTEMPTS = 8


class BaseWorker(SwfCaller):
    """Base of :class:`WorkflowWorker` and :class:`ActivityWorker` (arguments: see SwfCaller)."""

    def __init__(
        self, session: Any, aws_region: str, domain: str, task_list: str, *, client: Any = None
    ) -> None:
        super().__init__(session, aws_region, domain, task_list, client=client)
        self._identity: str | None = None
        self._polls = AbortablePolls(POLL_READ_TIMEOUT)
        self._stopping = threading.Event()
        self._threads: list[threading.Thread] = []
        self._outer_contexts: list[Any] = []
        if client is not None:
            install(client)
        self._unhandled_exception_handler: Callable[[BaseException, Any], None] = self._log_unhandled
        self._counters = Counters()

    # -- configuration --------------------------------------------------------------------------
    def _client_config(self) -> Config:
        return Config(
            read_timeout=POLL_READ_TIMEOUT,
            connect_timeout=10,
            retries={"mode": "standard", "max_attempts": 5},
            user_agent_extra="awsflow",
        )

    @property
    def client(self) -> Any:
        """The botocore SWF client (created on first use), its polls abortable."""
        client = super().client
        install(client)  # idempotent
        return client

    @property
    def identity(self) -> str:
        """Recorded in the Started events of the tasks this worker takes: ``pid:host`` by default."""
        if self._identity is None:
            self._identity = f"{os.getpid()}:{socket.gethostname()}"
        return self._identity

    @identity.setter
    def identity(self, value: str) -> None:
        self._identity = value

    @property
    def unhandled_exception_handler(self) -> Callable[[BaseException, Any], None]:
        """Called with (error, traceback) for failures outside task handling; logs by default."""
        return self._unhandled_exception_handler

    @unhandled_exception_handler.setter
    def unhandled_exception_handler(self, handler: Callable[[BaseException, Any], None]) -> None:
        self._unhandled_exception_handler = handler

    @staticmethod
    def _log_unhandled(error: BaseException, traceback: Any) -> None:
        logger.error("unhandled error in %s: %r", threading.current_thread().name, error, exc_info=error)

    @property
    def stats(self) -> WorkerStats:
        """A snapshot of what this worker has done: tasks by outcome, poll errors, heartbeats..."""
        return self._counters.snapshot()

    # -- running --------------------------------------------------------------------------------
    def run_once(self) -> bool:
        """Poll once and handle the task, if one came; True if a task was handled."""
        raise NotImplementedError

    def run(self, *, handle_signals: bool = True) -> None:
        """Poll and handle tasks in this thread until :meth:`stop`.

        From the main thread, and unless ``handle_signals`` is False, SIGTERM and SIGINT stop the
        worker gracefully while it runs: polling stops, the task in hand is finished and
        answered, then ``run`` returns. The previous handlers are restored on return.
        """
        self._polls.reset()
        self._stopping.clear()
        if not handle_signals:
            self._poll_loop()
            return
        with stop_on_signals(self._on_stop_signal):
            self._poll_loop()

    def _on_stop_signal(self, signum: int) -> None:
        """SIGTERM/SIGINT during :meth:`run` (called in a thread of its own)."""
        logger.info("%r: signal %d received; stopping gracefully", self, signum)
        self.stop()

    def start(self, pollers: int = 1, *, loop: Callable[[], None] | None = None) -> None:
        """Poll in ``pollers`` background threads (each running ``loop``, the poll loop by default)."""
        if pollers < 1:
            raise ValueError(f"pollers must be 1 or more, not {pollers}")
        self._polls.reset()
        self._stopping.clear()
        _ = self.client  # create it (and its hooks) before the threads race to
        for index in range(pollers):
            self._spawn(loop or self._poll_loop, f"{self!r} poller {index}")

    def _spawn(self, target: Callable[[], None], name: str) -> None:
        thread = threading.Thread(target=target, name=name, daemon=True)
        self._threads.append(thread)
        thread.start()

    def stop(self) -> None:
        """Stop polling: the polls in flight end at once; tasks being handled are finished."""
        self._stopping.set()
        self._polls.abort()

    def join(self, timeout: float | None = None) -> None:
        """Wait for the background threads to end."""
        for thread in self._threads:
            thread.join(timeout)
        self._threads = [thread for thread in self._threads if thread.is_alive()]

    @property
    def is_running(self) -> bool:
        return any(thread.is_alive() for thread in self._threads)

    def __enter__(self) -> BaseWorker:
        self._outer_contexts.append(peek_context())
        set_context(StartWorkflowContext(self))
        try:
            self.start()
        except BaseException:  # no __exit__ follows a failed __enter__: restore the context here
            set_context(self._outer_contexts.pop())
            raise
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        set_context(self._outer_contexts.pop())
        self.stop()
        self.join()

    def _poll_loop(self, once: Callable[[], bool] | None = None) -> None:
        once = once or self.run_once
        failures = 0
        while not self._stopping.is_set():
            try:
                once()
                failures = 0
            except PollAborted:
                return
            except Exception as error:
                failures += 1
                self._poll_failed(error, failures)

    def _poll_failed(self, error: Exception, failures: int) -> None:
        """Count, log and back off after the ``failures``-th poll failure in a row."""
        if self._stopping.is_set():
            return
        self._counters.add("poll_errors")
        delay = backoff_delay(failures)
        if is_retryable(error):
            logger.warning("%r: %r; retrying in %.1f s", self, error, delay)
        else:
            self._unhandled_exception_handler(error, error.__traceback__)
        self._stopping.wait(delay)

    # -- calls ----------------------------------------------------------------------------------
    def _call(self, operation: str, request: dict[str, Any]) -> Any:
        if operation in POLL_OPERATIONS:
            with polling_for(self._polls):
                return super()._call(operation, request)
        return super()._call(operation, request)

    def _answer(self, operation: str, request: dict[str, Any], what: str) -> bool:
        """Send a task's answer, retrying transient failures; False if SWF no longer has the task."""
        for attempt in range(1, RESPOND_ATTEMPTS + 1):
            try:
                self._call(operation, request)
                return True
            except UnknownResourceError as gone:
                self._counters.add("answer_errors")
                logger.warning("%s: SWF no longer has the task (it timed out?): %s", what, gone.message)
                return False
            except Exception as error:
                if not is_retryable(error) or attempt == RESPOND_ATTEMPTS:
                    self._counters.add("answer_errors")
                    logger.error(
                        "%s: %s failed; the task will time out and be retried: %r", what, operation, error
                    )
                    return False
                time.sleep(backoff_delay(attempt))  # backoff between attempts to answer
        return False

    def _register(self, operation: str, flow_type: Any) -> None:
        """Register a workflow or activity type; one already registered is fine (another worker did)."""
        options = flow_type.to_registration_options_dict(self._domain, self._task_list)
        if options is None:  # skip_registration
            return
        try:
            self._call(operation, options)
        except TypeAlreadyExistsError:
            logger.debug("%s %s %s: already registered", operation, flow_type.name, flow_type.version)
