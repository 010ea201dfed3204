"""Differential tests: one workflow program run under botoflow 0.8 and under awsflow, histories compared.

Each framework runs the program on its own in-process ``awsflow.local`` (a
:class:`~awsflow.local.LocalSWF` on a :class:`~awsflow.local.VirtualClock`; both clocks start at the
same instant) with its own, real workers talking to it over HTTP through botocore. A driver runs
those workers in lockstep in the test's thread — one decision task or one activity task at a
time, in a fixed order — so each history is a function of the program alone and the two can be
compared event by event. (Workers on threads of their own would race: whether a decision task
sees one completed activity or two would depend on the scheduler.) An activity that must be in
flight while something else happens can run on a thread (:meth:`ActivityInFlight.run_in_thread`).

Writing a differential test
---------------------------

Write the program once, as a function of the framework (``flow.X`` is botoflow's or awsflow's
``X``, a submodule such as ``flow.workflow_time`` or ``flow.exceptions`` included), returning its
workflow classes and activity instances. Return workflow results with ``flow.return_(value)``:
botoflow 0.8 drops a generator's ``return value``. Run it on both and compare::

    from botoflow_diff import Program, compare, requires_botoflow

    pytestmark = requires_botoflow

    def greeting(flow):
        @flow.activities(schedule_to_start_timeout=60, start_to_close_timeout=60)
        class Acts:
            @flow.activity("1.0")
            def name(self):
                return "World"

        class Hello(flow.WorkflowDefinition):
            @flow.execute(version="1.0", execution_start_to_close_timeout=60)
            def run(self, greeting):
                name = yield Acts.name()
                flow.return_(greeting + " " + name)

        return Program(workflows=[Hello], activities=[Acts()])

    def test_hello_writes_botoflows_history():
        both = compare(greeting, "Hello.run", "Hi")
        both.assert_same()      # every execution (children too), event by event
        assert both.awsflow.closed_with() == ("WorkflowExecutionCompleted", '"Hi World"')

``compare`` starts ``"Class.method"`` with the arguments under workflow id ``diff-1`` and runs
both sides until nothing is left to do (:meth:`Run.run`: decisions first, then activities, then
the next timer). To drive the steps yourself, pass ``script=`` a function of a :class:`Run`,
called once per side; it may use :meth:`Run.start`, :meth:`Run.decide`,
:meth:`Run.take_activity` (then ``.run()`` or ``.run_in_thread()``), :meth:`Run.request_cancel`,
:meth:`Run.signal`, ``run.clock.advance(seconds)`` and :meth:`Run.run`::

    def cancel_during_activity(run):
        run.start("Wf.run")
        run.decide()                                   # schedules the activity
        task = run.take_activity()                     # ActivityTaskStarted
        run.request_cancel()
        run.decide()                                   # the decision that handles the request
        task.run(answer_may_be_refused=True)           # SWF may refuse the late answer
        run.run()

    both = compare(program, script=cancel_during_activity)

``assert_same`` fails with the first differing event of each execution, both sides' normalised
events printed; what is normalised, and why, is listed in :mod:`history_diff`. After
``compare`` returns, each side's histories stay readable (``both.botoflow.history()``,
``.closed_with()``, ``.executions()``) from a snapshot taken before its service stopped.

botoflow 0.8 needs small shims on today's Python and botocore; they are in :mod:`botoflow_shims`
(tests only, never awsflow).
"""

from __future__ import annotations

import importlib
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from types import ModuleType
from typing import Any

import pytest
from botoflow_shims import REGION, LocalSession, botoflow, install_botoflow_shims
from history_diff import attributes_of, first_difference, normalise

import awsflow
from awsflow.local import LocalSWF, VirtualClock

__all__ = [
    "BOTOFLOW_VERSION",
    "DOMAIN",
    "IDENTITY",
    "TASK_LIST",
    "ActivityInFlight",
    "Comparison",
    "Framework",
    "Program",
    "Run",
    "compare",
    "requires_botoflow",
    "run_program",
]

