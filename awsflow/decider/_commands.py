"""Commands: the decisions workflow code makes, and how history events confirm them.

Every decision the code makes becomes a :class:`Command` with a *key* — the decision type and
the id SWF echoes back (activity id, timer id, child workflow id, ...). When a decision task
completes, SWF records one event per decision, in order, each naming that id
(``ActivityTaskScheduled`` for ``ScheduleActivityTask``, ``StartTimerFailed`` for a refused
``StartTimer`` ...). Replay checks the recorded events against the commands the code makes
again: same keys in the same order, or the code is no longer the code that wrote the history.
"""

from __future__ import annotations

import os
import sys
from typing import Any

from ..exceptions import PayloadTooLargeError

# SWF's size limits (characters) for the fields workflow code fills (SWF-SEMANTICS §9.1).
PAYLOAD_LIMIT = 32_768
REASON_LIMIT = 256

PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class Command:
    """One decision made by workflow code, with where in the code it was made.

    The wire dict may be built late (:meth:`build`): a replayed decision is only compared with
    the event that recorded it, so encoding its input would be wasted work on the hot path.
    Subclasses (the activity call) override :meth:`build` and :meth:`confirmed`.
    """

    __slots__ = ("_origin", "decision", "detail", "generated_id", "is_close", "key", "on_confirm")

    def __init__(
        self,
        key: tuple[str, str],
        decision: dict[str, Any] | None,
        detail: tuple[str, ...] = (),
        origin: Any = "",
        *,
        is_close: bool = False,
        on_confirm: Any = None,
        generated_id: bool = False,
    ) -> None:
        self.key = key
        self.decision = decision
        self.detail = detail
        self._origin = origin  # (code, line) of the call, or already a string
        self.is_close = is_close
        self.on_confirm = on_confirm
        self.generated_id = generated_id  # an id awsflow made up: another SDK's history may differ

    def build(self) -> dict[str, Any]:
        raise NotImplementedError("a command made without its decision must build it")

    def materialize(self) -> dict[str, Any]:
        """The decision's wire dict (built now if it was deferred)."""
        if self.decision is None:
            self.decision = self.build()
        return self.decision

    def confirmed(self, event: dict[str, Any], attributes: dict[str, Any]) -> None:
        """The history recorded this decision (``event``)."""
        if self.on_confirm is not None:
            self.on_confirm(event, attributes)

    @property
    def where(self) -> str:
        """``file:line`` of the workflow code that made the decision."""
        origin = self._origin
        if isinstance(origin, tuple):
            code, line = origin
            return f"{code.co_filename}:{line}"
        return str(origin)

    def describe(self) -> str:
        what = f"{self.key[0]} {' '.join(self.detail)}".strip()
        return f"{what} (id {self.key[1]!r})" if self.key[1] else what


def caller_origin(depth: int = 1) -> Any:
    """(code, line) of the innermost frame outside awsflow: the workflow code making a call.

    ``depth`` skips frames known to be awsflow's (a cheap start for the walk). The string is
    made only if a divergence needs it.
    """
    frame = sys._getframe(depth)
    while frame is not None and frame.f_code.co_filename.startswith(PACKAGE_DIR):
        frame = frame.f_back  # type: ignore[assignment]
    if frame is None:
        return "<unknown>"
    return (frame.f_code, frame.f_lineno)


def check_size(field_name: str, value: str | None, limit: int = PAYLOAD_LIMIT) -> None:
    """Raise PayloadTooLargeError before SWF would refuse the decision."""
    if value is not None and len(value) > limit:
        raise PayloadTooLargeError(field_name, len(value), limit)


def _id_of(member: str) -> Any:
    return lambda attributes: attributes.get(member, "")


def _type_detail(member: str) -> Any:
    def detail(attributes: dict[str, Any]) -> tuple[str, ...]:
        named = attributes.get(member) or {}
        return (str(named.get("name", "")), str(named.get("version", "")))

    return detail


def _no_detail(attributes: dict[str, Any]) -> tuple[str, ...]:
    return ()


