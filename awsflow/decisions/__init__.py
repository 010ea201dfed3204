"""Decisions as objects (botoflow's classes): each builds the wire dict SWF expects in ``.decision``.

The decider builds its decisions directly; these classes are for code that answers decision
tasks by hand (a custom decider, a test). ``DecisionList.to_swf()`` gives the list to pass to
``RespondDecisionTaskCompleted``. Options left as None are left out of the decision.
"""

from __future__ import annotations

from typing import Any

from .._swf import DECISIONS

__all__ = [
    "ActivityDecisionBase",
    "CancelTimer",
    "CancelWorkflowExecution",
    "CompleteWorkflowExecution",
    "ContinueAsNewWorkflowExecution",
    "DecisionBase",
    "DecisionList",
    "FailWorkflowExecution",
    "RecordMarker",
    "RecordMarkerDecisionBase",
    "RequestCancelActivityTask",
    "RequestCancelExternalWorkflowDecisionBase",
    "RequestCancelExternalWorkflowExecution",
    "ScheduleActivityTask",
    "ScheduleLambdaFunction",
    "SignalExternalWorkflowExecution",
    "SignalExternalWorkflowExecutionDecisionBase",
    "StartChildWorkflowExecution",
    "StartChildWorkflowExecutionDecisionBase",
    "StartTimer",
    "TimerDecisionBase",
    "WorkflowDecisionBase",
]


def _present(**members: Any) -> dict[str, Any]:
    return {name: value for name, value in members.items() if value is not None}


def _task_list(name: str | None) -> dict[str, str] | None:
    return None if name is None else {"name": name}


class DecisionBase:
    """A decision: ``decision`` is its wire dict, ``decision_id`` what identifies it."""

    decision_type = ""

    def __init__(self) -> None:
        self.decision_id: Any = None
        self.decision: dict[str, Any] = {}

    def _build(self, decision_id: Any, **attributes: Any) -> None:
        self.decision_id = decision_id
        member = DECISIONS[self.decision_type].attributes
        self.decision = {"decisionType": self.decision_type, member: _present(**attributes)}

    def __repr__(self) -> str:
        return f"<{type(self).__name__} id={self.decision_id!r} {self.decision}>"


# botoflow's intermediate bases, with its constructors (for code that subclassed them).
class ActivityDecisionBase(DecisionBase):
    def __init__(self, decision_id: str) -> None:
        super().__init__()
        self.decision_id = decision_id


class TimerDecisionBase(ActivityDecisionBase):
    pass


class RecordMarkerDecisionBase(ActivityDecisionBase):
    pass


class WorkflowDecisionBase(DecisionBase):
    pass


class RequestCancelExternalWorkflowDecisionBase(DecisionBase):
    def __init__(self, workflow_id: str, run_id: str | None) -> None:
        super().__init__()
        self.decision_id = (workflow_id, run_id)


class SignalExternalWorkflowExecutionDecisionBase(DecisionBase):
    def __init__(self, workflow_id: str, run_id: str | None, signal_name: str) -> None:
        super().__init__()
        self.decision_id = (workflow_id, run_id, signal_name)


class StartChildWorkflowExecutionDecisionBase(DecisionBase):
    def __init__(self, workflow_type_name: str, workflow_type_version: str, workflow_id: str) -> None:
        super().__init__()
        self.decision_id = (workflow_type_name, workflow_type_version, workflow_id)


class ScheduleActivityTask(ActivityDecisionBase):
    decision_type = "ScheduleActivityTask"

    def __init__(
        self,
        activity_id: str,
        activity_type_name: str,
        activity_type_version: str,
        task_list: str | None = None,
        control: str | None = None,
        heartbeat_timeout: str | None = None,
        schedule_to_close_timeout: str | None = None,
        schedule_to_start_timeout: str | None = None,
        start_to_close_timeout: str | None = None,
        input: str | None = None,
        task_priority: str | None = None,
    ) -> None:
        self._build(
            activity_id,
            activityId=activity_id,
            activityType={"name": activity_type_name, "version": activity_type_version},
            taskList=_task_list(task_list),
            control=control,
            heartbeatTimeout=heartbeat_timeout,
            scheduleToCloseTimeout=schedule_to_close_timeout,
            scheduleToStartTimeout=schedule_to_start_timeout,
            startToCloseTimeout=start_to_close_timeout,
            input=input,
            taskPriority=task_priority,
        )


class RequestCancelActivityTask(ActivityDecisionBase):
    decision_type = "RequestCancelActivityTask"

    def __init__(self, activity_id: str) -> None:
        self._build(activity_id, activityId=activity_id)


class RecordMarker(RecordMarkerDecisionBase):
    decision_type = "RecordMarker"

    def __init__(self, marker_name: str, details: str | None = None) -> None:
        self._build(marker_name, markerName=marker_name, details=details)


class CompleteWorkflowExecution(WorkflowDecisionBase):
    decision_type = "CompleteWorkflowExecution"

    def __init__(self, result: str | None = None) -> None:
        self._build(None, result=result)


