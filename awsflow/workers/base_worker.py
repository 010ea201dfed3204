"""What workflow and activity workers share: the client, the poll loop, starting workflows.

A worker is used in one of three ways:

- ``with worker:`` polls in a background thread and, inside the block, calling a workflow's
  ``@execute`` method starts an execution; leaving the block stops polling and joins the thread;
- ``worker.run()`` polls in the calling thread until :meth:`stop`; from the main thread it
  also turns SIGTERM and SIGINT into a graceful stop (a second signal hurries it);
- ``worker.run_once()`` handles at most one task (one long poll).

``worker.stats`` is a snapshot of the worker's counters (:class:`~awsflow.workers.WorkerStats`).

Stopping (see ``_transport``): ``start()`` returns once each poller is about to poll, and a
poll once begun is sent. A stop never abandons a poll SWF may answer with a task: against a
service that promises to answer a half-closed poll at once (awsflow.local says so on every
answer), the polls in flight are half-closed and answer within milliseconds — that is what keeps
leaving ``with worker:`` fast; against any other endpoint (Amazon SWF) they are left to end, within
the poll timeout. Either way a task they return is handled before the poller ends.

Trouble with the service — unreachable, failing (HTTP 5xx) or throttling — is logged once per
spell (``_service_health``: a WARNING when it starts, an INFO when the service answers again) and
retried: polls back off, at most :data:`~awsflow.workers._answers.PROBE_INTERVAL` apart while
the service is unreachable, so polling resumes within about a second of its return; answers are
retried for as long as SWF may take them (``_answers``). Other errors go to
:attr:`BaseWorker.unhandled_exception_handler`.
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
from ..swf_exceptions import TypeAlreadyExistsError
from ._answers import PROBE_INTERVAL, Stopping, deliver
from ._backoff import backoff_delay
from ._caller import SwfCaller
from ._service_health import ServiceHealth, Trouble, classify
from ._signals import stop_on_signals
from ._stats import Counters, WorkerStats
from ._transport import POLL_OPERATIONS, AbortablePolls, Endpoint, PollAborted, install, polling_for

logger = logging.getLogger(__name__)

POLL_READ_TIMEOUT = 70.0  # above SWF's 60 s long poll


class BaseWorker(SwfCaller):
    """Base of :class:`WorkflowWorker` and :class:`ActivityWorker` (arguments: see SwfCaller)."""

    def __init__(
        self, session: Any, aws_region: str, domain: str, task_list: str, *, client: Any = None
    ) -> None:
        super().__init__(session, aws_region, domain, task_list, client=client)
        self._identity: str | None = None
        self._polls = AbortablePolls(POLL_READ_TIMEOUT)
        self._stopping = threading.Event()
        self._stop_event: Any = None  # another stop request to honour (see start)
        self._hurry = threading.Event()  # give up answers still being retried
        self._threads: list[threading.Thread] = []
        self._threads_lock = threading.Lock()
        self._ready = threading.Condition()
        self._not_ready: set[threading.Thread] = set()  # pollers start() still waits for
        self._outer_contexts: list[Any] = []
        self._endpoint: Endpoint | None = install(client) if client is not None else None
        self._unhandled_exception_handler: Callable[[BaseException, Any], None] = self._log_unhandled
        self._counters = Counters()
        self._health = ServiceHealth(repr(self))

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
        if self._endpoint is None:
            self._endpoint = install(client)
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
        self._hurry.clear()
        self._stop_event = None
        if not handle_signals:
            self._poll_loop()
            return
        with stop_on_signals(self._on_stop_signal):
            self._poll_loop()

    def _on_stop_signal(self, signum: int) -> None:
        """SIGTERM/SIGINT during :meth:`run` (called in a thread of its own)."""
        logger.info("%r: signal %d received; stopping gracefully", self, signum)
        self.stop()

    def start(
        self,
        pollers: int = 1,
        *,
        loop: Callable[[], None] | None = None,
        initializer: Callable[[], None] | None = None,
        stop_event: Any = None,
    ) -> None:
        """Poll in ``pollers`` background threads (each running ``loop``, the poll loop by default).

        Returns once each poller is about to poll (or has ended): a :meth:`stop` from then on
        still lets that poll happen, and handles the task it brings, as botoflow's executors did.
        ``initializer`` runs first in each poller thread. ``stop_event`` (anything with
        ``is_set()``, e.g. a ``multiprocessing.Event``) is consulted before each poll as well as
        :meth:`stop`, so a stop requested from another process is seen at once (call :meth:`stop`
        too, to end the waits).
        """
        if pollers < 1:
            raise ValueError(f"pollers must be 1 or more, not {pollers}")
        self._polls.reset()
        self._stopping.clear()
        self._hurry.clear()
        self._stop_event = stop_event
        _ = self.client  # create it (and its hooks) before the threads race to
        body = loop or self._poll_loop

        def run() -> None:
            try:
                if initializer is not None:
                    initializer()
                body()
            finally:
                self._about_to_poll()  # a loop that ends without polling must not hold up start()

        threads = [
            threading.Thread(target=run, name=f"{self!r} poller {index}", daemon=True)
            for index in range(pollers)
        ]
        with self._ready:
            self._not_ready.update(threads)
        for thread in threads:
            self._track(thread)
            thread.start()
        with self._ready:
            self._ready.wait_for(lambda: self._not_ready.isdisjoint(threads))

    def _join_all_but(self, skipped: set[threading.Thread]) -> None:
        """Wait for the background threads to end, except ``skipped`` (and the calling thread)."""
        while True:
            with self._threads_lock:
                alive = [
                    t
                    for t in self._threads
                    if t.is_alive() and t not in skipped and t is not threading.current_thread()
                ]
            if not alive:
                return
            for thread in alive:
                thread.join()

    def _stop_requested(self) -> bool:
        """Whether polling should end: :meth:`stop`, or the ``stop_event`` given to :meth:`start`."""
        return self._stopping.is_set() or (self._stop_event is not None and bool(self._stop_event.is_set()))

    def _about_to_poll(self) -> None:
        """Called by a poll loop right before each poll; the first call is what ``start()`` waits for."""
        with self._ready:
            current = threading.current_thread()
            if current in self._not_ready:
                self._not_ready.discard(current)
                self._ready.notify_all()

    def _spawn(self, target: Callable[[], None], name: str) -> None:
        """Run ``target`` in a thread that :meth:`join` waits for."""
        thread = threading.Thread(target=target, name=name, daemon=True)
        self._track(thread)
        thread.start()

    def _track(self, thread: threading.Thread) -> None:
        with self._threads_lock:  # ended threads go, or a long-lived worker would collect them
            self._threads = [known for known in self._threads if known.is_alive()] + [thread]

    def stop(self) -> None:
        """Stop polling; polls in flight end without losing a task, and tasks in hand are finished.

        Against a service that promised to answer half-closed polls at once (awsflow.local),
        the polls in flight are half-closed and end within milliseconds; against any other, they
        end when the service answers them (within the poll timeout). A task they bring is handled.
        """
        self._stopping.set()
        if self._endpoint is not None and self._endpoint.promises_poll_close:
            self._polls.close_polls()

    def join(self, timeout: float | None = None) -> None:
        """Wait (at most ``timeout`` seconds in all) for the background threads to end.

        Threads started meanwhile (a task a stopping poller took) are waited for too.
        """
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            with self._threads_lock:
                alive = [t for t in self._threads if t.is_alive() and t is not threading.current_thread()]
            if not alive:
                return
            for thread in alive:
                thread.join(None if deadline is None else max(0.0, deadline - time.monotonic()))
            if deadline is not None and time.monotonic() >= deadline:
                return

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
        while not self._stop_requested():
            self._about_to_poll()
            try:
                once()
                failures = 0
            except PollAborted:
                return
            except Exception as error:
                failures += 1
                self._poll_failed(error, failures)

    def _poll_failed(self, error: Exception, failures: int) -> None:
        """Count, log and back off after the ``failures``-th poll failure in a row.

        Service trouble was logged once for the spell by ``_call``; anything else goes to the
        unhandled exception handler. While the service is unreachable or failing, polls probe
        it at most PROBE_INTERVAL apart.
        """
        if self._stopping.is_set():
            return
        self._counters.add("poll_errors")
        trouble = classify(error)
        if trouble is None:
            self._unhandled_exception_handler(error, error.__traceback__)
        cap = PROBE_INTERVAL if trouble in (Trouble.UNREACHABLE, Trouble.FAILING) else None
        self._stopping.wait(backoff_delay(failures, cap=cap))

    # -- calls ----------------------------------------------------------------------------------
    def _call(self, operation: str, request: dict[str, Any]) -> Any:
        try:
            if operation in POLL_OPERATIONS:
                with polling_for(self._polls):
                    answer = super()._call(operation, request)
            else:
                answer = super()._call(operation, request)
        except Exception as error:  # noted if it is trouble with the service; always re-raised
            self._health.failed(operation, error)
            raise
        self._health.answered()
        return answer

    def _answer(
        self,
        operation: str,
        request: dict[str, Any],
        what: str,
        *,
        deadline: float | None = None,
        give_up: Callable[[], bool] | None = None,
    ) -> bool:
        """Send a task's answer, retrying while SWF may take it (see ``_answers``); whether it (most likely) did.

        ``deadline`` (monotonic) is when the task token surely expired (default: in an hour).
        """
        stop = Stopping(self._stopping, self._hurry, give_up or (lambda: False))
        outcome = deliver(
            lambda: self._call(operation, request),
            operation=operation,
            what=what,
            deadline=deadline if deadline is not None else time.monotonic() + 3600.0,
            stop=stop,
        )
        if not outcome.taken:
            self._counters.add("answer_errors")
        return outcome.taken

    def _register(self, operation: str, flow_type: Any) -> None:
        """Register a workflow or activity type; one already registered is fine (another worker did)."""
        options = flow_type.to_registration_options_dict(self._domain, self._task_list)
        if options is None:  # skip_registration
            return
        try:
            self._call(operation, options)
        except TypeAlreadyExistsError:
            logger.debug("%s %s %s: already registered", operation, flow_type.name, flow_type.version)