# Result event type -> (decision type, how to read the id, how to read the detail).
RESULT_EVENTS: dict[str, tuple[str, Any, Any]] = {
    "ActivityTaskScheduled": ("ScheduleActivityTask", _id_of("activityId"), _type_detail("activityType")),
    "ScheduleActivityTaskFailed": (
        "ScheduleActivityTask",
        _id_of("activityId"),
        _type_detail("activityType"),
    ),
    "ActivityTaskCancelRequested": ("RequestCancelActivityTask", _id_of("activityId"), _no_detail),
    "RequestCancelActivityTaskFailed": ("RequestCancelActivityTask", _id_of("activityId"), _no_detail),
    "TimerStarted": ("StartTimer", _id_of("timerId"), _no_detail),
    "StartTimerFailed": ("StartTimer", _id_of("timerId"), _no_detail),
    "TimerCanceled": ("CancelTimer", _id_of("timerId"), _no_detail),
    "CancelTimerFailed": ("CancelTimer", _id_of("timerId"), _no_detail),
    "MarkerRecorded": ("RecordMarker", _id_of("markerName"), _no_detail),
    "RecordMarkerFailed": ("RecordMarker", _id_of("markerName"), _no_detail),
    "StartChildWorkflowExecutionInitiated": (
        "StartChildWorkflowExecution",
        _id_of("workflowId"),
        _type_detail("workflowType"),
    ),
    "StartChildWorkflowExecutionFailed": (
        "StartChildWorkflowExecution",
        _id_of("workflowId"),
        _type_detail("workflowType"),
    ),
    "SignalExternalWorkflowExecutionInitiated": (
        "SignalExternalWorkflowExecution",
        _id_of("control"),
        _no_detail,
    ),
    "SignalExternalWorkflowExecutionFailed": (
        "SignalExternalWorkflowExecution",
        _id_of("control"),
        _no_detail,
    ),
    # Keyed by workflow id, not control: botoflow sent these without a control.
    "RequestCancelExternalWorkflowExecutionInitiated": (
        "RequestCancelExternalWorkflowExecution",
        _id_of("workflowId"),
        _no_detail,
    ),
    "RequestCancelExternalWorkflowExecutionFailed": (
        "RequestCancelExternalWorkflowExecution",
        _id_of("workflowId"),
        _no_detail,
    ),
    "WorkflowExecutionCompleted": ("CompleteWorkflowExecution", lambda a: "", _no_detail),
    "CompleteWorkflowExecutionFailed": ("CompleteWorkflowExecution", lambda a: "", _no_detail),
    "WorkflowExecutionFailed": ("FailWorkflowExecution", lambda a: "", _no_detail),
    "FailWorkflowExecutionFailed": ("FailWorkflowExecution", lambda a: "", _no_detail),
    "WorkflowExecutionCanceled": ("CancelWorkflowExecution", lambda a: "", _no_detail),
    "CancelWorkflowExecutionFailed": ("CancelWorkflowExecution", lambda a: "", _no_detail),
    "WorkflowExecutionContinuedAsNew": ("ContinueAsNewWorkflowExecution", lambda a: "", _no_detail),
    "ContinueAsNewWorkflowExecutionFailed": ("ContinueAsNewWorkflowExecution", lambda a: "", _no_detail),
    "LambdaFunctionScheduled": ("ScheduleLambdaFunction", _id_of("id"), _no_detail),
    "ScheduleLambdaFunctionFailed": ("ScheduleLambdaFunction", _id_of("id"), _no_detail),
}

# Failures that may also arrive later, asynchronously; only those with initiatedEventId 0 answer
# a decision of the task that just completed.
ASYNC_FAILURES = frozenset(
    {
        "StartChildWorkflowExecutionFailed",
        "SignalExternalWorkflowExecutionFailed",
        "RequestCancelExternalWorkflowExecutionFailed",
    }
)


_ATTRIBUTE_KEYS: dict[str, str] = {}


def attribute_key(event_type: str) -> str:
    """``ActivityTaskScheduled`` -> ``activityTaskScheduledEventAttributes`` (cached)."""
    key = _ATTRIBUTE_KEYS.get(event_type)
    if key is None:
        key = _ATTRIBUTE_KEYS[event_type] = event_type[0].lower() + event_type[1:] + "EventAttributes"
    return key


def attributes_of(event: dict[str, Any]) -> dict[str, Any]:
    """The ``<eventType>EventAttributes`` member of a wire event ({} if absent)."""
    attributes: dict[str, Any] = event.get(attribute_key(event["eventType"])) or {}
    return attributes
