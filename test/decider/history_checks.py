"""Reading a history back: which decisions each decision task recorded, and their keys."""

from __future__ import annotations

from typing import Any

from awsflow.decider._commands import ASYNC_FAILURES, RESULT_EVENTS, attributes_of


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
        keys.append((result[0], str(result[1](attributes))))
    return keys