class FailWorkflowExecution(WorkflowDecisionBase):
    decision_type = "FailWorkflowExecution"

    def __init__(self, reason: str | None = None, details: str | None = None) -> None:
        self._build(None, reason=reason, details=details)


class CancelWorkflowExecution(WorkflowDecisionBase):
    decision_type = "CancelWorkflowExecution"

    def __init__(self, details: str | None = None) -> None:
        self._build(None, details=details)


class ContinueAsNewWorkflowExecution(WorkflowDecisionBase):
    decision_type = "ContinueAsNewWorkflowExecution"

    def __init__(
        self,
        child_policy: str | None = None,
        execution_start_to_close_timeout: str | None = None,
        input: str | None = None,
        tag_list: list[str] | None = None,
        task_list: str | dict[str, str] | None = None,
        task_start_to_close_timeout: str | None = None,
        version: str | None = None,
    ) -> None:
        self._build(
            None,
            childPolicy=child_policy,
            executionStartToCloseTimeout=execution_start_to_close_timeout,
            input=input,
            tagList=tag_list,
            taskList=task_list if isinstance(task_list, dict) else _task_list(task_list),
            taskStartToCloseTimeout=task_start_to_close_timeout,
            workflowTypeVersion=version,
        )


class StartTimer(TimerDecisionBase):
    decision_type = "StartTimer"

    def __init__(self, timer_id: str, start_to_fire_timeout: str, control: str | None = None) -> None:
        self._build(timer_id, timerId=timer_id, startToFireTimeout=start_to_fire_timeout, control=control)


class CancelTimer(TimerDecisionBase):
    decision_type = "CancelTimer"

    def __init__(self, timer_id: str) -> None:
        self._build(timer_id, timerId=timer_id)


class SignalExternalWorkflowExecution(SignalExternalWorkflowExecutionDecisionBase):
    decision_type = "SignalExternalWorkflowExecution"

    def __init__(
        self,
        workflow_id: str,
        run_id: str | None,
        signal_name: str,
        control: str | None = None,
        input: str | None = None,
    ) -> None:
        self._build(
            (workflow_id, run_id, signal_name),
            workflowId=workflow_id,
            runId=run_id,
            signalName=signal_name,
            control=control,
            input=input,
        )


class RequestCancelExternalWorkflowExecution(RequestCancelExternalWorkflowDecisionBase):
    decision_type = "RequestCancelExternalWorkflowExecution"

    def __init__(self, workflow_id: str, run_id: str | None, control: str | None = None) -> None:
        self._build((workflow_id, run_id), workflowId=workflow_id, runId=run_id, control=control)


class StartChildWorkflowExecution(StartChildWorkflowExecutionDecisionBase):
    decision_type = "StartChildWorkflowExecution"

    def __init__(
        self,
        workflow_type: dict[str, str],
        workflow_id: str,
        child_policy: str | None = None,
        control: str | None = None,
        execution_start_to_close_timeout: str | None = None,
        input: str | None = None,
        tag_list: list[str] | None = None,
        task_list: str | dict[str, str] | None = None,
        task_start_to_close_timeout: str | None = None,
        task_priority: str | None = None,
    ) -> None:
        self._build(
            (workflow_type.get("name"), workflow_type.get("version"), workflow_id),
            workflowType=workflow_type,
            workflowId=workflow_id,
            childPolicy=child_policy,
            control=control,
            executionStartToCloseTimeout=execution_start_to_close_timeout,
            input=input,
            tagList=tag_list,
            taskList=task_list if isinstance(task_list, dict) else _task_list(task_list),
            taskStartToCloseTimeout=task_start_to_close_timeout,
            taskPriority=task_priority,
        )


class ScheduleLambdaFunction(DecisionBase):
    """(awsflow addition: botoflow predates SWF's Lambda tasks.)"""

    decision_type = "ScheduleLambdaFunction"

    def __init__(
        self,
        function_id: str,
        name: str,
        input: str | None = None,
        start_to_close_timeout: str | None = None,
        control: str | None = None,
    ) -> None:
        self._build(
            function_id,
            id=function_id,
            name=name,
            input=input,
            startToCloseTimeout=start_to_close_timeout,
            control=control,
        )


class DecisionList(list[DecisionBase]):
    """A list of decisions with botoflow's helpers."""

    def delete_decision(self, decision_type: type[DecisionBase], decision_id: Any) -> bool:
        """Remove the first decision of this type and id; False if there was none."""
        for decision in self:
            if isinstance(decision, decision_type) and decision.decision_id == decision_id:
                self.remove(decision)
                return True
        return False

    def has_decision_type(self, *decision_types: type[DecisionBase]) -> bool:
        return any(isinstance(decision, decision_types) for decision in self)

    def to_swf(self) -> list[dict[str, Any]]:
        """The wire dicts, for RespondDecisionTaskCompleted's ``decisions``."""
        return [decision.decision for decision in self]
