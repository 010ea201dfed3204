"""History events as objects: one class per SWF event type (all 54 of botocore's model).

``swf_event_to_object(event_dict)`` turns an event from ``GetWorkflowExecutionHistory`` or
``PollForDecisionTask`` into an instance with ``id``, ``datetime`` and ``attributes`` (botoflow's
shape). The decider works on the wire dicts directly; these classes are for code that inspects
histories. Events that record the outcome of a decision also derive from
:class:`DecisionEventBase`.
"""

from __future__ import annotations

from typing import Any

from .._swf import EVENTS, as_datetime

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
    """One history event: ``id``, ``datetime`` (the event timestamp) and ``attributes``.

    A subclass named after an SWF event type gets that type's ``attribute_key``
    (``"activityTaskScheduledEventAttributes"``) from awsflow's table of SWF's events; the
    intermediate bases (``ActivityEventBase``, ...) have none.
    """

    attribute_key = ""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        spec = EVENTS.get(cls.__name__)
        cls.attribute_key = spec.attributes if spec is not None else ""

    def __init__(self, event_id: int, datetime: Any, attributes: dict[str, Any]) -> None:
        self.id = event_id
        self.timestamp = datetime  # as it came: epoch seconds from the wire, or botocore's datetime
        self.attributes = attributes

    @property
    def datetime(self) -> Any:
        """The event's time as an aware UTC datetime (None for an event given none)."""
        return None if self.timestamp is None else as_datetime(self.timestamp)

    @datetime.setter
    def datetime(self, value: Any) -> None:
        self.timestamp = value

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
    pass


class ActivityTaskCanceled(ActivityEventBase):
    pass


class ActivityTaskCompleted(ActivityEventBase):
    pass


class ActivityTaskFailed(ActivityEventBase):
    pass


class ActivityTaskScheduled(ActivityEventBase, DecisionEventBase):
    pass


class ActivityTaskStarted(ActivityEventBase):
    pass


class ActivityTaskTimedOut(ActivityEventBase):
    pass


class CancelTimerFailed(TimerEventBase, DecisionEventBase):
    pass


class CancelWorkflowExecutionFailed(WorkflowEventBase, DecisionEventBase):
    pass


class ChildWorkflowExecutionCanceled(ChildWorkflowEventBase):
    pass


class ChildWorkflowExecutionCompleted(ChildWorkflowEventBase):
    pass


class ChildWorkflowExecutionFailed(ChildWorkflowEventBase):
    pass


class ChildWorkflowExecutionStarted(ChildWorkflowEventBase):
    pass


class ChildWorkflowExecutionTerminated(ChildWorkflowEventBase):
    pass


class ChildWorkflowExecutionTimedOut(ChildWorkflowEventBase):
    pass


class CompleteWorkflowExecutionFailed(WorkflowEventBase, DecisionEventBase):
    pass


class ContinueAsNewWorkflowExecutionFailed(WorkflowEventBase, DecisionEventBase):
    pass


class DecisionTaskCompleted(DecisionTaskEventBase):
    pass


class DecisionTaskScheduled(DecisionTaskEventBase):
    pass


class DecisionTaskStarted(DecisionTaskEventBase):
    pass


class DecisionTaskTimedOut(DecisionTaskEventBase):
    pass


class ExternalWorkflowExecutionCancelRequested(ExternalWorkflowEventBase):
    pass


class ExternalWorkflowExecutionSignaled(ExternalWorkflowEventBase):
    pass


class FailWorkflowExecutionFailed(WorkflowEventBase, DecisionEventBase):
    pass


class LambdaFunctionCompleted(LambdaFunctionEventBase):
    pass


class LambdaFunctionFailed(LambdaFunctionEventBase):
    pass


class LambdaFunctionScheduled(LambdaFunctionEventBase, DecisionEventBase):
    pass


class LambdaFunctionStarted(LambdaFunctionEventBase):
    pass


class LambdaFunctionTimedOut(LambdaFunctionEventBase):
    pass


class MarkerRecorded(MarkerEventBase, DecisionEventBase):
    pass


class RecordMarkerFailed(MarkerEventBase, DecisionEventBase):
    pass


class RequestCancelActivityTaskFailed(ActivityEventBase, DecisionEventBase):
    pass


class RequestCancelExternalWorkflowExecutionFailed(ExternalWorkflowEventBase, DecisionEventBase):
    pass


class RequestCancelExternalWorkflowExecutionInitiated(ExternalWorkflowEventBase, DecisionEventBase):
    pass


class ScheduleActivityTaskFailed(ActivityEventBase, DecisionEventBase):
    pass


class ScheduleLambdaFunctionFailed(LambdaFunctionEventBase, DecisionEventBase):
    pass


class SignalExternalWorkflowExecutionFailed(ExternalWorkflowEventBase, DecisionEventBase):
    pass


class SignalExternalWorkflowExecutionInitiated(ExternalWorkflowEventBase, DecisionEventBase):
    pass


class StartChildWorkflowExecutionFailed(ChildWorkflowEventBase, DecisionEventBase):
    pass


class StartChildWorkflowExecutionInitiated(ChildWorkflowEventBase, DecisionEventBase):
    pass


class StartLambdaFunctionFailed(LambdaFunctionEventBase):
    pass


class StartTimerFailed(TimerEventBase, DecisionEventBase):
    pass


class TimerCanceled(TimerEventBase, DecisionEventBase):
    pass


class TimerFired(TimerEventBase):
    pass


class TimerStarted(TimerEventBase, DecisionEventBase):
    pass


class WorkflowExecutionCancelRequested(WorkflowEventBase):
    pass


class WorkflowExecutionCanceled(WorkflowEventBase, DecisionEventBase):
    pass


class WorkflowExecutionCompleted(WorkflowEventBase, DecisionEventBase):
    pass


class WorkflowExecutionContinuedAsNew(WorkflowEventBase, DecisionEventBase):
    pass


class WorkflowExecutionFailed(WorkflowEventBase, DecisionEventBase):
    pass


class WorkflowExecutionSignaled(WorkflowEventBase):
    pass


class WorkflowExecutionStarted(WorkflowEventBase):
    pass


class WorkflowExecutionTerminated(WorkflowEventBase):
    pass


class WorkflowExecutionTimedOut(WorkflowEventBase):
    pass


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
