"""What workflow and activity workers share: the client, the poll loop, starting workflows.

A worker is used in one of three ways:

- ``with worker:`` polls in a background thread and, inside the block, calling a workflow's
  ``@execute`` method starts an execution; leaving the block stops polling (the poll in flight
  is abandoned, a task being handled is finished) and joins the thread;
- ``worker.run()`` polls in the calling thread until :meth:`stop`;
- ``worker.run_once()`` handles at most one task (one long poll).

Transient and throttling errors are retried with capped exponential backoff and jitter; a task
once taken is always answered or, if its answer cannot be sent, left to SWF's timeout.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable
from types import TracebackType
from typing import Any

from botocore import xform_name
from botocore.config import Config

from ..context._contexts import StartWorkflowContext, peek_context, set_context
from ..decider._commands import check_size
from ..swf_exceptions import TypeAlreadyExistsError, UnknownResourceError, is_retryable, swf_exception_wrapper
from ..workflow_execution import WorkflowExecution
from ._backoff import backoff_delay
from ._transport import POLL_OPERATIONS, AbortablePolls, PollAborted, install, polling_for

logger = logging.getLogger(__name__)

POLL_READ_TIMEOUT = 70.0  # above SWF's 60 s long poll
RESPOND_ATTEMPTS = 8


class BaseWorker:
    """Base of :class:`WorkflowWorker` and :class:`ActivityWorker`.

    Args:
        session: a botocore (or boto3) session; credentials and endpoint come from its chain
            (``AWS_ENDPOINT_URL_SWF`` points it at awsflow.local).
        aws_region: the SWF region.
        domain: the SWF domain (it must exist).
        task_list: the task list to poll.
        client: a ready botocore SWF client to use instead of creating one (keyword only).
    """

    def __init__(
        self, session: Any, aws_region: str, domain: str, task_list: str, *, client: Any = None
    ) -> None:
        if not hasattr(session, "create_client") and client is None:
            raise TypeError(f"session must be a botocore or boto3 session, not {session!r}")
        self._session = session
        self._aws_region = aws_region
        self._domain = domain
        self._task_list = task_list
        self._client = client
        self._identity: str | None = None
        self._polls = AbortablePolls(POLL_READ_TIMEOUT)
        self._stopping = threading.Event()
        self._threads: list[threading.Thread] = []
        self._outer_contexts: list[Any] = []
        if client is not None:
            install(client)
        self._unhandled_exception_handler: Callable[[BaseException, Any], None] = self._log_unhandled

    def __repr__(self) -> str:
        return f"<{type(self).__name__} domain={self._domain} task_list={self._task_list}>"

    # -- configuration --------------------------------------------------------------------------
    @property
    def client(self) -> Any:
        """The botocore SWF client (created on first use)."""
        if self._client is None:
            config = Config(
                read_timeout=POLL_READ_TIMEOUT,
                connect_timeout=10,
                retries={"mode": "standard", "max_attempts": 5},
                user_agent_extra="awsflow",
            )
            self._client = self._session.create_client("swf", region_name=self._aws_region, config=config)
            install(self._client)
        return self._client

    @property
    def domain(self) -> str:
        return self._domain

    @property
    def task_list(self) -> str:
        return self._task_list

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

    # -- running --------------------------------------------------------------------------------
    def run_once(self) -> bool:
        """Poll once and handle the task, if one came; True if a task was handled."""
        raise NotImplementedError

    def run(self) -> None:
        """Poll and handle tasks in this thread until :meth:`stop` (or KeyboardInterrupt)."""
        self._polls.reset()
        self._stopping.clear()
        self._poll_loop()

    def start(self, pollers: int = 1, *, loop: Callable[[], None] | None = None) -> None:
        """Poll in ``pollers`` background threads (each running ``loop``, the poll loop by default)."""
        if pollers < 1:
            raise ValueError(f"pollers must be 1 or more, not {pollers}")
        self._polls.reset()
        self._stopping.clear()
        _ = self.client  # create it (and its hooks) before the threads race to
        for index in range(pollers):
            thread = threading.Thread(
                target=loop or self._poll_loop, name=f"{self!r} poller {index}", daemon=True
            )
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
        self.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        set_context(self._outer_contexts.pop())
        self.stop()
        self.join()

    def _poll_loop(self) -> None:
        failures = 0
        while not self._stopping.is_set():
            try:
                self.run_once()
                failures = 0
            except PollAborted:
                return
            except Exception as error:
                if self._stopping.is_set():
                    return
                failures += 1
                delay = backoff_delay(failures)
                if is_retryable(error):
                    logger.warning("%r: %r; retrying in %.1f s", self, error, delay)
                else:
                    self._unhandled_exception_handler(error, error.__traceback__)
                self._stopping.wait(delay)

    # -- calls ----------------------------------------------------------------------------------
    def _call(self, operation: str, request: dict[str, Any]) -> Any:
        method = getattr(self.client, xform_name(operation))
        if operation in POLL_OPERATIONS:
            with swf_exception_wrapper(), polling_for(self._polls):
                return method(**request)
        with swf_exception_wrapper():
            return method(**request)

    def _answer(self, operation: str, request: dict[str, Any], what: str) -> bool:
        """Send a task's answer, retrying transient failures; False if SWF no longer has the task."""
        for attempt in range(1, RESPOND_ATTEMPTS + 1):
            try:
                self._call(operation, request)
                return True
            except UnknownResourceError as gone:
                logger.warning("%s: SWF no longer has the task (it timed out?): %s", what, gone.message)
                return False
            except Exception as error:
                if not is_retryable(error) or attempt == RESPOND_ATTEMPTS:
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

    # -- starting and signalling (StartWorkflowContext) -----------------------------------------
    def _start_workflow_execution(self, workflow_type: Any, *args: Any, **kwargs: Any) -> tuple[str, str]:
        context = peek_context()
        overrides = dict(getattr(context, "_workflow_options_overrides", {}) or {})
        encoded = workflow_type.data_converter.dumps([args, kwargs])
        check_size(f"input of workflow {workflow_type.name}", encoded)
        request = workflow_type.start_request(
            self._domain, uuid.uuid4().hex, encoded, overrides, self._task_list
        )
        response = self._call("StartWorkflowExecution", request)
        logger.info(
            "started %s %s (%s, %s)",
            workflow_type.name,
            workflow_type.version,
            request["workflowId"],
            response["runId"],
        )
        return request["workflowId"], response["runId"]

    def _signal_workflow_execution(
        self, execution: WorkflowExecution, signal_name: str, encoded: str
    ) -> None:
        check_size(f"input of signal {signal_name}", encoded)
        request: dict[str, Any] = {
            "domain": self._domain,
            "workflowId": execution.workflow_id,
            "signalName": signal_name,
            "input": encoded,
        }
        if execution.run_id:
            request["runId"] = execution.run_id
        self._call("SignalWorkflowExecution", request)
