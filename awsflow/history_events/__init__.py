"""History events as objects: one class per SWF event type (all 54 of botocore's model).

``swf_event_to_object(event_dict)`` turns an event from ``GetWorkflowExecutionHistory`` or
``PollForDecisionTask`` into an instance with ``id``, ``datetime`` and ``attributes`` (botoflow's
shape). The decider works on the wire dicts directly; these classes are for code that inspects
histories. Events that record the outcome of a decision also derive from
:class:`DecisionEventBase`.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "ActivityEventBase",
    "ActivityTaskCancelRequested",
    "ActivityTaskCanceled",
    "ActivityTaskCompleted",
    "ActivityTaskFailed",
    "ActivityTaskScheduled",
    "ActivityTaskStarted",
    "ActivityTaskTimedOut",
    "CancelTimerFailed",
    "CancelWorkflowExecutionFailed",
    "ChildWorkflowEventBase",
    "ChildWorkflowExecutionCanceled",
    "ChildWorkflowExecutionCompleted",
    "ChildWorkflowExecutionFailed",
    "ChildWorkflowExecutionStarted",
    "ChildWorkflowExecutionTerminated",
    "ChildWorkflowExecutionTimedOut",
    "CompleteWorkflowExecutionFailed",
    "ContinueAsNewWorkflowExecutionFailed",
    "DecisionEventBase",
    "DecisionTaskCompleted",
    "DecisionTaskEventBase",
    "DecisionTaskScheduled",
    "DecisionTaskStarted",
    "DecisionTaskTimedOut",
    "EventBase",
    "ExternalWorkflowEventBase",
    "ExternalWorkflowExecutionCancelRequested",
    "ExternalWorkflowExecutionSignaled",
    "FailWorkflowExecutionFailed",
    "LambdaFunctionCompleted",
    "LambdaFunctionEventBase",
    "LambdaFunctionFailed",
    "LambdaFunctionScheduled",
    "LambdaFunctionStarted",
    "LambdaFunctionTimedOut",
    "MarkerEventBase",
    "MarkerRecorded",
    "RecordMarkerFailed",
    "RequestCancelActivityTaskFailed",
    "RequestCancelExternalWorkflowExecutionFailed",
    "RequestCancelExternalWorkflowExecutionInitiated",
    "ScheduleActivityTaskFailed",
    "ScheduleLambdaFunctionFailed",
    "SignalExternalWorkflowExecutionFailed",
    "SignalExternalWorkflowExecutionInitiated",
    "StartChildWorkflowExecutionFailed",
    "StartChildWorkflowExecutionInitiated",
    "StartLambdaFunctionFailed",
    "StartTimerFailed",
    "TimerCanceled",
    "TimerEventBase",
    "TimerFired",
    "TimerStarted",
    "WorkflowEventBase",
    "WorkflowExecutionCancelRequested",
    "WorkflowExecutionCanceled",
    "WorkflowExecutionCompleted",
    "WorkflowExecutionContinuedAsNew",
    "WorkflowExecutionFailed",
    "WorkflowExecutionSignaled",
    "WorkflowExecutionStarted",
    "WorkflowExecutionTerminated",
    "WorkflowExecutionTimedOut",
    "swf_event_to_object",
]


class EventBase:
    """One history event: ``id``, ``datetime`` (the event timestamp) and ``attributes``."""

    attribute_key = ""

    def __init__(self, event_id: int, datetime: Any, attributes: dict[str, Any]) -> None:
        self.id = event_id
        self.datetime = datetime
        self.attributes = attributes

    def __repr__(self) -> str:
        return f"<{type(self).__name__} id={self.id}, time={self.datetime}, attributes={self.attributes}>"


class ActivityEventBase(EventBase):
    """Events of activity tasks."""


class ChildWorkflowEventBase(EventBase):
    """Events of child workflow executions."""


class DecisionEventBase(EventBase):
    """Events that record the outcome of a decision (a mixin)."""


class DecisionTaskEventBase(EventBase):
    """Events of decision tasks."""


class ExternalWorkflowEventBase(EventBase):
    """Events of signals and cancel requests sent to other executions."""


class LambdaFunctionEventBase(EventBase):
    """Events of Lambda function tasks."""


class MarkerEventBase(EventBase):
    """Events of markers."""


class TimerEventBase(EventBase):
    """Events of timers."""


class WorkflowEventBase(EventBase):
    """Events of the execution itself."""


class ActivityTaskCancelRequested(ActivityEventBase, DecisionEventBase):
    attribute_key = "activityTaskCancelRequestedEventAttributes"


class ActivityTaskCanceled(ActivityEventBase):
    attribute_key = "activityTaskCanceledEventAttributes"


class ActivityTaskCompleted(ActivityEventBase):
    attribute_key = "activityTaskCompletedEventAttributes"


class ActivityTaskFailed(ActivityEventBase):
    attribute_key = "activityTaskFailedEventAttributes"


class ActivityTaskScheduled(ActivityEventBase, DecisionEventBase):
    attribute_key = "activityTaskScheduledEventAttributes"


class ActivityTaskStarted(ActivityEventBase):
    attribute_key = "activityTaskStartedEventAttributes"


class ActivityTaskTimedOut(ActivityEventBase):
    attribute_key = "activityTaskTimedOutEventAttributes"


class CancelTimerFailed(TimerEventBase, DecisionEventBase):
    attribute_key = "cancelTimerFailedEventAttributes"


class CancelWorkflowExecutionFailed(WorkflowEventBase, DecisionEventBase):
    attribute_key = "cancelWorkflowExecutionFailedEventAttributes"


class ChildWorkflowExecutionCanceled(ChildWorkflowEventBase):
    attribute_key = "childWorkflowExecutionCanceledEventAttributes"


class ChildWorkflowExecutionCompleted(ChildWorkflowEventBase):
    attribute_key = "childWorkflowExecutionCompletedEventAttributes"


class ChildWorkflowExecutionFailed(ChildWorkflowEventBase):
    attribute_key = "childWorkflowExecutionFailedEventAttributes"


class ChildWorkflowExecutionStarted(ChildWorkflowEventBase):
    attribute_key = "childWorkflowExecutionStartedEventAttributes"


class ChildWorkflowExecutionTerminated(ChildWorkflowEventBase):
    attribute_key = "childWorkflowExecutionTerminatedEventAttributes"


class ChildWorkflowExecutionTimedOut(ChildWorkflowEventBase):
    attribute_key = "childWorkflowExecutionTimedOutEventAttributes"


class CompleteWorkflowExecutionFailed(WorkflowEventBase, DecisionEventBase):
    attribute_key = "completeWorkflowExecutionFailedEventAttributes"


class ContinueAsNewWorkflowExecutionFailed(WorkflowEventBase, DecisionEventBase):
    attribute_key = "continueAsNewWorkflowExecutionFailedEventAttributes"


class DecisionTaskCompleted(DecisionTaskEventBase):
    attribute_key = "decisionTaskCompletedEventAttributes"


class DecisionTaskScheduled(DecisionTaskEventBase):
    attribute_key = "decisionTaskScheduledEventAttributes"


class DecisionTaskStarted(DecisionTaskEventBase):
    attribute_key = "decisionTaskStartedEventAttributes"


class DecisionTaskTimedOut(DecisionTaskEventBase):
    attribute_key = "decisionTaskTimedOutEventAttributes"


class ExternalWorkflowExecutionCancelRequested(ExternalWorkflowEventBase):
    attribute_key = "externalWorkflowExecutionCancelRequestedEventAttributes"


class ExternalWorkflowExecutionSignaled(ExternalWorkflowEventBase):
    attribute_key = "externalWorkflowExecutionSignaledEventAttributes"


class FailWorkflowExecutionFailed(WorkflowEventBase, DecisionEventBase):
    attribute_key = "failWorkflowExecutionFailedEventAttributes"


class LambdaFunctionCompleted(LambdaFunctionEventBase):
    attribute_key = "lambdaFunctionCompletedEventAttributes"


class LambdaFunctionFailed(LambdaFunctionEventBase):
    attribute_key = "lambdaFunctionFailedEventAttributes"


class LambdaFunctionScheduled(LambdaFunctionEventBase, DecisionEventBase):
    attribute_key = "lambdaFunctionScheduledEventAttributes"


class LambdaFunctionStarted(LambdaFunctionEventBase):
    attribute_key = "lambdaFunctionStartedEventAttributes"


class LambdaFunctionTimedOut(LambdaFunctionEventBase):
    attribute_key = "lambdaFunctionTimedOutEventAttributes"


class MarkerRecorded(MarkerEventBase, DecisionEventBase):
    attribute_key = "markerRecordedEventAttributes"


class RecordMarkerFailed(MarkerEventBase, DecisionEventBase):
    attribute_key = "recordMarkerFailedEventAttributes"


class RequestCancelActivityTaskFailed(ActivityEventBase, DecisionEventBase):
    attribute_key = "requestCancelActivityTaskFailedEventAttributes"


class RequestCancelExternalWorkflowExecutionFailed(ExternalWorkflowEventBase, DecisionEventBase):
    attribute_key = "requestCancelExternalWorkflowExecutionFailedEventAttributes"


class RequestCancelExternalWorkflowExecutionInitiated(ExternalWorkflowEventBase, DecisionEventBase):
    attribute_key = "requestCancelExternalWorkflowExecutionInitiatedEventAttributes"


class ScheduleActivityTaskFailed(ActivityEventBase, DecisionEventBase):
    attribute_key = "scheduleActivityTaskFailedEventAttributes"


class ScheduleLambdaFunctionFailed(LambdaFunctionEventBase, DecisionEventBase):
    attribute_key = "scheduleLambdaFunctionFailedEventAttributes"


class SignalExternalWorkflowExecutionFailed(ExternalWorkflowEventBase, DecisionEventBase):
    attribute_key = "signalExternalWorkflowExecutionFailedEventAttributes"


class SignalExternalWorkflowExecutionInitiated(ExternalWorkflowEventBase, DecisionEventBase):
    attribute_key = "signalExternalWorkflowExecutionInitiatedEventAttributes"


class StartChildWorkflowExecutionFailed(ChildWorkflowEventBase, DecisionEventBase):
    attribute_key = "startChildWorkflowExecutionFailedEventAttributes"


class StartChildWorkflowExecutionInitiated(ChildWorkflowEventBase, DecisionEventBase):
    attribute_key = "startChildWorkflowExecutionInitiatedEventAttributes"


class StartLambdaFunctionFailed(LambdaFunctionEventBase):
    attribute_key = "startLambdaFunctionFailedEventAttributes"


class StartTimerFailed(TimerEventBase, DecisionEventBase):
    attribute_key = "startTimerFailedEventAttributes"


class TimerCanceled(TimerEventBase, DecisionEventBase):
    attribute_key = "timerCanceledEventAttributes"


class TimerFired(TimerEventBase):
    attribute_key = "timerFiredEventAttributes"


class TimerStarted(TimerEventBase, DecisionEventBase):
    attribute_key = "timerStartedEventAttributes"


class WorkflowExecutionCancelRequested(WorkflowEventBase):
    attribute_key = "workflowExecutionCancelRequestedEventAttributes"


class WorkflowExecutionCanceled(WorkflowEventBase, DecisionEventBase):
    attribute_key = "workflowExecutionCanceledEventAttributes"


class WorkflowExecutionCompleted(WorkflowEventBase, DecisionEventBase):
    attribute_key = "workflowExecutionCompletedEventAttributes"


class WorkflowExecutionContinuedAsNew(WorkflowEventBase, DecisionEventBase):
    attribute_key = "workflowExecutionContinuedAsNewEventAttributes"


class WorkflowExecutionFailed(WorkflowEventBase, DecisionEventBase):
    attribute_key = "workflowExecutionFailedEventAttributes"


class WorkflowExecutionSignaled(WorkflowEventBase):
    attribute_key = "workflowExecutionSignaledEventAttributes"


class WorkflowExecutionStarted(WorkflowEventBase):
    attribute_key = "workflowExecutionStartedEventAttributes"


class WorkflowExecutionTerminated(WorkflowEventBase):
    attribute_key = "workflowExecutionTerminatedEventAttributes"


class WorkflowExecutionTimedOut(WorkflowEventBase):
    attribute_key = "workflowExecutionTimedOutEventAttributes"


def _all_event_classes() -> dict[str, type[EventBase]]:
    found: dict[str, type[EventBase]] = {}
    pending: list[type[EventBase]] = [EventBase]
    while pending:
        for sub in pending.pop().__subclasses__():
            pending.append(sub)
            if sub.attribute_key:
                found[sub.__name__] = sub
    return found


_BY_EVENT_TYPE = _all_event_classes()


def swf_event_to_object(event_dict: dict[str, Any]) -> EventBase:
    """The event object for a wire event; NotImplementedError for an event type SWF lacks."""
    try:
        cls = _BY_EVENT_TYPE[event_dict["eventType"]]
    except KeyError:
        raise NotImplementedError(f"Unknown SWF event type {event_dict['eventType']!r}") from None
    return cls(event_dict["eventId"], event_dict.get("eventTimestamp"), event_dict.get(cls.attribute_key, {}))