BOTOFLOW_VERSION = getattr(botoflow, "__version__", None)
#: The marks of a differential test module: ``pytestmark = requires_botoflow``.
requires_botoflow = [
    pytest.mark.skipif(
        BOTOFLOW_VERSION != "0.8",
        reason=(
            "botoflow 0.8 is not installed (pip install botoflow==0.8, a test extra): the "
            "differential tests compare awsflow with it"
            if BOTOFLOW_VERSION is None
            else f"botoflow {BOTOFLOW_VERSION} is installed; the differential tests compare with 0.8"
        ),
    ),
    # botoflow's Future throws into generators with throw(type, value, tb), deprecated in 3.12
    pytest.mark.filterwarnings(r"ignore:the \(type, exc, tb\) signature of throw\(\):DeprecationWarning"),
]

IDENTITY = "differential-test"
TASK_LIST = "diff"
DOMAIN = "diff"
WORKFLOW_ID = "diff-1"


@dataclass
class Program:
    """A workflow program built for one framework: its workflow classes and activity instances."""

    workflows: Sequence[type]
    activities: Sequence[Any] = ()


class Framework:
    """What a program is built against: ``flow.X`` is the package's ``X``, or its submodule ``X``.

    botoflow 0.8's package happens to expose some submodules (``workflow_time``,
    ``exceptions``) as attributes because its ``__init__`` imports them on the way; the proxy
    imports ``<package>.X`` when the package has no attribute ``X``, so one program text reads
    the same under both frameworks.
    """

    def __init__(self, module: ModuleType) -> None:
        self.module = module

    def __getattr__(self, name: str) -> Any:
        try:
            return getattr(self.module, name)
        except AttributeError:
            return importlib.import_module(f"{self.module.__name__}.{name}")

    def __repr__(self) -> str:
        return f"<Framework {self.module.__name__}>"


Builder = Callable[[Framework], Program]


class ActivityInFlight:
    """An activity task a worker has polled (ActivityTaskStarted is recorded) and not yet run."""

    def __init__(self, name: str, activity_id: str, process: Callable[[], None]) -> None:
        self.name = name
        self.activity_id = activity_id
        self._process = process
        self._thread: threading.Thread | None = None
        self._error: BaseException | None = None

    def run(self, *, answer_may_be_refused: bool = False) -> None:
        """Run the activity in this thread and send its answer.

        Args:
            answer_may_be_refused: SWF may answer the worker's response with UnknownResourceFault
                (the task was canceled, timed out or its run closed meanwhile). botoflow's worker
                raises it, awsflow's logs it; with this flag a refusal is not an error.
        """
        try:
            self._process()
        except Exception as error:  # botoflow raises the service's refusal of the answer
            refused = "UnknownResource" in type(error).__name__
            if not (answer_may_be_refused and refused):
                raise

    def run_in_thread(self, *, answer_may_be_refused: bool = False) -> None:
        """Run it on a thread of its own (an activity that waits on the test); then :meth:`join`."""

        def target() -> None:
            try:
                self.run(answer_may_be_refused=answer_may_be_refused)
            except BaseException as error:  # handed to the test's thread by join()
                self._error = error

        self._thread = threading.Thread(target=target, name=f"activity {self.name}", daemon=True)
        self._thread.start()

    def join(self, timeout: float = 10.0) -> None:
        """Wait for :meth:`run_in_thread` to end; re-raise what the activity's run raised."""
        assert self._thread is not None, "run_in_thread() was not called"
        self._thread.join(timeout)
        if self._thread.is_alive():
            raise AssertionError(f"activity {self.name} ({self.activity_id}) still running after {timeout} s")
        if self._error is not None:
            raise self._error


