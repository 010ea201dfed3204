"""Reading a history back: which decisions each decision task recorded, and their keys."""

from __future__ import annotations

from typing import Any

from awsflow._swf import EVENTS, attributes_of

# Events that record a decision, and which; those that may also come late (see awsflow._swf).
RESULT_EVENTS = {name: spec for name, spec in EVENTS.items() if spec.records is not None}
ASYNC_FAILURES = frozenset(name for name, spec in EVENTS.items() if spec.late)


def decision_keys(decisions: list[dict[str, Any]]) -> list[tuple[str, str]]:
    keys = []
    for decision in decisions:
        kind = decision["decisionType"]
        attributes = decision[kind[0].lower() + kind[1:] + "DecisionAttributes"]
        member = {
            "ScheduleActivityTask": "activityId",
            "StartTimer": "timerId",
            "CancelTimer": "timerId",
            "RequestCancelActivityTask": "activityId",
            "StartChildWorkflowExecution": "workflowId",
            "RequestCancelExternalWorkflowExecution": "workflowId",
            "SignalExternalWorkflowExecution": "control",
        }.get(kind)
        keys.append((kind, str(attributes.get(member, "")) if member else ""))
    return keys


def recorded_keys(history: list[dict[str, Any]], started_id: int) -> list[tuple[str, str]] | None:
    """The decisions the history recorded for the decision task started at ``started_id``."""
    completed = next(
        (
            e
            for e in history
            if e["eventType"] == "DecisionTaskCompleted" and attributes_of(e)["startedEventId"] == started_id
        ),
        None,
    )
    if completed is None:
        return None  # that task timed out: nothing was recorded
    keys = []
    for event in history:
        attributes = attributes_of(event)
        if attributes.get("decisionTaskCompletedEventId") != completed["eventId"]:
            continue
        result = RESULT_EVENTS.get(event["eventType"])
        if result is None or (event["eventType"] in ASYNC_FAILURES and attributes.get("initiatedEventId")):
            continue
        keys.append((result.records, str(attributes.get(result.id_member, "")) if result.id_member else ""))
    return keys


# What each decision carries besides its key, and where the history recorded it: enough to say a
# replay makes "the same decisions", not only decisions with the same ids.
_DECISION_ESSENTIALS: dict[str, tuple[str, ...]] = {
    "ScheduleActivityTask": ("activityType", "input"),
    "StartTimer": ("startToFireTimeout",),
    "StartChildWorkflowExecution": ("workflowType", "input"),
    "CompleteWorkflowExecution": ("result",),
    "CancelWorkflowExecution": ("details",),
}
_RECORDED_AS = {
    "ActivityTaskScheduled": "ScheduleActivityTask",
    "TimerStarted": "StartTimer",
    "StartChildWorkflowExecutionInitiated": "StartChildWorkflowExecution",
    "WorkflowExecutionCompleted": "CompleteWorkflowExecution",
    "WorkflowExecutionCanceled": "CancelWorkflowExecution",
}


def decision_essentials(decisions: list[dict[str, Any]]) -> list[tuple[str, str, tuple[Any, ...]]]:
    """Each decision's key and its essential attributes (``""`` where an optional one is absent)."""
    essentials = []
    for (kind, key), decision in zip(decision_keys(decisions), decisions, strict=True):
        attributes = decision[kind[0].lower() + kind[1:] + "DecisionAttributes"]
        members = _DECISION_ESSENTIALS.get(kind, ())
        essentials.append((kind, key, tuple(attributes.get(m, "") for m in members)))
    return essentials


def recorded_essentials(
    history: list[dict[str, Any]], started_id: int
) -> list[tuple[str, str, tuple[Any, ...]]]:
    """The same, as the history recorded the decisions of the task started at ``started_id``."""
    keys = recorded_keys(history, started_id) or []
    completed = next(
        e["eventId"]
        for e in history
        if e["eventType"] == "DecisionTaskCompleted" and attributes_of(e)["startedEventId"] == started_id
    )
    recorded = [
        e
        for e in history
        if attributes_of(e).get("decisionTaskCompletedEventId") == completed
        and not (e["eventType"] in ASYNC_FAILURES and attributes_of(e).get("initiatedEventId"))
        and e["eventType"] in RESULT_EVENTS
    ]
    essentials = []
    for (kind, key), event in zip(keys, recorded, strict=True):
        members = _DECISION_ESSENTIALS.get(kind, ()) if _RECORDED_AS.get(event["eventType"]) == kind else ()
        attributes = attributes_of(event)
        essentials.append((kind, key, tuple(attributes.get(m, "") for m in members)))
    return essentials
