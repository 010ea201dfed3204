"""What ``describe()`` says about an execution: SWF's DescribeWorkflowExecution, plus what only
the history tells (the pending decision task, the activities out, a decision failing).

Pure: :func:`describe_execution` takes SWF's answer and the run's events and returns an
:class:`ExecutionDescription`. SWF's answer gives the status, type, times, configuration and
open counts; the history gives which activity tasks are scheduled or started (and since when),
whether a decision task is waiting or out, and whether the decision tasks keep failing
(:mod:`._failing` reads that).
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..workflow_execution import WorkflowExecution
from ._events import HistoryEvent, to_datetime
from ._failing import DecisionFailure, current_failure

__all__ = [
    "ExecutionDescription",
    "ExecutionStatus",
    "OpenCounts",
    "PendingActivity",
    "PendingDecision",
    "TaskState",
    "describe_execution",
]


class ExecutionStatus(str, enum.Enum):
    """An execution's status: OPEN, or how it closed (SWF's ``closeStatus`` values)."""

    OPEN = "OPEN"
    COMPLETED = "COMPLETED"
    FAILED = "FAILED"
    CANCELED = "CANCELED"
    TERMINATED = "TERMINATED"
    CONTINUED_AS_NEW = "CONTINUED_AS_NEW"
    TIMED_OUT = "TIMED_OUT"


class TaskState(str, enum.Enum):
    """Where a task is: waiting in its task list, or taken by a worker."""

    SCHEDULED = "SCHEDULED"
    STARTED = "STARTED"


@dataclass(frozen=True, slots=True)
class OpenCounts:
    """SWF's ``openCounts``: what the execution has open right now."""

    activity_tasks: int
    decision_tasks: int
    timers: int
    child_workflow_executions: int
    lambda_functions: int


@dataclass(frozen=True, slots=True)
class PendingDecision:
    """The decision task scheduled or out now."""

    state: TaskState
    scheduled_at: dt.datetime
    started_at: dt.datetime | None


@dataclass(frozen=True, slots=True)
class PendingActivity:
    """An activity task scheduled or running now."""

    activity_id: str
    activity_type: tuple[str, str]
    state: TaskState
    scheduled_at: dt.datetime
    started_at: dt.datetime | None
    worker_identity: str | None


@dataclass(frozen=True, slots=True)
class ExecutionDescription:
    """An execution as :meth:`WorkflowHandle.describe` sees it.

    Attributes:
        execution: its workflow id and run id.
        workflow_type: ``(name, version)``.
        status: OPEN or how it closed.
        started_at, closed_at: when it started and closed (None while open).
        cancel_requested: someone asked SWF to cancel it.
        parent: the parent execution of a child workflow.
        tags: its tag list.
        task_list: its decision task list.
        execution_start_to_close_timeout, task_start_to_close_timeout: seconds (SWF's strings).
        child_policy: what happens to its children if it is terminated.
        open_counts: SWF's open counts.
        latest_activity_task_at: when an activity task of it was last scheduled.
        latest_execution_context: the last ``workflow_state`` its decisions set.
        history_length: events in its history so far.
        pending_decision: the decision task scheduled or out now, if any.
        pending_activities: its activity tasks scheduled or running now.
        decision_failure: why its decisions keep failing (error, source line, since when,
            attempts), or None.
    """

    execution: WorkflowExecution
    workflow_type: tuple[str, str]
    status: ExecutionStatus
    started_at: dt.datetime
    closed_at: dt.datetime | None
    cancel_requested: bool
    parent: WorkflowExecution | None
    tags: tuple[str, ...]
    task_list: str | None
    execution_start_to_close_timeout: str | None
    task_start_to_close_timeout: str | None
    child_policy: str | None
    open_counts: OpenCounts
    latest_activity_task_at: dt.datetime | None
    latest_execution_context: str | None
    history_length: int
    pending_decision: PendingDecision | None
    pending_activities: tuple[PendingActivity, ...]
    decision_failure: DecisionFailure | None