class Run:
    """One framework running one program on its own awsflow.local, driven step by step.

    Attributes:
        flow: the framework module (``awsflow`` or ``botoflow``); ``name`` is its name.
        program: the program built for it.
        swf, clock, client: its service, the service's virtual clock, a plain botocore client.
        execution: ``{"workflowId", "runId"}`` of the first execution :meth:`start` started.
    """

    def __init__(self, flow: ModuleType, builder: Builder, stack: ExitStack) -> None:
        self.flow = flow
        self.name = flow.__name__
        self.clock = VirtualClock()
        self.execution: dict[str, str] | None = None
        self._histories: dict[tuple[str, str], list[dict[str, Any]]] | None = None
        self._executions: list[dict[str, str]] | None = None
        self.swf = stack.enter_context(LocalSWF(clock=self.clock))
        self.client = self.swf.client()
        self.client.register_domain(name=DOMAIN, workflowExecutionRetentionPeriodInDays="1")
        stack.callback(self._snapshot)  # runs before the service stops: reads everything
        self.program = builder(Framework(flow))
        if flow is not awsflow:
            install_botoflow_shims()
        self._session: Any = None if flow is awsflow else LocalSession(self.swf.endpoint_url)

        def options() -> dict[str, Any]:  # awsflow's workers take a client; botoflow's the session
            return {"client": self.swf.client()} if flow is awsflow else {}

        self._workflow_worker = flow.WorkflowWorker(
            self._session, REGION, DOMAIN, TASK_LIST, *self.program.workflows, **options()
        )
        self._workflow_worker.identity = IDENTITY
        if flow is not awsflow:  # botoflow's decider copied the identity when the worker was made
            self._workflow_worker._decider.identity = IDENTITY
            self._workflow_worker._decider._poller.identity = IDENTITY
        self._activity_worker: Any = None
        if self.program.activities:
            self._activity_worker = flow.ActivityWorker(
                self._session, REGION, DOMAIN, TASK_LIST, *self.program.activities, **options()
            )
            self._activity_worker.identity = IDENTITY

    @property
    def workflow_worker(self) -> Any:
        """The framework's own workflow worker (for a script that runs it, e.g. in an executor)."""
        return self._workflow_worker

    @property
    def activity_worker(self) -> Any:
        """The framework's own activity worker, or None when the program has no activities."""
        return self._activity_worker

    # -- from outside the workflow --------------------------------------------------------------
    @contextmanager
    def _starter(self) -> Iterator[None]:
        if self.flow is awsflow:
            starter = awsflow.workflow_starter(None, REGION, DOMAIN, TASK_LIST, client=self.swf.client())
        else:
            starter = self.flow.workflow_starter(self._session, REGION, DOMAIN, TASK_LIST)
        with starter:
            yield

    def workflow(self, name: str) -> type:
        """The program's workflow class called ``name``."""
        for workflow in self.program.workflows:
            if workflow.__name__ == name:
                return workflow
        raise KeyError(f"the program has no workflow class {name!r}")

    def start(self, entry: str, *args: Any, workflow_id: str = WORKFLOW_ID, **kwargs: Any) -> dict[str, str]:
        """Start ``"Class.method"`` with these arguments, through the framework's own starter."""
        class_name, method = entry.split(".")
        with self._starter(), self.flow.workflow_options(workflow_id=workflow_id):
            instance = getattr(self.workflow(class_name), method)(*args, **kwargs)
        execution = instance.workflow_execution
        started = {"workflowId": execution.workflow_id, "runId": execution.run_id}
        if self.execution is None:
            self.execution = started
        return started

    def request_cancel(self, execution: dict[str, str] | None = None) -> None:
        """RequestCancelWorkflowExecution, as any SWF client sends it."""
        self.client.request_cancel_workflow_execution(domain=DOMAIN, **(execution or self._root()))

    def signal(self, name: str, *args: Any, execution: dict[str, str] | None = None, **kwargs: Any) -> None:
        """SignalWorkflowExecution with ``[args, kwargs]`` encoded by the framework's converter."""
        converter = Framework(self.flow).data_converter.JSONDataConverter()
        self.client.signal_workflow_execution(
            domain=DOMAIN,
            signalName=name,
            input=converter.dumps([list(args), kwargs]),
            **(execution or self._root()),
        )

    # -- the driver -----------------------------------------------------------------------------
    def _pending(self, operation: str) -> int:
        return int(getattr(self.client, operation)(domain=DOMAIN, taskList={"name": TASK_LIST})["count"])

    def decide(self) -> bool:
        """Answer one decision task if one is waiting; False if none was."""
        if not self._pending("count_pending_decision_tasks"):
            return False
        self._workflow_worker.run_once()
        return True

    def take_activity(self) -> ActivityInFlight | None:
        """Poll one activity task if one is waiting (ActivityTaskStarted); None if none was."""
        if self._activity_worker is None or not self._pending("count_pending_activity_tasks"):
            return None
        worker = self._activity_worker
        if self.flow is awsflow:
            task = worker.poll_task()
            assert task is not None, "a pending activity task was not handed out"
            return ActivityInFlight(task.name, task.id, lambda: worker.handle_task(task))
        # botoflow's poll returns a closure that runs the task; the poll's answer names it.
        polled: dict[str, Any] = {}
        client = worker.client
        poll = client.poll_for_activity_task

        def remembering_poll(**request: Any) -> Any:
            polled.update(poll(**request))
            return polled

        client.poll_for_activity_task = remembering_poll
        try:
            process = worker.poll_for_activities()
        finally:
            del client.poll_for_activity_task
        assert process is not None, "a pending activity task was not handed out"
        return ActivityInFlight(polled["activityType"]["name"], polled["activityId"], process)

    def work(self) -> bool:
        """Run one waiting activity task to its answer; False if none was waiting."""
        task = self.take_activity()
        if task is None:
            return False
        task.run()
        return True

    def fire_next_timer(self) -> bool:
        """Move the clock to the earliest open timer of an open execution; False if there is none."""
        due = [
            started + timeout
            for execution in self.executions(open_only=True)
            for started, timeout in _open_timers(self.history(execution))
        ]
        if not due:
            return False
        self.clock.set(max(self.clock.now(), min(due)))
        return True

    def run(self, max_steps: int = 1000) -> None:
        """Decide, else run an activity, else fire the next timer, until none of them can happen."""
        for _ in range(max_steps):
            if not (self.decide() or self.work() or self.fire_next_timer()):
                return
        raise AssertionError(f"{self.name}: the program did not settle in {max_steps} steps")

    # -- what happened ----------------------------------------------------------------------------
    def _root(self) -> dict[str, str]:
        assert self.execution is not None, "start() was not called"
        return self.execution

    def history(self, execution: dict[str, str] | None = None) -> list[dict[str, Any]]:
        """All events of ``execution`` (the first one started by default)."""
        execution = execution or self._root()
        if self._histories is not None:
            return self._histories[execution["workflowId"], execution["runId"]]
        request: dict[str, Any] = {"domain": DOMAIN, "execution": execution}
        events: list[dict[str, Any]] = []
        for page in self.client.get_paginator("get_workflow_execution_history").paginate(**request):
            events.extend(page["events"])
        return events

    def executions(self, open_only: bool = False) -> list[dict[str, str]]:
        """Every execution in the domain: each started one, then the runs it led to, breadth first.

        A run leads to its children (in the order its history started them) and to the run it
        continued as; several executions start at the same virtual instant, so start times
        alone cannot order them.
        """
        if self._executions is not None and not open_only:
            return self._executions
        found: dict[tuple[str, str], tuple[Any, dict[str, str]]] = {}
        operations = ["list_open_workflow_executions"]
        if not open_only:
            operations.append("list_closed_workflow_executions")
        for operation in operations:
            paginator = self.client.get_paginator(operation)
            for page in paginator.paginate(domain=DOMAIN, startTimeFilter={"oldestDate": 0}):
                for info in page["executionInfos"]:
                    execution = info["execution"]
                    found[execution["workflowId"], execution["runId"]] = (info["startTimestamp"], execution)
        led_to = {key: list(_runs_led_to(key[0], self.history(e))) for key, (_, e) in found.items()}
        followers = {key for keys in led_to.values() for key in keys}
        queue = sorted((key for key in found if key not in followers), key=lambda k: (found[k][0], k))
        ordered: list[dict[str, str]] = []
        while queue:
            key = queue.pop(0)
            ordered.append(found[key][1])
            queue.extend(k for k in led_to[key] if k in found)
        return ordered

    def closed_with(self, execution: dict[str, str] | None = None) -> tuple[str, str | None]:
        """The last event's type and its result, details or reason (the close event, once closed)."""
        last = self.history(execution)[-1]
        attributes = attributes_of(last)
        for member in ("result", "details", "reason"):
            if member in attributes:
                return last["eventType"], attributes[member]
        return last["eventType"], None

    def _snapshot(self) -> None:
        executions = self.executions()
        self._histories = {(e["workflowId"], e["runId"]): self.history(e) for e in executions}
        self._executions = executions


