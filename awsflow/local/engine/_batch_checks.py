"""The checks a decision batch passes before any of it is applied (SWF-SEMANTICS §4.4).

A close decision that is not last, a missing attributes member, a malformed or out-of-range
duration or priority: each is a ValidationException for the whole batch, nothing is applied
and the task token stays usable. The HTTP front checks the syntax of durations and priorities
from botocore's model already; these checks are the engine's own, for callers that bypass HTTP,
plus the ranges the model does not carry.
"""

from __future__ import annotations

from ._faults import ValidationException
from ._lifecycle import check_duration, check_priority
from ._numbers import MAX_EXECUTION_SECONDS
from ._state import Json

CLOSE_DECISIONS = frozenset(
    {
        "CompleteWorkflowExecution",
        "FailWorkflowExecution",
        "CancelWorkflowExecution",
        "ContinueAsNewWorkflowExecution",
    }
)
# Decisions whose attributes member has required fields, so the member itself is required.
ATTRIBUTES_REQUIRED = frozenset(
    {
        "ScheduleActivityTask",
        "RequestCancelActivityTask",
        "RecordMarker",
        "StartTimer",
        "CancelTimer",
        "SignalExternalWorkflowExecution",
        "RequestCancelExternalWorkflowExecution",
        "StartChildWorkflowExecution",
        "ScheduleLambdaFunction",
    }
)
# Duration members per decision, and whether "NONE" is allowed for them.
DURATIONS: dict[str, tuple[tuple[str, bool], ...]] = {
    "ScheduleActivityTask": (
        ("scheduleToCloseTimeout", True),
        ("scheduleToStartTimeout", True),
        ("startToCloseTimeout", True),
        ("heartbeatTimeout", True),
    ),
    "StartTimer": (("startToFireTimeout", False),),
    # Unlike StartWorkflowExecution's, a child's or a new run's execution timeout may be NONE:
    # "You can use NONE to specify unlimited duration" (the model's documentation of both).
    "StartChildWorkflowExecution": (
        ("executionStartToCloseTimeout", True),
        ("taskStartToCloseTimeout", True),
    ),
    "ContinueAsNewWorkflowExecution": (
        ("executionStartToCloseTimeout", True),
        ("taskStartToCloseTimeout", True),
    ),
    "ScheduleLambdaFunction": (("startToCloseTimeout", False),),
}
# Ranges the API reference states: a run lasts at most a year; "[a Lambda function's
# startToCloseTimeout] can be any integer from 1-900 (1s-15m)".
DURATION_LIMITS: dict[tuple[str, str], tuple[int, int]] = {
    ("StartChildWorkflowExecution", "executionStartToCloseTimeout"): (0, MAX_EXECUTION_SECONDS),
    ("ContinueAsNewWorkflowExecution", "executionStartToCloseTimeout"): (0, MAX_EXECUTION_SECONDS),
    ("ScheduleLambdaFunction", "startToCloseTimeout"): (1, 900),
}


def attributes_member(decision_type: str) -> str:
    """The member holding a decision's attributes: ``startTimerDecisionAttributes``."""
    return decision_type[0].lower() + decision_type[1:] + "DecisionAttributes"


def validate_batch(decisions: list[Json]) -> None:
    """Raise ValidationException if any decision of the batch is malformed (nothing applied)."""
    for index, decision in enumerate(decisions, 1):
        kind = decision["decisionType"]
        member = attributes_member(kind)
        if kind in CLOSE_DECISIONS and index != len(decisions):
            raise ValidationException("Close must be last decision in list")
        attrs = decision.get(member)
        if attrs is None:
            if kind in ATTRIBUTES_REQUIRED:
                raise ValidationException(
                    f"1 validation error detected: Value null at 'decisions.{index}.member.{member}' "
                    "failed to satisfy constraint: Member must not be null"
                )
            continue
        for name, allow_none in DURATIONS.get(kind, ()):
            path = f"decisions.{index}.member.{member}.{name}"
            value = attrs.get(name)
            check_duration(value, path, allow_none=allow_none)
            limits = DURATION_LIMITS.get((kind, name))
            if (
                value not in (None, "NONE")
                and limits is not None
                and not limits[0] <= int(value) <= limits[1]
            ):
                raise ValidationException(
                    f"1 validation error detected: Value '{value}' at '{path}' failed to satisfy "
                    f"constraint: Member must be from {limits[0]} to {limits[1]} seconds"
                )
        check_priority(attrs.get("taskPriority"), f"decisions.{index}.member.{member}.taskPriority")
