"""What workflow and activity workers share: the client, the poll loop (``_poll_loop``), answers.

A worker is used in one of three ways:

- ``with worker:`` polls in a background thread and, inside the block, calling a workflow's
  ``@execute`` method starts an execution; leaving the block stops polling and joins the thread:
  a task being handled is finished, and so is the poll in flight (at once against awsflow.local,
  which promises to answer a released poll; against Amazon SWF within the 60 s poll, since a
  poll cut short there could strand a task it was handed — see ``_transport``);
- ``worker.run()`` polls in the calling thread until :meth:`stop`; from the main thread it
  also turns SIGTERM and SIGINT into a graceful stop (a second signal hurries it);
- ``worker.run_once()`` handles at most one task (one long poll).

``worker.stats`` is a snapshot of the worker's counters (:class:`~awsflow.workers.WorkerStats`).

Transient, throttling and connection errors are retried with capped exponential backoff and
jitter, and logged once per outage (a WARNING when it starts, an INFO when SWF answers again). A
task once taken is always answered: its answer is retried for as long as its token may still be
valid; one SWF no longer knows (it timed out, or an earlier attempt did get through) is logged.
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

from .._wire import LeanClient
from ..context import StartWorkflowContext, peek_context, set_context
from ..swf_exceptions import (
    TypeAlreadyExistsError,
    UnknownResourceError,
    is_connection_error,
    is_retryable,
    swf_exception_wrapper,
)
from ._backoff import backoff_delay
from ._caller import SwfCaller
from ._outages import OutageLog
from ._poll_loop import poll_until_stopped
from ._signals import stop_on_signals
from ._stats import Counters, WorkerStats
from ._transport import POLL_OPERATIONS, AbortablePolls, install, polling_for

logger = logging.getLogger(__name__)

POLL_READ_TIMEOUT = 70.0  # above SWF's 60 s long poll
# How long an answer is retried when the task's own timeout is not known here (a decision task's
# start-to-close is the workflow's; an activity type registered with NONE has none).
ANSWER_PATIENCE = 300.0
# While the service cannot be reached at all, probe at least this often, so work resumes within
# about a second of it answering again (throttling keeps the longer backoff).
UNREACHABLE_BACKOFF_CAP = 1.0
# How long start() waits for each poller thread to be about to poll.
POLLER_READY_TIMEOUT = 10.0


class BaseWorker(SwfCaller):
    """Base of :class:`WorkflowWorker` and :class:`ActivityWorker` (arguments: see SwfCaller)."""

    # Besides starts and signals, a worker's hot calls (polls, answers, heartbeats, history).
    _lean_operations = LeanClient.OPERATIONS

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
        self._outage = OutageLog(repr(self))
        # Set when answers must stop being retried (a second stop signal: fail what is left).
        self._hurry = threading.Event()
        self._ready = threading.Semaphore(0)

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
        self._begin_polling()
        if not handle_signals:
            self._poll_loop()
            return
        with stop_on_signals(self._on_stop_signal):
            self._poll_loop()

    def _on_stop_signal(self, signum: int) -> None:
        """SIGTERM/SIGINT during :meth:`run` (called in a thread of its own)."""
        logger.info("%r: signal %d received; stopping gracefully", self, signum)
        self.stop()

    def start(self, pollers: int = 1, *, initializer: Callable[[], None] | None = None) -> None:
        """Poll in ``pollers`` background threads; ``initializer`` runs in each before it polls."""
        self._start_pollers(pollers, self._poll_loop, initializer)

    def _start_pollers(
        self, pollers: int, loop: Callable[[], None], initializer: Callable[[], None] | None = None
    ) -> None:
        if pollers < 1:
            raise ValueError(f"pollers must be 1 or more, not {pollers}")
        self._begin_polling()
        self._ready = threading.Semaphore(0)
        _ = self.client  # create it (and its hooks) before the threads race to
        target = loop if initializer is None else _after(initializer, loop)
        for index in range(pollers):
            self._spawn(target, f"{self!r} poller {index}")
        # As botoflow's executors did, return once each poller is about to poll: a stop()
        # right after start() then still handles the task that poll brings.
        for _ in range(pollers):
            if not self._ready.acquire(timeout=POLLER_READY_TIMEOUT):
                logger.warning("%r: a poller thread did not start within %.0f s", self, POLLER_READY_TIMEOUT)
                break

    def _begin_polling(self) -> None:
        """Undo an earlier stop: polls may be sent again, and answers get their full patience
        (a hurried earlier run must not cut this one's short)."""
        self._polls.reset()
        self._stopping.clear()
        self._hurry.clear()

    def _spawn(self, target: Callable[[], None], name: str) -> None:
        thread = threading.Thread(target=target, name=name, daemon=True)
        # Threads that ended are forgotten here too: a task runner spawns one per task.
        self._threads = [*(t for t in self._threads if t.is_alive()), thread]
        thread.start()

    def stop(self, *, finish_committed_polls: bool = False) -> None:
        """Stop polling; tasks being handled are finished, and so are the polls in flight.

        A poll in flight ends at once against a service that promises to answer a released
        poll (awsflow.local); against any other (Amazon SWF) it is waited for, up to the 60 s
        poll, and the task it brings is handled: SWF may hand a poll a task until it answers.
        With ``finish_committed_polls``, a poll a poller thread has committed to (see
        :meth:`start`) is still sent, as with botoflow's executors, so ``start(); stop()``
        handles a task that was waiting.
        """
        self._stopping.set()
        self._polls.release(refuse_new=not finish_committed_polls)

    def join(self, timeout: float | None = None) -> None:
        """Wait for the background threads to end (pollers, and the threads running tasks)."""
        give_up_at = None if timeout is None else time.monotonic() + timeout
        joined: set[threading.Thread] = {threading.current_thread()}
        # Again while pollers ending hand their last tasks to new threads (a task runner's).
        while waiting := [t for t in self._threads if t not in joined]:
            for thread in waiting:
                thread.join(None if give_up_at is None else max(0.0, give_up_at - time.monotonic()))
                joined.add(thread)
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

    def _poll_loop(
        self, once: Callable[[], object] | None = None, room: Callable[[], bool] | None = None
    ) -> None:
        """Poll with ``once`` (:meth:`run_once` by default) until :meth:`stop` (see ``_poll_loop``)."""
        poll_until_stopped(
            once or self.run_once,
            self._stopping,
            on_failure=self._poll_failed,
            backoff=_retry_delay,
            room=room or _always,
            ready=self._ready.release,
        )

    def _poll_failed(self, error: Exception) -> None:
        """Count and log a poll that failed (the loop backs off)."""
        self._counters.add("poll_errors")
        if is_retryable(error):
            self._outage.failed("polling", error)
        else:
            self._unhandled_exception_handler(error, error.__traceback__)

    # -- calls ----------------------------------------------------------------------------------
    def _call(self, operation: str, request: dict[str, Any]) -> Any:
        if operation in POLL_OPERATIONS:
            lean = self._lean_client()
            with polling_for(self._polls):
                if lean is None:
                    result = super()._call(operation, request)
                else:
                    with swf_exception_wrapper():
                        result = lean.call(operation, request, send=self._polls.send)
        else:  # lean or not, as SwfCaller decides
            result = super()._call(operation, request)
        self._outage.succeeded()
        return result

    def _answer(
        self, operation: str, request: dict[str, Any], what: str, *, patience: float | None = None
    ) -> bool:
        """Send a task's answer; False if SWF did not take it.

        Transient failures (throttling, 5xx, the service unreachable) are retried with backoff
        for ``patience`` seconds — as long as the task's token may still be valid (default
        :data:`ANSWER_PATIENCE`) — or until the worker is hurried. An UnknownResource answer
        means SWF no longer has the task: it timed out, or an earlier attempt whose reply was
        lost did get through.
        """
        give_up_at = time.monotonic() + (ANSWER_PATIENCE if patience is None else patience)
        failures = 0
        while True:
            try:
                self._call(operation, request)
                return True
            except UnknownResourceError as gone:
                if failures:
                    # Not an error: the earlier attempt most likely landed and only its reply
                    # was lost (or the task timed out meanwhile); either way nothing is left to do.
                    logger.info(
                        "%s: SWF no longer has the task after %d failed attempt(s) to answer it; "
                        "one of them probably got through (else it timed out): %s",
                        what,
                        failures,
                        gone.message,
                    )
                else:
                    self._counters.add("answer_errors")
                    logger.warning("%s: SWF no longer has the task (it timed out?): %s", what, gone.message)
                return False
            except Exception as error:
                failures += 1
                delay = _retry_delay(error, failures)
                if not is_retryable(error) or time.monotonic() + delay > give_up_at or self._hurry.is_set():
                    self._counters.add("answer_errors")
                    logger.error(
                        "%s: %s failed after %d attempt(s); the task will time out and be retried: %r",
                        what,
                        operation,
                        failures,
                        error,
                    )
                    return False
                self._outage.failed(f"answering ({operation})", error)
                self._hurry.wait(delay)

    def _register(self, operation: str, flow_type: Any) -> None:
        """Register a workflow or activity type; one already registered is fine (another worker did)."""
        options = flow_type.to_registration_options_dict(self._domain, self._task_list)
        if options is None:  # skip_registration
            return
        try:
            self._call(operation, options)
        except TypeAlreadyExistsError:
            logger.debug("%s %s %s: already registered", operation, flow_type.name, flow_type.version)


def _always() -> bool:
    return True


def _after(initializer: Callable[[], None], loop: Callable[[], None]) -> Callable[[], None]:
    def run() -> None:
        initializer()
        loop()

    return run


def _retry_delay(error: BaseException, failures: int) -> float:
    """Backoff before retrying a call that failed ``failures`` times in a row with ``error``."""
    if is_connection_error(error):
        return backoff_delay(failures, cap=UNREACHABLE_BACKOFF_CAP)
    return backoff_delay(failures)
