"""SWF's history events and decisions, described once: what awsflow reads and writes derives from here.

Each of the 54 event types of SWF's model (botocore's ``EventType``) has an :class:`EventSpec`
saying

- where its attributes are: ``ActivityTaskScheduled`` -> ``activityTaskScheduledEventAttributes``
  (the rule is SWF's; it is applied here and nowhere else);
- which decision it *records*, if any. When a decision task completes, SWF writes one event per
  decision right after its ``DecisionTaskCompleted`` (``ActivityTaskScheduled``, or
  ``ScheduleActivityTaskFailed`` when SWF refused it, for ``ScheduleActivityTask``), naming the
  decision's id (``id_member``) and, for activities and children, its type (``type_member``). The
  replay checks these, in order, against the decisions the code makes again;
- which *call* it brings news of later (an activity's completion, a timer firing, a child
  closing) and how it names that call (:attr:`Call.key`), with the :class:`Outcome` it reports;
- whether it may also come *late*: three of SWF's ``*Failed`` events are written either at once
  (refusing the decision: ``initiatedEventId`` 0) or later, asynchronously, naming the
  ``*Initiated`` event of the decision (SWF API reference, e.g.
  ``StartChildWorkflowExecutionFailedEventAttributes.initiatedEventId``);
- whether it closes the run.

Each of the 13 decision types has a :class:`DecisionSpec`: its attributes member, the member that
holds its id, and whether it closes the run (SWF accepts such a decision only as the last of its
response).

The decider's dispatch, the workers' close detection, ``awsflow.history_events``,
``awsflow.decisions`` and the queries all read these tables.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

__all__ = [
    "CLOSE_DECISIONS",
    "CLOSING_EVENTS",
    "DECISIONS",
    "EVENTS",
    "Call",
    "DecisionSpec",
    "EventSpec",
    "Outcome",
    "SwfType",
    "attributes_of",
    "decision_attributes_key",
    "event_attributes_key",
]


class Call(enum.Enum):
    """What a workflow asked for whose outcome an event brings later."""

    ACTIVITY = "activity"
    TIMER = "timer"
    CHILD = "child workflow"
    SIGNAL = "signal to another execution"
    CANCEL_REQUEST = "cancel request to another execution"
    LAMBDA = "Lambda function"

    @property
    def key(self) -> str:
        """The attributes member that names the call: its scheduled or initiated event, or its timer."""
        return _CALL_KEYS[self]


_CALL_KEYS = {
    Call.ACTIVITY: "scheduledEventId",
    Call.TIMER: "timerId",
    Call.CHILD: "initiatedEventId",
    Call.SIGNAL: "initiatedEventId",
    Call.CANCEL_REQUEST: "initiatedEventId",
    Call.LAMBDA: "scheduledEventId",
}


class Outcome(enum.Enum):
    """What an event says happened to a call."""

    STARTED = "started"
    COMPLETED = "completed"
    FAILED = "failed"
    TIMED_OUT = "timed out"
    CANCELED = "canceled"
    TERMINATED = "terminated"
    FIRED = "fired"
    DELIVERED = "delivered"  # a signal or cancel request reached the other execution
    FAILED_TO_START = "failed to start"


@dataclass(frozen=True, slots=True)
class EventSpec:
    """One SWF history event type (see the module docstring)."""

    event_type: str
    attributes: str
    records: str | None = None  # the decision type whose result this event records
    id_member: str | None = None  # where that decision's id is ("" and None: it has none)
    type_member: str | None = None  # where that decision's activity or workflow type is
    call: Call | None = None
    outcome: Outcome | None = None
    late: bool = False
    closes_run: bool = False


@dataclass(frozen=True, slots=True)
class DecisionSpec:
    """One SWF decision type."""

    decision_type: str
    attributes: str
    id_member: str | None = None
    closes_run: bool = False


class SwfType:
    """Base of the types SWF registers by name and version: activity types and workflow types.

    A failure that names one crosses SWF as ``(name, version)`` (see :mod:`._failures`).
    """

    __slots__ = ()
    name: Any
    version: Any


def event_attributes_key(event_type: str) -> str:
    """``ActivityTaskScheduled`` -> ``activityTaskScheduledEventAttributes`` (SWF's rule).

    >>> event_attributes_key("TimerFired")
    'timerFiredEventAttributes'
    """
    return f"{event_type[0].lower()}{event_type[1:]}EventAttributes"


def decision_attributes_key(decision_type: str) -> str:
    """``StartTimer`` -> ``startTimerDecisionAttributes`` (SWF's rule)."""
    return f"{decision_type[0].lower()}{decision_type[1:]}DecisionAttributes"


def _event(event_type: str, **facts: Any) -> EventSpec:
    return EventSpec(event_type, event_attributes_key(event_type), **facts)


def _recording(event_type: str, decision_type: str, id_member: str = "", **facts: Any) -> EventSpec:
    return _event(event_type, records=decision_type, id_member=id_member, **facts)


_ACTIVITY = {"id_member": "activityId", "type_member": "activityType"}
_CHILD = {"id_member": "workflowId", "type_member": "workflowType"}

_EVENT_LIST = (
    # -- the execution --------------------------------------------------------------------------
    _event("WorkflowExecutionStarted"),
    _event("WorkflowExecutionSignaled"),
    _event("WorkflowExecutionCancelRequested"),
    _recording("WorkflowExecutionCompleted", "CompleteWorkflowExecution", closes_run=True),
    _recording("CompleteWorkflowExecutionFailed", "CompleteWorkflowExecution"),
    _recording("WorkflowExecutionFailed", "FailWorkflowExecution", closes_run=True),
    _recording("FailWorkflowExecutionFailed", "FailWorkflowExecution"),
    _recording("WorkflowExecutionCanceled", "CancelWorkflowExecution", closes_run=True),
    _recording("CancelWorkflowExecutionFailed", "CancelWorkflowExecution"),
    _recording("WorkflowExecutionContinuedAsNew", "ContinueAsNewWorkflowExecution", closes_run=True),
    _recording("ContinueAsNewWorkflowExecutionFailed", "ContinueAsNewWorkflowExecution"),
    _event("WorkflowExecutionTimedOut", closes_run=True),
    _event("WorkflowExecutionTerminated", closes_run=True),
    # -- decision tasks -------------------------------------------------------------------------
    _event("DecisionTaskScheduled"),
    _event("DecisionTaskStarted"),
    _event("DecisionTaskCompleted"),
    _event("DecisionTaskTimedOut"),
    # -- activities -----------------------------------------------------------------------------
    _recording("ActivityTaskScheduled", "ScheduleActivityTask", **_ACTIVITY),
    _recording("ScheduleActivityTaskFailed", "ScheduleActivityTask", **_ACTIVITY),
    _event("ActivityTaskStarted", call=Call.ACTIVITY, outcome=Outcome.STARTED),
    _event("ActivityTaskCompleted", call=Call.ACTIVITY, outcome=Outcome.COMPLETED),
    _event("ActivityTaskFailed", call=Call.ACTIVITY, outcome=Outcome.FAILED),
    _event("ActivityTaskTimedOut", call=Call.ACTIVITY, outcome=Outcome.TIMED_OUT),
    _event("ActivityTaskCanceled", call=Call.ACTIVITY, outcome=Outcome.CANCELED),
    _recording("ActivityTaskCancelRequested", "RequestCancelActivityTask", "activityId"),
    _recording("RequestCancelActivityTaskFailed", "RequestCancelActivityTask", "activityId"),
    # -- markers --------------------------------------------------------------------------------
    _recording("MarkerRecorded", "RecordMarker", "markerName"),
    _recording("RecordMarkerFailed", "RecordMarker", "markerName"),
    # -- timers ---------------------------------------------------------------------------------
    _recording("TimerStarted", "StartTimer", "timerId"),
    _recording("StartTimerFailed", "StartTimer", "timerId", call=Call.TIMER, outcome=Outcome.FAILED_TO_START),
    _event("TimerFired", call=Call.TIMER, outcome=Outcome.FIRED),
    _recording("TimerCanceled", "CancelTimer", "timerId", call=Call.TIMER, outcome=Outcome.CANCELED),
    _recording("CancelTimerFailed", "CancelTimer", "timerId"),
    # -- child workflows ------------------------------------------------------------------------
    _recording("StartChildWorkflowExecutionInitiated", "StartChildWorkflowExecution", **_CHILD),
    _recording(
        "StartChildWorkflowExecutionFailed",
        "StartChildWorkflowExecution",
        **_CHILD,
        call=Call.CHILD,
        outcome=Outcome.FAILED_TO_START,
        late=True,
    ),
    _event("ChildWorkflowExecutionStarted", call=Call.CHILD, outcome=Outcome.STARTED),
    _event("ChildWorkflowExecutionCompleted", call=Call.CHILD, outcome=Outcome.COMPLETED),
    _event("ChildWorkflowExecutionFailed", call=Call.CHILD, outcome=Outcome.FAILED),
    _event("ChildWorkflowExecutionTimedOut", call=Call.CHILD, outcome=Outcome.TIMED_OUT),
    _event("ChildWorkflowExecutionCanceled", call=Call.CHILD, outcome=Outcome.CANCELED),
    _event("ChildWorkflowExecutionTerminated", call=Call.CHILD, outcome=Outcome.TERMINATED),
    # -- signals and cancel requests to other executions ----------------------------------------
    # A signal is named by its control; a cancel request by the workflow id: botoflow sent
    # these without a control, and its histories must replay.
    _recording("SignalExternalWorkflowExecutionInitiated", "SignalExternalWorkflowExecution", "control"),
    _recording(
        "SignalExternalWorkflowExecutionFailed",
        "SignalExternalWorkflowExecution",
        "control",
        call=Call.SIGNAL,
        outcome=Outcome.FAILED,
        late=True,
    ),
    _event("ExternalWorkflowExecutionSignaled", call=Call.SIGNAL, outcome=Outcome.DELIVERED),
    _recording(
        "RequestCancelExternalWorkflowExecutionInitiated",
        "RequestCancelExternalWorkflowExecution",
        "workflowId",
    ),
    _recording(
        "RequestCancelExternalWorkflowExecutionFailed",
        "RequestCancelExternalWorkflowExecution",
        "workflowId",
        call=Call.CANCEL_REQUEST,
        outcome=Outcome.FAILED,
        late=True,
    ),
    _event("ExternalWorkflowExecutionCancelRequested", call=Call.CANCEL_REQUEST, outcome=Outcome.DELIVERED),
    # -- Lambda functions (recorded; workflow code cannot schedule them) ------------------------
    _recording("LambdaFunctionScheduled", "ScheduleLambdaFunction", "id"),
    _recording("ScheduleLambdaFunctionFailed", "ScheduleLambdaFunction", "id"),
    _event("LambdaFunctionStarted", call=Call.LAMBDA, outcome=Outcome.STARTED),
    _event("LambdaFunctionCompleted", call=Call.LAMBDA, outcome=Outcome.COMPLETED),
    _event("LambdaFunctionFailed", call=Call.LAMBDA, outcome=Outcome.FAILED),
    _event("LambdaFunctionTimedOut", call=Call.LAMBDA, outcome=Outcome.TIMED_OUT),
    _event("StartLambdaFunctionFailed", call=Call.LAMBDA, outcome=Outcome.FAILED_TO_START),
)

EVENTS: Mapping[str, EventSpec] = MappingProxyType({spec.event_type: spec for spec in _EVENT_LIST})


def _decision(decision_type: str, id_member: str | None = None, *, closes_run: bool = False) -> DecisionSpec:
    return DecisionSpec(decision_type, decision_attributes_key(decision_type), id_member, closes_run)


DECISIONS: Mapping[str, DecisionSpec] = MappingProxyType(
    {
        spec.decision_type: spec
        for spec in (
            _decision("ScheduleActivityTask", "activityId"),
            _decision("RequestCancelActivityTask", "activityId"),
            _decision("CompleteWorkflowExecution", closes_run=True),
            _decision("FailWorkflowExecution", closes_run=True),
            _decision("CancelWorkflowExecution", closes_run=True),
            _decision("ContinueAsNewWorkflowExecution", closes_run=True),
            _decision("RecordMarker", "markerName"),
            _decision("StartTimer", "timerId"),
            _decision("CancelTimer", "timerId"),
            _decision("SignalExternalWorkflowExecution", "control"),
            _decision("RequestCancelExternalWorkflowExecution", "workflowId"),
            _decision("StartChildWorkflowExecution", "workflowId"),
            _decision("ScheduleLambdaFunction", "id"),
        )
    }
)

CLOSE_DECISIONS = frozenset(name for name, spec in DECISIONS.items() if spec.closes_run)
CLOSING_EVENTS = frozenset(name for name, spec in EVENTS.items() if spec.closes_run)

_NO_ATTRIBUTES: Mapping[str, Any] = MappingProxyType({})


def attributes_of(event: Mapping[str, Any]) -> Mapping[str, Any]:
    """The ``<eventType>EventAttributes`` member of a wire event (an empty mapping if absent)."""
    spec = EVENTS.get(event["eventType"])
    key = spec.attributes if spec is not None else event_attributes_key(event["eventType"])
    attributes: Mapping[str, Any] = event.get(key) or _NO_ATTRIBUTES
    return attributes
