"""The decisions workflow code makes through its context: activities, timers, children, requests
to other executions, continue-as-new. Each becomes a :class:`~._commands.Command` in the pending
list of the replay (see :mod:`._replay` for how they are sent and checked against the history).
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .._swf import Limits, check_size
from ..core import Future
from ..flow_types import ActivityType, WorkflowType
from ..workflow_execution import WorkflowExecution
from ._calls import ActivityCall, CallTable, ChildCall, ExternalCall, TimerCall
from ._commands import Command, caller_origin
from ._conditions import ConditionWaits

if TYPE_CHECKING:
    from ..context import DecisionContext


class DecisionMaking:
    """The calls workflow code makes on ``get_context().decider`` (a mixin of ExecutionReplay)."""

    workflow_execution: WorkflowExecution
    task_list: str
    limits: Limits
    _context: DecisionContext
    _strict: bool
    _next_id: int
    _pending: list[Command]
    _awaiting: deque[Command]
    _calls: CallTable
    _continue_as_new: dict[str, Any] | None
    _conditions: ConditionWaits

    # -- making decisions (called by workflow code through its context) -------------------------
    def emit(self, command: Command) -> Command:
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

    def schedule_activity(
        self,
        activity_type: ActivityType,
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
        *,
        activity_id: str | None = None,
        overrides: dict[str, Any] | None = None,
        origin: Any = None,
    ) -> Future:
        """ScheduleActivityTask; a Future of the activity's result.

        A retry loop passes the attempt's ``activity_id`` and the ``overrides`` and ``origin`` of
        the original call (it schedules later attempts after the call's options block is left).
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
            self._context._activity_options_overrides if overrides is None else overrides,
            # past schedule_activity and ActivityType.__call__
            caller_origin(3) if origin is None else origin,
        )
        if self._strict or not self._context._replaying:
            call.materialize()  # a too-large input raises here, in the workflow's code
        self._pending.append(call)
        future = call.future
        assert future is not None  # a new call is open
        return future

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
        self._calls.timers[timer_id] = call
        return call.future

    def wait_condition(self, predicate: Callable[[], Any], timeout: float | None) -> Future:
        """A Future of True once ``predicate()`` holds, or of False when ``timeout`` seconds pass."""
        return self._conditions.add(predicate, self.start_timer, timeout)

    def start_child_workflow(
        self,
        workflow_type: WorkflowType,
        instance: Any,
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
        *,
        workflow_id: str | None = None,
        overrides: dict[str, Any] | None = None,
        id_generated: bool = False,
    ) -> Future:
        """StartChildWorkflowExecution; a Future of the child's instance once it has started.

        A retry loop passes the attempt's ``workflow_id`` and the original call's ``overrides``,
        and ``id_generated`` when that id derives from a generated one (another writer of the
        history may have generated another).
        """
        if overrides is None:
            overrides = self._context._workflow_options_overrides
        encoded = workflow_type.data_converter.dumps([args, kwargs])
        check_size(f"input of child workflow {workflow_type.name}", encoded, self.limits.payload)
        chosen = workflow_id or overrides.get("workflow_id")
        workflow_id = str(chosen) if chosen else self._child_workflow_id(self.next_id())
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
        self._calls.children[workflow_id] = call
        return call.started

    def _child_workflow_id(self, sequence: str) -> str:
        """``<this run's id>:<n>``: the child id botoflow and AWS Flow for Java generate.

        Unique to this run and call, the same id botoflow 0.8 gives the same call (so histories
        of both frameworks match), and accepted by SWF although its documentation forbids ':'
        in a workflowId (see ``awsflow/local/_validate.py``). awsflow 0.1.0.dev0 generated
        ``sha1(runId)[:20]-n`` instead; histories written either way replay, because generated
        ids are matched by position and the recorded one is adopted (``_confirm``,
        ``ChildCall.on_initiated``).
        """
        return f"{self.workflow_execution.run_id}:{sequence}"

    def continue_as_new(
        self, workflow_type: WorkflowType, args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> Future:
        """Close this run, once its code finishes, by starting a new run with these arguments."""
        encoded = workflow_type.data_converter.dumps([args, kwargs])
        check_size("input of the continued workflow", encoded, self.limits.payload)
        overrides = self._context._workflow_options_overrides
        attributes = {"input": encoded, **workflow_type.run_attributes(overrides, self.task_list)}
        version = overrides.get("version")
        if version is not None:
            attributes["workflowTypeVersion"] = str(version)
        self._continue_as_new = attributes
        done = Future()
        done.set_result(None)
        return done

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
