"""The calls workflow code makes (activities, timers, children, requests to other executions)
and how the events of their lifecycles resolve the Futures the code waits on.

Each call is found again from later events by the id SWF gives back: activity outcomes name
their ``scheduledEventId``, child outcomes their ``initiatedEventId``; the confirmation event of
the decision itself (``ActivityTaskScheduled``, ``StartChildWorkflowExecutionInitiated``, ...)
records that id against the call.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, Protocol

from .._runtime import NO_ACTIVITY_OVERRIDES, ActivityOverrides
from .._swf import EVENTS, Call, EventSpec, Limits, Outcome, check_size, decode_failure, encode_arguments
from .._swf import decode_arguments as decode_arguments  # the workers import it from here (issue 12)
from ..core import CancelledError, Future
from ..exceptions import (
    ActivityTaskCanceledError,
    ActivityTaskFailedError,
    ActivityTaskTimedOutError,
    ChildWorkflowCanceledError,
    ChildWorkflowFailedError,
    ChildWorkflowTerminatedError,
    ChildWorkflowTimedOutError,
    RequestCancelActivityTaskFailedError,
    RequestCancelExternalWorkflowExecutionFailedError,
    ScheduleActivityTaskFailedError,
    SignalExternalWorkflowExecutionFailedError,
    StartChildWorkflowExecutionFailedError,
    StartTimerFailedError,
)
from ..workflow_execution import WorkflowExecution
from ._commands import Command

# The activity and workflow types the code passes (awsflow.flow_types'); the decider only reads
# their names, versions, converters and wire attributes, and imports nothing of the flow types.
ActivityType = Any
WorkflowType = Any

logger = logging.getLogger(__name__)

Handler = Callable[[dict[str, Any], dict[str, Any]], None]


class CallOwner(Protocol):
    """What a call needs of the replay that made it (:class:`~._making.DecisionMaking` is one):
    where its decisions go and are withdrawn from, the table it is found by, and the limits."""

    task_list: str
    limits: Limits
    calls: CallTable

    def emit(self, command: Command) -> Command: ...

    def withdraw(self, command: Command) -> bool: ...

    def request_cancel_external(self, execution: WorkflowExecution) -> Future: ...


# botoflow's text for the cause of an activity canceled before a worker picked it up (SWF then
# records ActivityTaskCanceled without details); a workflow canceled by it records this text.
CANCELED_BEFORE_START = "Activity was cancelled before being picked up by activity worker"


class ActivityCall(Command):
    """One scheduled activity: the ScheduleActivityTask command, and the Future of its result.

    ``future`` is None once the activity completed with a result (the call then lets go of it,
    so that neither keeps the other alive: replay's hot path frees both by reference counting).
    """

    __slots__ = (
        "activity_id",
        "activity_type",
        "args",
        "cancel_command",
        "cancel_future",
        "future",
        "kwargs",
        "overrides",
        "replay",
        "scheduled_event_id",
    )

    # Command's flags, the same for every activity: class attributes save setting them per call.
    is_close = False
    on_confirm = None
    generated_id = False

    def __init__(
        self,
        replay: CallOwner,
        activity_type: ActivityType,
        activity_id: str,
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
        overrides: ActivityOverrides,
        origin: Any,
    ) -> None:
        if overrides is not NO_ACTIVITY_OVERRIDES:
            detail = (
                str(overrides.get("name", activity_type.name)),
                str(overrides.get("version", activity_type.version)),
            )
        else:
            detail = (str(activity_type.name), activity_type.version)
        # Command's fields, set here directly: this runs once per activity on replay's hot path.
        self.key = ("ScheduleActivityTask", activity_id)
        self.decision = None
        self.detail = detail
        self.origin = origin
        self.replay = replay
        self.activity_type = activity_type
        self.activity_id = activity_id
        self.args = args
        self.kwargs = kwargs
        self.overrides = overrides
        # The call is the future's canceller: see __call__ (no bound method per activity).
        self.future: Future | None = Future(self)
        self.scheduled_event_id = 0
        self.cancel_future: Future | None = None
        self.cancel_command: Command | None = None

    def build(self) -> dict[str, Any]:
        activity_type = self.activity_type
        attributes = activity_type.schedule_attributes(self.overrides, self.replay.task_list)
        encoded = encode_arguments(activity_type.data_converter, self.args, self.kwargs)
        check_size(f"input of activity {activity_type.name}", encoded, self.replay.limits.payload)
        attributes["activityId"] = self.activity_id
        attributes["input"] = encoded
        return {"decisionType": "ScheduleActivityTask", "scheduleActivityTaskDecisionAttributes": attributes}

    def confirmed(self, event: dict[str, Any], attributes: dict[str, Any]) -> None:
        if event["eventType"] == "ScheduleActivityTaskFailed":
            assert self.future is not None
            self.future.set_exception(
                ScheduleActivityTaskFailedError(
                    attributes.get("cause", ""), self.activity_type, self.activity_id
                )
            )
            return
        self.scheduled(event["eventId"])

    def scheduled(self, event_id: int) -> None:
        """SWF scheduled the activity as event ``event_id``: its outcome events will name it."""
        self.scheduled_event_id = event_id
        self.replay.calls.by_scheduled[event_id] = self

    def request_cancel(self) -> Future:
        """Ask SWF to cancel the activity; the Future of that request (botoflow's rule).

        - ScheduleActivityTask not sent yet: it is withdrawn, the activity's Future raises
          CancelledError, and the request's Future is done at once.
        - Sent: RequestCancelActivityTask. Its Future is done when SWF records
          ActivityTaskCancelRequested (the activity's own Future still waits for the activity's
          outcome: a worker may finish it anyway), and raises
          RequestCancelActivityTaskFailedError if SWF refuses (RequestCancelActivityTaskFailed,
          e.g. ACTIVITY_ID_UNKNOWN when the activity closed first). If the activity closes
          while the request is not sent yet, the request is withdrawn and its Future done.
        - Already canceled: nothing to ask; the Future is done at once (botoflow returned
          no request at all then, which could not be yielded).
        - Already closed otherwise (completed, failed, timed out): the request is sent all the
          same, as botoflow sent it, and SWF refuses it (ACTIVITY_ID_UNKNOWN), so the Future
          raises RequestCancelActivityTaskFailedError a decision task later. Same history as
          botoflow's, and the same error where botoflow code expects it.

        Asking again returns the same Future.
        """
        cancel = self.cancel_future
        if cancel is not None:
            return cancel
        cancel = self.cancel_future = Future()
        future = self.future
        if future is not None and future.cancelled():
            cancel.set_result(None)
        elif future is not None and not future.done() and self.replay.withdraw(self):
            future.set_cancelled(CancelledError("Activity was cancelled before being scheduled with SWF"))
            cancel.set_result(None)
        else:
            self.cancel_command = self.replay.emit(
                Command(
                    ("RequestCancelActivityTask", self.activity_id),
                    {
                        "decisionType": "RequestCancelActivityTask",
                        "requestCancelActivityTaskDecisionAttributes": {"activityId": self.activity_id},
                    },
                    origin=self.origin,
                    on_confirm=self._on_cancel_recorded,
                )
            )
        return cancel

    # The activity's Future calls its canceller (this call) on cancel(): no bound method per activity.
    __call__ = request_cancel

    def _on_cancel_recorded(self, event: dict[str, Any], attributes: dict[str, Any]) -> None:
        cancel = self.cancel_future
        assert cancel is not None
        if event["eventType"] == "RequestCancelActivityTaskFailed":
            cancel.set_exception(
                RequestCancelActivityTaskFailedError(
                    event["eventId"],
                    self.activity_id,
                    attributes.get("cause", ""),
                    attributes.get("decisionTaskCompletedEventId"),
                )
            )
        else:
            cancel.set_result(None)

    def closed(self) -> None:
        """The activity closed: a cancel request not sent yet has nothing left to cancel."""
        cancel, command = self.cancel_future, self.cancel_command
        if cancel is not None and command is not None and not cancel.done() and self.replay.withdraw(command):
            cancel.set_result(None)


class TimerCall:
    """One timer (``workflow_time.sleep``)."""

    def __init__(self, replay: CallOwner, timer_id: str) -> None:
        self.replay = replay
        self.timer_id = timer_id
        self.future = Future(self.cancel)
        self.command: Command | None = None

    def on_started(self, event: dict[str, Any], attributes: dict[str, Any]) -> None:
        recorded_id = attributes.get("timerId", self.timer_id)
        if recorded_id != self.timer_id:  # a generated id the history's writer made otherwise
            self.replay.calls.timers.pop(self.timer_id, None)
            self.timer_id = recorded_id
            self.replay.calls.timers[recorded_id] = self

    def cancel(self) -> bool:
        """CancelTimer (or the StartTimer withdrawn); False if the timer already fired."""
        if self.future.done():
            return self.future.cancelled()
        if self.command is not None and self.replay.withdraw(self.command):
            self.replay.calls.timers.pop(self.timer_id, None)
            self.future.set_cancelled(CancelledError("Timer was cancelled before it was started"))
            return True
        # SWF cancels a timer within the decision (TimerCanceled is its result event; no new
        # decision task follows), so the code learns of it at once, as in AWS Flow.
        self.replay.calls.timers.pop(self.timer_id, None)
        self.replay.emit(
            Command(
                ("CancelTimer", self.timer_id),
                {"decisionType": "CancelTimer", "cancelTimerDecisionAttributes": {"timerId": self.timer_id}},
                origin=self.command.origin if self.command else "",
            )
        )
        self.future.set_cancelled(CancelledError("Timer was cancelled"))
        return True


class ChildCall:
    """One child workflow execution."""

    def __init__(
        self, replay: CallOwner, workflow_type: WorkflowType, workflow_id: str, instance: Any
    ) -> None:
        self.replay = replay
        self.workflow_type = workflow_type
        self.workflow_id = workflow_id
        self.instance = instance
        self.started = Future(self._cancel_from_started)
        self.result = Future(self._cancel_from_result)
        instance.workflow_result = self.result
        self.command: Command | None = None
        self.execution = WorkflowExecution(workflow_id, None)
        self.cancel_requested = False

    def on_initiated(self, event: dict[str, Any], attributes: dict[str, Any]) -> None:
        recorded_id = attributes.get("workflowId", self.workflow_id)
        if recorded_id != self.workflow_id:  # a history written by botoflow: adopt its id
            self.replay.calls.children.pop(self.workflow_id, None)
            self.workflow_id = recorded_id
            self.execution = WorkflowExecution(recorded_id, None)
            self.replay.calls.children[recorded_id] = self
        if event["eventType"] == "StartChildWorkflowExecutionFailed":
            self.fail_to_start(attributes)
            return
        self.replay.calls.by_initiated[event["eventId"]] = self

    def fail_to_start(self, attributes: dict[str, Any]) -> None:
        error = StartChildWorkflowExecutionFailedError(attributes.get("cause", ""), self.workflow_id)
        self.started.set_exception(error)
        self.result.set_exception(error)

    def _cancel_from_started(self) -> bool:
        if self.started.done():  # started (or failed to): cancelling the result cancels the child
            return self.started.cancelled()
        return self.cancel()

    def _cancel_from_result(self) -> bool:
        if self.result.done():
            return self.result.cancelled()
        return self.cancel()

    def cancel(self) -> bool:
        """Withdraw the start if not sent, else ask SWF to cancel the child (once).

        The child's result Future raises ChildWorkflowCanceledError when the child closes
        canceled. botoflow's child futures made no request (cancelling one only stopped waiting
        on it); cancelling the child from botoflow code is ``yield child.cancel()`` on the child's
        instance, which awsflow keeps.
        """
        if self.cancel_requested:
            return True
        self.cancel_requested = True
        if self.command is not None and self.replay.withdraw(self.command):
            error = CancelledError("Child workflow was cancelled before it was started")
            self.started.set_cancelled(error)
            self.result.set_cancelled(error)
            return True
        self.replay.request_cancel_external(self.execution)
        return True

    def on_event(self, event: dict[str, Any], attributes: dict[str, Any]) -> None:
        event_type = event["eventType"]
        converter = self.workflow_type.data_converter
        if event_type == "ChildWorkflowExecutionStarted":
            execution = attributes["workflowExecution"]
            self.execution = WorkflowExecution(execution["workflowId"], execution["runId"])
            self.instance.workflow_execution = self.execution
            self.started.set_result(self.instance)
            return
        if event_type == "StartChildWorkflowExecutionFailed":
            self.fail_to_start(attributes)
            return
        if event_type == "ChildWorkflowExecutionCompleted":
            result = attributes.get("result")
            self.result.set_result(converter.loads(result) if result else None)
        elif event_type == "ChildWorkflowExecutionFailed":
            cause, remote_traceback = decode_failure(converter, attributes.get("details"))
            self.result.set_exception(
                ChildWorkflowFailedError(
                    event["eventId"], self.workflow_type, self.execution, cause, remote_traceback
                )
            )
        elif event_type == "ChildWorkflowExecutionTimedOut":
            self.result.set_exception(
                ChildWorkflowTimedOutError(event["eventId"], self.workflow_type, self.execution)
            )
        elif event_type == "ChildWorkflowExecutionTerminated":
            self.result.set_exception(
                ChildWorkflowTerminatedError(event["eventId"], self.workflow_type, self.execution)
            )
        elif event_type == "ChildWorkflowExecutionCanceled":
            self.result.set_cancelled(
                ChildWorkflowCanceledError(
                    event["eventId"], self.workflow_type, self.execution, attributes.get("details")
                )
            )


class ExternalCall:
    """A signal or cancel request sent to another execution."""

    def __init__(self, replay: CallOwner, execution: WorkflowExecution, kind: str) -> None:
        self.replay = replay
        self.execution = execution
        self.kind = kind
        self.future = Future()

    def on_initiated(self, event: dict[str, Any], attributes: dict[str, Any]) -> None:
        if event["eventType"].endswith("Failed"):
            self.on_event(event, attributes)
            return
        self.replay.calls.by_initiated[event["eventId"]] = self

    def on_event(self, event: dict[str, Any], attributes: dict[str, Any]) -> None:
        if not event["eventType"].endswith("Failed"):
            self.future.set_result(None)
            return
        error_type = (
            RequestCancelExternalWorkflowExecutionFailedError
            if self.kind == "cancel"
            else SignalExternalWorkflowExecutionFailedError
        )
        self.future.set_exception(
            error_type(
                attributes.get("decisionTaskCompletedEventId"),
                attributes.get("initiatedEventId"),
                attributes.get("runId"),
                str(attributes.get("workflowId", self.execution.workflow_id)),
                attributes.get("cause", ""),
            )
        )


class CallTable:
    """The open calls of one execution, and the handlers of their outcome events."""

    def __init__(self) -> None:
        self.by_scheduled: dict[int, ActivityCall] = {}
        self.timers: dict[str, TimerCall] = {}
        self.children: dict[str, ChildCall] = {}
        self.by_initiated: dict[int, Any] = {}

    def handlers(self) -> dict[str, Handler]:
        """Event type -> handler, for the events that bring a call's outcome (see _HANDLERS)."""
        return {event_type: getattr(self, name) for event_type, name in _HANDLERS.items()}

    def _by_initiated(self, event: dict[str, Any], attributes: dict[str, Any]) -> None:
        initiated = attributes.get("initiatedEventId")
        if not initiated:
            return  # an immediate failure: already handled when the decision was confirmed
        call = self.by_initiated.get(initiated)
        if call is not None:
            call.on_event(event, attributes)

    def _activity_completed(self, event: dict[str, Any], attributes: dict[str, Any]) -> None:
        # The commonest event of all, handled on its own: replay's hot path.
        call = self.by_scheduled.pop(attributes["scheduledEventId"], None)
        if call is not None:
            result = attributes.get("result")
            future = call.future
            assert future is not None
            call.future = None  # break the call <-> future cycle: refcounting frees both
            if call.cancel_command is not None:
                call.closed()
            future.set_result(call.activity_type.data_converter.loads(result) if result else None)

    def _activity_outcome(self, event: dict[str, Any], attributes: dict[str, Any]) -> None:
        call = self.by_scheduled.pop(attributes["scheduledEventId"], None)
        if call is None or call.future is None:
            return
        call.closed()
        event_type = event["eventType"]
        converter = call.activity_type.data_converter
        if event_type == "ActivityTaskFailed":
            cause, remote_traceback = decode_failure(converter, attributes.get("details"))
            error = ActivityTaskFailedError(
                event["eventId"], call.activity_type, call.activity_id, cause, remote_traceback
            )
            error.reason = attributes.get("reason")  # type: ignore[attr-defined]
            call.future.set_exception(error)
        elif event_type == "ActivityTaskTimedOut":
            timed_out = ActivityTaskTimedOutError(
                event["eventId"], call.activity_type, call.activity_id, attributes.get("timeoutType", "")
            )
            timed_out.details = attributes.get("details")  # type: ignore[attr-defined]
            call.future.set_exception(timed_out)
        else:
            cause, remote_traceback = decode_failure(converter, attributes.get("details"))
            if cause is None:
                # No details: SWF canceled it before a worker picked it up (botoflow's cause), or
                # a worker answered canceled without saying why.
                cause = CancelledError(
                    CANCELED_BEFORE_START
                    if not attributes.get("startedEventId")
                    else "Activity was canceled by its worker, without details"
                )
            call.future.set_cancelled(
                ActivityTaskCanceledError(
                    event["eventId"],
                    call.activity_type,
                    call.activity_id,
                    cause,
                    attributes.get("latestCancelRequestedEventId"),
                    attributes.get("scheduledEventId"),
                    attributes.get("startedEventId"),
                    remote_traceback,
                )
            )

    def _timer_outcome(self, event: dict[str, Any], attributes: dict[str, Any]) -> None:
        call = self.timers.pop(attributes["timerId"], None)
        if call is None:
            return
        event_type = event["eventType"]
        if event_type == "TimerFired":
            call.future.set_result(None)
        elif event_type == "TimerCanceled":
            call.future.set_cancelled(CancelledError("Timer was cancelled"))
        else:
            call.future.set_exception(StartTimerFailedError(attributes.get("cause", ""), call.timer_id))


def _handler_name(spec: EventSpec) -> str | None:
    """Which CallTable method handles an event of the SWF table, if any."""
    if spec.call is Call.ACTIVITY and spec.outcome is not Outcome.STARTED:
        return "_activity_completed" if spec.outcome is Outcome.COMPLETED else "_activity_outcome"
    if spec.call is Call.TIMER:
        return "_timer_outcome"
    if spec.call in (Call.CHILD, Call.SIGNAL, Call.CANCEL_REQUEST):
        return "_by_initiated"
    return None  # an activity starting, a Lambda function (workflow code schedules none)


# Read from the table once: a replay binds these to its own CallTable.
_HANDLERS = {spec.event_type: name for spec in EVENTS.values() if (name := _handler_name(spec)) is not None}
