"""The replay's side of the seam: :class:`~awsflow.context.WorkflowRuntime`'s calls as decisions.

Workflow code reaches these methods only through the runtime protocol (``get_context().runtime``):
activities, timers, children, requests to other executions, continue-as-new, markers, and the
time and length of the decision task being decided. Each call that decides something becomes a
:class:`~._commands.Command` in the pending list of the replay (see :mod:`._replay` for how they
are sent and checked against the history).

Below the protocol's calls are the *primitives*, one SWF decision each
(:meth:`DecisionMaking.schedule_activity_task`, :meth:`~DecisionMaking.start_child_workflow_execution`,
:meth:`~DecisionMaking.start_timer` with an id): the retry loop (:mod:`._retrying`) makes its
attempts and backoff timers with them.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable, Sequence
from typing import Any

from .._runtime import (
    NO_ACTIVITY_OVERRIDES,
    NO_WORKFLOW_OVERRIDES,
    UNSET,
    ActivityOverrides,
    DecisionContext,
    WorkflowOverrides,
    bind_instance,
)
from .._swf import Limits, check_size, encode_arguments, epoch_seconds
from ..core import Future
from ..workflow_execution import WorkflowExecution
from ._calls import ActivityCall, CallTable, ChildCall, ExternalCall, TimerCall
from ._commands import Command, caller_origin
from ._conditions import ConditionWaits
from ._markers import Markers
from ._retrying import retry_activity, retry_child_workflow

__all__ = ["DecisionMaking", "task_time"]


def task_time(timestamp: Any) -> float:
    """A DecisionTaskStarted's ``eventTimestamp`` as epoch seconds: numbers from the lean wire
    path (the common case), datetimes from botocore's parser; none in hand-made histories."""
    if timestamp.__class__ is float:
        return float(timestamp)
    return 0.0 if timestamp is None else epoch_seconds(timestamp)