def describe_execution(
    answer: Mapping[str, Any], wire_events: Sequence[Mapping[str, Any]]
) -> ExecutionDescription:
    """An ExecutionDescription from DescribeWorkflowExecution's ``answer`` and the run's history
    (wire events, as GetWorkflowExecutionHistory gives them)."""
    events = [HistoryEvent.from_wire(event) for event in wire_events]
    info = answer["executionInfo"]
    configuration = answer.get("executionConfiguration", {})
    counts = answer.get("openCounts", {})
    status = ExecutionStatus(info.get("closeStatus") or info["executionStatus"])
    parent = info.get("parent")
    latest_activity = answer.get("latestActivityTaskTimestamp")
    return ExecutionDescription(
        execution=WorkflowExecution(info["execution"]["workflowId"], info["execution"]["runId"]),
        workflow_type=(info["workflowType"]["name"], info["workflowType"]["version"]),
        status=status,
        started_at=to_datetime(info["startTimestamp"]),
        closed_at=to_datetime(info["closeTimestamp"]) if info.get("closeTimestamp") else None,
        cancel_requested=bool(info.get("cancelRequested")),
        parent=WorkflowExecution(parent["workflowId"], parent["runId"]) if parent else None,
        tags=tuple(info.get("tagList", ())),
        task_list=configuration.get("taskList", {}).get("name"),
        execution_start_to_close_timeout=configuration.get("executionStartToCloseTimeout"),
        task_start_to_close_timeout=configuration.get("taskStartToCloseTimeout"),
        child_policy=configuration.get("childPolicy"),
        open_counts=OpenCounts(
            activity_tasks=int(counts.get("openActivityTasks", 0)),
            decision_tasks=int(counts.get("openDecisionTasks", 0)),
            timers=int(counts.get("openTimers", 0)),
            child_workflow_executions=int(counts.get("openChildWorkflowExecutions", 0)),
            lambda_functions=int(counts.get("openLambdaFunctions", 0)),
        ),
        latest_activity_task_at=to_datetime(latest_activity) if latest_activity else None,
        latest_execution_context=answer.get("latestExecutionContext"),
        history_length=len(events),
        pending_decision=pending_decision(events) if status is ExecutionStatus.OPEN else None,
        pending_activities=pending_activities(events) if status is ExecutionStatus.OPEN else (),
        decision_failure=current_failure(wire_events) if status is ExecutionStatus.OPEN else None,
    )


def pending_decision(events: Sequence[HistoryEvent]) -> PendingDecision | None:
    """The decision task scheduled (or started) and not yet closed, if any."""
    scheduled: HistoryEvent | None = None
    started: HistoryEvent | None = None
    for event in events:
        if event.event_type == "DecisionTaskScheduled":
            scheduled, started = event, None
        elif event.event_type == "DecisionTaskStarted":
            started = event
        elif event.event_type in ("DecisionTaskCompleted", "DecisionTaskTimedOut"):
            scheduled = started = None  # after a time-out SWF schedules a new task
    if scheduled is None:
        return None
    return PendingDecision(
        TaskState.STARTED if started else TaskState.SCHEDULED,
        scheduled.timestamp,
        started.timestamp if started else None,
    )


_ACTIVITY_CLOSED = frozenset(
    {"ActivityTaskCompleted", "ActivityTaskFailed", "ActivityTaskTimedOut", "ActivityTaskCanceled"}
)


def pending_activities(events: Sequence[HistoryEvent]) -> tuple[PendingActivity, ...]:
    """The activity tasks scheduled and not yet closed, in the order they were scheduled."""
    scheduled: dict[int, HistoryEvent] = {}
    started: dict[int, HistoryEvent] = {}
    for event in events:
        if event.event_type == "ActivityTaskScheduled":
            scheduled[event.event_id] = event
        elif event.event_type == "ActivityTaskStarted":
            started[int(event.attributes["scheduledEventId"])] = event
        elif event.event_type in _ACTIVITY_CLOSED:
            scheduled.pop(int(event.attributes["scheduledEventId"]), None)
    pending = []
    for event_id, event in scheduled.items():
        start = started.get(event_id)
        activity_type = event.attributes.get("activityType", {})
        pending.append(
            PendingActivity(
                activity_id=str(event.attributes.get("activityId")),
                activity_type=(str(activity_type.get("name")), str(activity_type.get("version"))),
                state=TaskState.STARTED if start else TaskState.SCHEDULED,
                scheduled_at=event.timestamp,
                started_at=start.timestamp if start else None,
                worker_identity=start.attributes.get("identity") if start else None,
            )
        )
    return tuple(pending)
