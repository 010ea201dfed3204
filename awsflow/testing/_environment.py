"""``WorkflowEnvironment``: workflows under test on an in-process SWF whose clock skips ahead.

The environment runs ``awsflow.local`` in this process (memory store, a
:class:`~awsflow.local.VirtualClock`), registers a domain, and runs real workers — the same
code as in production, talking to the service over HTTP through botocore — for the workflow
classes and activity objects a test names.

Time skipping, and why it is race-free
--------------------------------------

Virtual time moves only while the test waits: in a handle's ``result()`` /
:meth:`WorkflowEnvironment.run` (unless ``auto_time_skipping=False``) and in
:meth:`WorkflowEnvironment.sleep`. Each step of such a wait is:

1. wait, in real time, until the service says that no worker has or can take a task
   (``Service.wait_quiet``): no decision task scheduled or being decided, no activity task
   waiting on a task list these workers poll or running, no Lambda function running. The
   service decides it under its lock from every task's state, so the window between a worker
   answering and the next task being polled cannot fool it: the answer itself schedules the
   next task before the lock is released;
2. then, atomically under the same lock, re-check that, move the clock to the next deadline
   that still stands (a timer, a timeout, a retry's backoff timer) and fire what fell due
   (``Service.skip_time``). The workers react; back to 1.

Nothing is decided by sleeping or by watching the workers. A workflow that sleeps 30 days
finishes in milliseconds, and its history shows the 30 days. Because the clock never moves
while a task is in flight, the order in which timers and tasks happen is a function of the
program: repeated runs give the same history (up to the order in which parallel tasks of one
step are taken by concurrent worker threads).

While the test itself runs (between ``start`` and ``result``), time stands still: a signal
sent then arrives at a definite instant. ``sleep(seconds)`` moves time by hand, deadline by
deadline, letting the workers react to each. To move time under a task that is in flight on
purpose (to see its start-to-close timeout fire), move the clock itself: ``env.clock.advance``.

Against a real endpoint (``endpoint_url=``, for an Amazon SWF sandbox account) there is no
virtual clock: ``sleep`` waits in real time and results are waited for in real time.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
import uuid
from collections.abc import Iterator, Mapping
from types import TracebackType
from typing import Any

from ..handles import WorkflowHandle, client_caller
from ..local import LocalSWF, VirtualClock
from ..options import workflow_options
from ..workers import ActivityWorker, BaseWorker, WorkflowWorker
from ..workflow_definition import WorkflowDefinition
from ..workflow_execution import WorkflowExecution
from ..workflow_starting import workflow_starter

logger = logging.getLogger(__name__)

__all__ = ["WorkflowEnvironment"]

DEFAULT_DOMAIN = "awsflow-testing"
DEFAULT_TASK_LIST = "awsflow-testing"
DEFAULT_START_TIME = 1_700_000_000.0  # 2023-11-14T22:13:20Z: a fixed instant keeps histories equal
# SWF's longest retention: a test that sleeps weeks can still read the runs it finished.
RETENTION_DAYS = "90"


class WorkflowEnvironment:
    """An SWF for tests, with workers and a clock that skips ahead (see the module docstring).

    Args:
        domain: the domain registered for the test.
        task_list: the default task list of workers and of started workflows.
        auto_time_skipping: skip time while a test waits for a result (default True).
        start_time: the virtual clock's start (epoch seconds).
        quiet_timeout: real seconds the workers get to finish what they can do at one instant
            before a wait gives up with TimeoutError naming the tasks still in flight.
        activity_grace_period: real seconds activities still running when the environment
            closes get to finish before they are failed.
        endpoint_url: run against this SWF endpoint (an Amazon SWF sandbox, another
            awsflow.local) instead of an in-process service; no time skipping then.
        region: the region of clients made for ``endpoint_url``.

    Example::

        with WorkflowEnvironment() as env:
            env.start_workers(HelloWorkflow, HelloActivities())
            assert env.run(HelloWorkflow.hello, "World") == "Hello, World!"

    .. versionadded:: 0.1
    """

    def __init__(
        self,
        *,
        domain: str = DEFAULT_DOMAIN,
        task_list: str = DEFAULT_TASK_LIST,
        auto_time_skipping: bool = True,
        start_time: float = DEFAULT_START_TIME,
        quiet_timeout: float = 30.0,
        activity_grace_period: float = 5.0,
        endpoint_url: str | None = None,
        region: str = "us-east-1",
    ) -> None:
        if quiet_timeout <= 0:
            raise ValueError(f"quiet_timeout must be positive, not {quiet_timeout}")
        self.domain = domain
        self.task_list = task_list
        self.quiet_timeout = quiet_timeout
        self._endpoint_url = endpoint_url
        self.region = region
        self._auto_time_skipping = auto_time_skipping
        self._activity_grace_period = activity_grace_period
        self._start_time = start_time
        self.clock: VirtualClock | None = None
        self.local: LocalSWF | None = None
        self._client: Any = None
        self._workers: list[BaseWorker] = []
        # (kind, task list) -> our workers polling it; a list counts as served while one runs.
        self._served: dict[tuple[str, str], list[BaseWorker]] = {}
        self._starter: workflow_starter | None = None
        # (virtual instant, real monotonic time) since which wait_step has seen workers busy at
        # that instant; None after a quiet step. Shared by concurrent waiters on purpose: the
        # workers are the environment's, and a stall is a stall whoever watches it.
        self._stall: tuple[float, float] | None = None

    # -- lifecycle ------------------------------------------------------------------------------
    def __enter__(self) -> WorkflowEnvironment:
        if self._endpoint_url is None:
            self.clock = VirtualClock(start=self._start_time)
            self.local = LocalSWF(clock=self.clock).start()
            retention = RETENTION_DAYS
        else:
            retention = "1"
        try:
            self._client = self.new_client()
            # A real endpoint's sandbox domain is registered once and reused.
            with contextlib.suppress(self._client.exceptions.DomainAlreadyExistsFault):
                self._client.register_domain(
                    name=self.domain, workflowExecutionRetentionPeriodInDays=retention
                )
            self._starter = workflow_starter(
                None, self.region, self.domain, self.task_list, client=self._client
            )
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        """Stop the workers (activities still running get ``activity_grace_period``), then the service."""
        workers, self._workers = self._workers, []
        for worker in workers:
            worker.stop()
        for worker in workers:
            if isinstance(worker, ActivityWorker):
                worker.shutdown()
            else:
                worker.join()
        if self.local is not None:
            self.local.stop()
            self.local = None

    # -- the service ----------------------------------------------------------------------------
    @property
    def client(self) -> Any:
        """A botocore SWF client of the service (retries off for the in-process one)."""
        if self._client is None:
            raise RuntimeError("the WorkflowEnvironment is not open: use it in a 'with' block")
        return self._client

    @property
    def endpoint_url(self) -> str:
        """The URL of the service the environment talks to."""
        if self.local is not None:
            return self.local.endpoint_url
        if self._endpoint_url is None:
            raise RuntimeError("the WorkflowEnvironment is not open: use it in a 'with' block")
        return self._endpoint_url

    @property
    def supports_time_skipping(self) -> bool:
        """True with the in-process service (its clock is virtual); False against an endpoint."""
        return self._endpoint_url is None

    def new_client(self) -> Any:
        """A new botocore SWF client of the service (each worker gets its own)."""
        if self.local is not None:
            return self.local.client()
        import botocore.config
        import botocore.session

        return botocore.session.get_session().create_client(
            "swf",
            region_name=self.region,
            endpoint_url=self._endpoint_url,
            config=botocore.config.Config(read_timeout=70),
        )

    def now(self) -> float:
        """The service's time (epoch seconds): virtual in-process, the wall clock against an endpoint."""
        return self.clock.now() if self.clock is not None else time.time()

    # -- workers --------------------------------------------------------------------------------
    def start_workers(
        self, *definitions: Any, task_list: str | None = None, max_concurrent: int | None = None
    ) -> list[BaseWorker]:
        """Run workers for these workflow classes and activity objects until the environment closes.

        Workflow classes (WorkflowDefinition subclasses) get one workflow worker, activity
        objects (instances of ``@activities`` classes, or :func:`mock_activities` of them) one
        activity worker, both on ``task_list`` (default: the environment's). Returns them.
        """
        task_list = task_list or self.task_list
        workflows = [d for d in definitions if isinstance(d, type) and issubclass(d, WorkflowDefinition)]
        activities = [
            d for d in definitions if not (isinstance(d, type) and issubclass(d, WorkflowDefinition))
        ]
        started: list[BaseWorker] = []
        if workflows:
            # Its own list named, not random: a history records it, and runs must be identical.
            workflow_worker = WorkflowWorker(
                None,
                self.region,
                self.domain,
                task_list,
                *workflows,
                client=self.new_client(),
                sticky_task_list=f"{task_list}-sticky-{len(self._workers)}",
            )
            started.append(self.add_worker(workflow_worker))
        if activities:
            activity_worker = ActivityWorker(
                None,
                self.region,
                self.domain,
                task_list,
                *activities,
                client=self.new_client(),
                clock=self.clock,
                max_concurrent=max_concurrent,
                grace_period=self._activity_grace_period,
            )
            started.append(self.add_worker(activity_worker))
        return started

    def add_worker(self, worker: BaseWorker) -> BaseWorker:
        """Start a worker built by the test and stop it when the environment closes.

        Its task lists count as served while it runs: tasks waiting there hold the clock until
        it takes them. A workflow worker's own list (where it routes its runs) is one of them;
        once the worker stops, a task routed there waits for its routing timeout, as in SWF.
        """
        kind = "activity" if isinstance(worker, ActivityWorker) else "decision"
        lists = [worker.task_list]
        if isinstance(worker, WorkflowWorker):
            lists.append(worker.sticky_task_list)
        for task_list in lists:
            self._served.setdefault((kind, task_list), []).append(worker)
        worker.start()
        self._workers.append(worker)
        return worker

    def _is_served(self, kind: str, domain: str, task_list: str) -> bool:
        return domain == self.domain and any(
            worker.is_running for worker in self._served.get((kind, task_list), ())
        )

    # -- starting and waiting -------------------------------------------------------------------
    @contextlib.contextmanager
    def starting(self) -> Iterator[workflow_starter]:
        """A block in which calling a workflow's ``@execute`` method starts an execution here."""
        if self._starter is None:
            raise RuntimeError("the WorkflowEnvironment is not open: use it in a 'with' block")
        with self._starter as starter:
            yield starter

    def start(
        self,
        workflow: Any,
        *args: Any,
        workflow_id: str | None = None,
        options: Mapping[str, Any] | None = None,
        **kwargs: Any,
    ) -> WorkflowHandle:
        """Start ``workflow`` (an ``@execute`` method: ``MyWorkflow.run``) with these arguments.

        Args:
            workflow: the ``@execute`` method, taken from the class.
            args, kwargs: the workflow's arguments.
            workflow_id: the execution's workflow id (default: a fresh one).
            options: more ``workflow_options`` keywords (``execution_start_to_close_timeout``...).

        Returns:
            An :class:`awsflow.handles.WorkflowHandle` (the one handle type of awsflow):
            ``result()`` (skipping time while it waits), ``signal(name, *args)``,
            ``query(name, *args)``, ``request_cancel()``, ``terminate(reason)``, ``describe()``,
            ``history()``, ``wire_history()``.
        """
        overrides = dict(options or {})
        overrides.setdefault("workflow_id", workflow_id or f"test-{uuid.uuid4().hex[:12]}")
        with self.starting(), workflow_options(**overrides):
            instance = workflow(*args, **kwargs)
        return self.get_workflow(*instance.workflow_execution, definition=type(instance))

    def get_workflow(
        self, workflow_id: str, run_id: str | None = None, *, definition: type | None = None
    ) -> WorkflowHandle:
        """A handle on an execution of the environment's domain (see :func:`awsflow.get_workflow`).

        With time skipping, its ``result()`` skips time while it waits (:meth:`wait_step` is
        its waiter); otherwise it wakes as soon as a worker of this process closes the run.
        """
        if self.local is not None and self._auto_time_skipping:
            return WorkflowHandle(
                client_caller(self.client),
                self.domain,
                workflow_id,
                run_id,
                definition=definition,
                wait=self.wait_step,
            )
        if self._starter is None:
            raise RuntimeError("the WorkflowEnvironment is not open: use it in a 'with' block")
        return self._starter.get_workflow(workflow_id, run_id, definition=definition)

    def run(
        self,
        workflow: Any,
        *args: Any,
        workflow_id: str | None = None,
        options: Mapping[str, Any] | None = None,
        **kwargs: Any,
    ) -> Any:
        """Start ``workflow`` (see :meth:`start`) and return its result, skipping time while it runs."""
        return self.start(workflow, *args, workflow_id=workflow_id, options=options, **kwargs).result()

    def wait_for_result(self, instance: Any, *, timeout: float | None = None) -> Any:
        """The result of the execution ``instance`` stands for: ``get_workflow(...).result(timeout)``.

        Follows continue-as-new. Raises what the workflow's close means (WorkflowFailedError,
        WorkflowTimedOutError...), or TimeoutError when ``timeout`` real seconds pass or the
        workers stay busy longer than ``quiet_timeout`` at one instant.
        """
        execution: WorkflowExecution = instance.workflow_execution
        handle = self.get_workflow(
            str(execution.workflow_id), str(execution.run_id), definition=type(instance)
        )
        return handle.result(timeout)

    def wait_step(self, workflow_id: str, run_id: str, seconds: float) -> None:
        """One step of waiting for a run to close: the waiter of the handles' ``result()`` loop.

        With time skipping: wait at most ``seconds`` (real time) until the workers are quiet
        or the run closed; then, if it is still open, skip to the next deadline. Raises
        TimeoutError, naming the tasks in flight, once the workers have been busy at one
        virtual instant for ``quiet_timeout`` real seconds; RuntimeError when the run is open,
        nothing is in flight and nothing is ahead. Without time skipping: wait ``seconds``.
        """
        if self.local is None or not self._auto_time_skipping:
            threading.Event().wait(seconds)
            return
        now = self.now()
        if self._stall is None or self._stall[0] != now:
            self._stall = (now, time.monotonic())
        budget = self._stall[1] + self.quiet_timeout - time.monotonic()
        or_closed = (self.domain, workflow_id, run_id)
        busy = self.local.service.wait_quiet(
            self._is_served, max(0.0, min(seconds, budget)), or_closed=or_closed
        )
        if busy:
            if time.monotonic() - self._stall[1] >= self.quiet_timeout:
                self._stall = None
                raise TimeoutError(
                    f"the workers were still busy after {self.quiet_timeout:.1f} s (at one instant): "
                    + _describe_busy(busy)
                )
            return
        self._stall = None
        if self.local.service.run_is_open(*or_closed):
            self._skip(workflow_id, run_id)

    def _skip(self, workflow_id: str, run_id: str) -> None:
        assert self.local is not None
        if self.local.service.skip_time(self._is_served) is None and not self._busy_now():
            raise RuntimeError(
                f"workflow {workflow_id} ({run_id}) is open, no worker has anything to do and no "
                "timer or timeout is ahead: nothing can ever close it"
            )

    def sleep(self, seconds: float) -> None:
        """Let ``seconds`` of service time pass, the workers reacting to each deadline on the way.

        In-process: returns at once in real time, once the workers have nothing left to do at
        the new instant. Against an endpoint: waits ``seconds`` of real time.
        """
        if seconds < 0:
            raise ValueError(f"cannot sleep a negative time: {seconds}")
        if self.local is None:
            threading.Event().wait(seconds)
            return
        target = self.now() + seconds
        while True:
            self._settle()
            moved = self.local.service.skip_time(self._is_served, until=target)
            if moved is not None and moved >= target:
                self._settle()
                return

    def _settle(self) -> None:
        """Wait until no worker has or can take a task (TimeoutError after ``quiet_timeout``)."""
        assert self.local is not None
        busy = self.local.service.wait_quiet(self._is_served, self.quiet_timeout)
        if busy:
            raise TimeoutError(
                f"the workers were still busy after {self.quiet_timeout:.1f} s (at one instant): "
                + _describe_busy(busy)
            )

    def _busy_now(self) -> bool:
        assert self.local is not None
        return bool(self.local.service.wait_quiet(self._is_served, 0.0))

    # -- reading --------------------------------------------------------------------------------
    def history(self, execution: Any) -> list[dict[str, Any]]:
        """Every event of a run, oldest first (GetWorkflowExecutionHistory, all pages).

        ``execution``: a WorkflowExecution, or anything that has one (a handle, an instance).
        """
        execution = getattr(execution, "workflow_execution", execution)
        events: list[dict[str, Any]] = []
        paginator = self.client.get_paginator("get_workflow_execution_history")
        request = {"workflowId": execution.workflow_id, "runId": execution.run_id}
        for page in paginator.paginate(domain=self.domain, execution=request):
            events.extend(page["events"])
        return events


def _describe_busy(busy: Any) -> str:
    """The tasks a wait found in flight, for its TimeoutError."""
    return "; ".join(
        f"{b.kind} task{' ' + b.name if b.name else ''} of {b.workflow_id} {b.state} (task list {b.task_list!r})"
        for b in busy
    )