class DecisionMaking:
    """The runtime's calls and the decisions they make (a mixin of ExecutionReplay)."""

    workflow_execution: WorkflowExecution
    task_list: str
    limits: Limits
    calls: CallTable
    markers: Markers
    _context: DecisionContext
    _strict: bool
    _next_id: int
    _pending: list[Command]
    _awaiting: deque[Command]
    _continue_as_new: dict[str, Any] | None
    _conditions: ConditionWaits
    _instance: Any
    _workflow_type: Any
    # The decision task being decided: its time and the history's length up to it. When only a
    # later event says (the events of a task are delivered before its DecisionTaskStarted),
    # ``_resolve_time`` finds them on the first read (most code never reads them): from position
    # ``_time_from`` (-1: nothing to find) of the events being fed, ``_feed`` (events, stop).
    _time: float
    _length: int
    _time_from: int
    _feed: tuple[Sequence[dict[str, Any]], int]
    _replaying: bool

    # -- what the code can read ------------------------------------------------------------------
    @property
    def workflow_instance(self) -> Any:
        """The workflow's instance (None until the WorkflowExecutionStarted event is fed)."""
        return self._instance

    @property
    def workflow_type(self) -> Any:
        """The run's workflow type (None until the WorkflowExecutionStarted event is fed)."""
        return self._workflow_type

    def now(self) -> float:
        """The time of the decision task being decided (its DecisionTaskStarted's timestamp)."""
        if self._time_from >= 0:
            self._resolve_time()
        return self._time

    def history_length(self) -> int:
        """Events in the history up to the decision task being decided (its Started event's id)."""
        if self._time_from >= 0:
            self._resolve_time()
        return self._length

    def _resolve_time(self) -> None:
        """The first DecisionTaskStarted from ``_time_from`` gives the time and the length."""
        events, stop = self._feed
        start, self._time_from = self._time_from, -1
        for index in range(start, stop):
            event = events[index]
            if event["eventType"] == "DecisionTaskStarted":
                self._time = task_time(event.get("eventTimestamp"))
                self._length = int(event["eventId"])
                return
        # The end of a closed run's history: no later decision task (the time stays the last one's).
        self._length = int(events[stop - 1]["eventId"]) if stop else 0

    def is_replaying(self) -> bool:
        """True while the event being handled was seen by an earlier decision task."""
        return self._replaying

    # -- the runtime's calls -----------------------------------------------------------------------
    def schedule_activity(
        self,
        activity_type: Any,
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
        overrides: ActivityOverrides = NO_ACTIVITY_OVERRIDES,
    ) -> Future:
        """ScheduleActivityTask, retried under the call's policy if it has one; a Future of the result.

        The policy is the innermost one set: an ``activity_options(retry_policy=...)`` block,
        else the activity's own RetryPolicy, else botoflow's ``@retry_activity``.
        """
        policy = activity_type.retry_policy
        if overrides is not NO_ACTIVITY_OVERRIDES and overrides.retry_policy is not UNSET:
            policy = overrides.retry_policy
        if policy is not None:
            return retry_activity(self, activity_type, policy, args, kwargs, overrides, caller_origin(2))
        if activity_type.retrying is not None:  # botoflow's policy, and botoflow's ids
            return retry_activity(
                self, activity_type, activity_type.retrying, args, kwargs, overrides, caller_origin(2), True
            )
        # schedule_activity_task(...), inlined: this is replay's hot path.
        self._next_id += 1
        # caller_origin: past schedule_activity and ActivityType.__call__
        call = ActivityCall(
            self, activity_type, str(self._next_id), args, kwargs, overrides, caller_origin(3)
        )
        if self._strict or not self._replaying:
            call.materialize()  # a too-large input raises here, in the workflow's code
        self._pending.append(call)
        future = call.future
        assert future is not None  # a new call is open
        return future

    def start_child_workflow(
        self,
        workflow_type: Any,
        definition: type,
        instance: Any,
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
        overrides: WorkflowOverrides = NO_WORKFLOW_OVERRIDES,
    ) -> Future:
        """StartChildWorkflowExecution (retried under the call's RetryPolicy, if any); a Future of
        the child's instance once it has started (a new one: ``instance`` is not used)."""
        child = self.child_instance(workflow_type, definition)
        policy = overrides.get("retry_policy", workflow_type.retry_policy)
        if policy is not None:
            return retry_child_workflow(self, workflow_type, child, policy, args, kwargs, overrides)
        return self.start_child_workflow_execution(workflow_type, child, args, kwargs, overrides)

    def child_instance(self, workflow_type: Any, definition: type) -> Any:
        """A new instance of ``definition`` standing for a child workflow of ``workflow_type``."""
        return bind_instance(definition(WorkflowExecution(None, None)), workflow_type.data_converter)

    def continue_as_new(
        self,
        workflow_type: Any | None,
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
        overrides: WorkflowOverrides = NO_WORKFLOW_OVERRIDES,
    ) -> Future:
        """Close this run, once its code finishes, by starting a new run with these arguments."""
        if workflow_type is None:
            workflow_type = self._workflow_type
            if workflow_type is None:
                raise RuntimeError("continue_as_new() was called before the workflow started")
        encoded = encode_arguments(workflow_type.data_converter, args, kwargs)
        check_size("input of the continued workflow", encoded, self.limits.payload)
        attributes = {"input": encoded, **workflow_type.run_attributes(overrides, self.task_list)}
        version = overrides.get("version")
        if version is not None:
            attributes["workflowTypeVersion"] = str(version)
        self._continue_as_new = attributes
        done = Future()
        done.set_result(None)
        return done

    def start_timer(
        self, seconds: float, *, timer_id: str | None = None, id_generated: bool = False
    ) -> Future:
        """StartTimer for ``seconds`` (rounded up to whole seconds); a Future ready when it fires.

        ``id_generated``: ``timer_id`` derives from an id awsflow generated, which an older
        writer of the history may have generated otherwise; the recorded id is then adopted.
        """
        if seconds < 0:
            raise ValueError(f"workflow_time.sleep needs a duration of 0 seconds or more, not {seconds}")
        if timer_id is None:
            timer_id = self.next_id()
        call = TimerCall(self, timer_id)
        call.command = self.emit(
            Command(
                ("StartTimer", timer_id),
                {
                    "decisionType": "StartTimer",
                    "startTimerDecisionAttributes": {
                        "timerId": timer_id,
                        "startToFireTimeout": str(math.ceil(seconds)),
                    },
                },
                origin=caller_origin(),
                on_confirm=call.on_started if id_generated else None,
                generated_id=id_generated,
            )
        )
        self.calls.timers[timer_id] = call
        return call.future

    def wait_condition(self, predicate: Callable[[], Any], timeout: float | None) -> Future:
        """A Future of True once ``predicate()`` holds, or of False when ``timeout`` seconds pass."""
        return self._conditions.add(predicate, self.start_timer, timeout)

    def request_cancel_external(self, execution: WorkflowExecution) -> Future:
        """RequestCancelExternalWorkflowExecution; a Future of the request's delivery.

        Without a ``control`` and without taking an id from the counter, as botoflow sent it:
        the ids of the calls made after it are botoflow's, so its histories replay. (awsflow
        0.1.0.dev0 took an id for a control; its histories that cancel another execution and
        then make more calls no longer replay.)
        """
        attributes = {"workflowId": execution.workflow_id}
        if execution.run_id:
            attributes["runId"] = execution.run_id
        call = ExternalCall(self, execution, "cancel")
        self.emit(
            Command(
                ("RequestCancelExternalWorkflowExecution", str(execution.workflow_id)),
                {
                    "decisionType": "RequestCancelExternalWorkflowExecution",
                    "requestCancelExternalWorkflowExecutionDecisionAttributes": attributes,
                },
                origin=caller_origin(),
                on_confirm=call.on_initiated,
            )
        )
        return call.future

    def signal_external(self, execution: WorkflowExecution, signal_name: str, encoded: str) -> Future:
        """SignalExternalWorkflowExecution; a Future of the signal's delivery."""
        check_size(f"input of signal {signal_name}", encoded, self.limits.payload)
        control = self.next_id()
        attributes = {"workflowId": execution.workflow_id, "signalName": signal_name, "input": encoded}
        attributes["control"] = control
        if execution.run_id:
            attributes["runId"] = execution.run_id
        call = ExternalCall(self, execution, "signal")
        self.emit(
            Command(
                ("SignalExternalWorkflowExecution", control),
                {
                    "decisionType": "SignalExternalWorkflowExecution",
                    "signalExternalWorkflowExecutionDecisionAttributes": attributes,
                },
                origin=caller_origin(),
                on_confirm=call.on_initiated,
            )
        )
        return call.future

    def patched(self, change_id: str) -> bool:
        """See :func:`awsflow.patched`."""
        return self.markers.patched(change_id)

    def deprecate_patch(self, change_id: str) -> None:
        """See :func:`awsflow.deprecate_patch`."""
        self.markers.deprecate_patch(change_id)

    def side_effect(self, fn: Callable[[], Any]) -> Any:
        """See :func:`awsflow.side_effect`."""
        return self.markers.side_effect(fn)

    # -- primitives: one decision each ----------------------------------------------------------
    def emit(self, command: Command) -> Command:
        """Add ``command`` to the decisions of the decision task being decided."""
        self._pending.append(command)
        return command

    def withdraw(self, command: Command) -> bool:
        """Drop a command not yet sent; False if it was already sent."""
        for index, pending in enumerate(self._pending):
            if pending is command:
                del self._pending[index]
                return True
        return False

    def next_id(self) -> str:
        """Ids of activities, timers and children: "1", "2", ... as botoflow numbered them."""
        self._next_id += 1
        return str(self._next_id)

    def schedule_activity_task(
        self,
        activity_type: Any,
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
        overrides: ActivityOverrides,
        *,
        activity_id: str | None = None,
        origin: Any = None,
    ) -> Future:
        """ScheduleActivityTask; a Future of the activity's result.

        A retry loop passes the attempt's ``activity_id`` and the ``origin`` of the original call
        (it schedules later attempts after the call's options block is left).
        """
        if activity_id is None:
            self._next_id += 1
            activity_id = str(self._next_id)
        call = ActivityCall(
            self,
            activity_type,
            activity_id,
            args,
            kwargs,
            overrides,
            caller_origin(2) if origin is None else origin,
        )
        if self._strict or not self._replaying:
            call.materialize()  # a too-large input raises here, in the workflow's code
        self._pending.append(call)
        future = call.future
        assert future is not None  # a new call is open
        return future

    def start_child_workflow_execution(
        self,
        workflow_type: Any,
        instance: Any,
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
        overrides: WorkflowOverrides,
        *,
        workflow_id: str | None = None,
        id_generated: bool = False,
    ) -> Future:
        """StartChildWorkflowExecution; a Future of the child's ``instance`` once it has started.

        A retry loop passes the attempt's ``workflow_id``, and ``id_generated`` when that id
        derives from a generated one (another writer of the history may have generated another).
        """
        encoded = encode_arguments(workflow_type.data_converter, args, kwargs)
        check_size(f"input of child workflow {workflow_type.name}", encoded, self.limits.payload)
        chosen = workflow_id or overrides.get("workflow_id")
        workflow_id = str(chosen) if chosen else self.child_workflow_id(self.next_id())
        attributes = {
            "workflowId": workflow_id,
            "workflowType": {
                "name": str(overrides.get("name", workflow_type.name)),
                "version": str(overrides.get("version", workflow_type.version)),
            },
            "input": encoded,
            **workflow_type.run_attributes(overrides, self.task_list),
        }
        call = ChildCall(self, workflow_type, workflow_id, instance)
        call.command = self.emit(
            Command(
                ("StartChildWorkflowExecution", workflow_id),
                {
                    "decisionType": "StartChildWorkflowExecution",
                    "startChildWorkflowExecutionDecisionAttributes": attributes,
                },
                (attributes["workflowType"]["name"], attributes["workflowType"]["version"]),
                caller_origin(),
                on_confirm=call.on_initiated,
                generated_id=id_generated or not chosen,
            )
        )
        self.calls.children[workflow_id] = call
        return call.started

    def child_workflow_id(self, sequence: str) -> str:
        """``<this run's id>:<n>``: the child id botoflow and AWS Flow for Java generate.

        Unique to this run and call, the same id botoflow 0.8 gives the same call (so histories
        of both frameworks match), and accepted by SWF although its documentation forbids ':'
        in a workflowId (see ``awsflow/local/_validate.py``). awsflow 0.1.0.dev0 generated
        ``sha1(runId)[:20]-n`` instead; histories written either way replay, because generated
        ids are matched by position and the recorded one is adopted (``_confirm``,
        ``ChildCall.on_initiated``).
        """
        return f"{self.workflow_execution.run_id}:{sequence}"