def _runs_led_to(workflow_id: str, events: list[dict[str, Any]]) -> Iterator[tuple[str, str]]:
    for event in events:
        attributes = attributes_of(event)
        if event["eventType"] == "ChildWorkflowExecutionStarted":
            child = attributes["workflowExecution"]
            yield child["workflowId"], child["runId"]
        elif event["eventType"] == "WorkflowExecutionContinuedAsNew":
            yield workflow_id, attributes["newExecutionRunId"]


def _open_timers(events: list[dict[str, Any]]) -> list[tuple[float, float]]:
    started: dict[str, tuple[float, float]] = {}
    for event in events:
        attributes = attributes_of(event)
        if event["eventType"] == "TimerStarted":
            timeout = float(attributes["startToFireTimeout"])
            started[attributes["timerId"]] = (event["eventTimestamp"].timestamp(), timeout)
        elif event["eventType"] in ("TimerFired", "TimerCanceled"):
            started.pop(attributes["timerId"], None)
    return list(started.values())


@dataclass
class Comparison:
    """Both sides' runs of one program, each driven to where its script left it."""

    botoflow: Run
    awsflow: Run

    def normalised(self, side: str) -> list[list[dict[str, Any]]]:
        """Every execution's normalised history on ``side`` (``"botoflow"``/``"awsflow"``)."""
        run: Run = getattr(self, side)
        executions = run.executions()
        return normalise([run.history(e) for e in executions], [e["runId"] for e in executions])

    def assert_same(self) -> None:
        """Fail unless both sides wrote the same executions with the same normalised events."""
        ours, theirs = self.normalised("awsflow"), self.normalised("botoflow")
        problems = []
        if len(ours) != len(theirs):
            problems.append(f"botoflow wrote {len(theirs)} executions, awsflow {len(ours)}")
        for index, (mine, reference) in enumerate(zip(ours, theirs, strict=False)):
            difference = first_difference(reference, mine)
            if difference is not None:
                problems.append(f"execution {index + 1}: {difference}")
        assert not problems, "\n\n".join(problems)


def run_program(
    flow: ModuleType,
    builder: Builder,
    entry: str = "",
    *args: Any,
    script: Callable[[Run], None] | None = None,
    **kwargs: Any,
) -> Run:
    """Run ``builder``'s program under one framework (``awsflow`` or ``botoflow``), like compare."""
    with ExitStack() as stack:
        run = Run(flow, builder, stack)
        if script is None:
            run.start(entry, *args, **kwargs)
            run.run()
        else:
            script(run)
    return run


def compare(
    builder: Builder, entry: str = "", *args: Any, script: Callable[[Run], None] | None = None, **kwargs: Any
) -> Comparison:
    """Run the program under botoflow 0.8 and under awsflow; both runs, ready to compare.

    Args:
        builder: ``builder(flow)`` returns the :class:`Program` written against ``flow``.
        entry: ``"WorkflowClass.execute_method"`` to start (unused when ``script`` is given).
        args, kwargs: its arguments.
        script: ``script(run)`` drives each side itself instead (start, steps, signals, cancels).
    """
    theirs = run_program(botoflow, builder, entry, *args, script=script, **kwargs)
    ours = run_program(awsflow, builder, entry, *args, script=script, **kwargs)
    return Comparison(botoflow=theirs, awsflow=ours)
