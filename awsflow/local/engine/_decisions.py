"""RespondDecisionTaskCompleted and the 13 decisions (SWF-SEMANTICS §4, §5).

A batch is checked as a whole first (``_batch_checks``: a close decision not last, a missing
attributes member, a malformed duration): any such error is a ValidationException and nothing
is applied, the task token stays usable. After that no decision can fail the request: semantic
problems (unknown type, id in use, limits, missing defaults) become ``*Failed`` events carrying
SWF's cause.

Events are written in SWF's order: DecisionTaskCompleted, then each decision's event in list
order, then what the decisions set in motion elsewhere (children started, signals and cancel
requests delivered, unstarted activities canceled) — those are collected as ``deferred`` work so
that the decisions' own events stay contiguous, as replaying deciders expect (§10.7).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from ._batch_checks import attributes_member, validate_batch
from ._faults import UnknownResourceFault
from ._kernel import (
    OPEN_ACTIVITIES_LIMIT,
    OPEN_CHILDREN_LIMIT,
    OPEN_EXECUTIONS_LIMIT,
    OPEN_LAMBDAS_LIMIT,
    OPEN_TIMERS_LIMIT,
    Kernel,
    parse_duration,
)
from ._lifecycle import (
    finish_run,
    request_cancel,
    resolve_run_config,
    signal,
    start_run,
)
from ._state import (
    ActivityTask,
    Child,
    CloseStatus,
    Execution,
    Json,
    LambdaCall,
    RegistrationStatus,
    Timer,
)

_RUN_DEFAULT_CAUSES = {
    "taskList": "DEFAULT_TASK_LIST_UNDEFINED",
    "executionStartToCloseTimeout": "DEFAULT_EXECUTION_START_TO_CLOSE_TIMEOUT_UNDEFINED",
    "taskStartToCloseTimeout": "DEFAULT_TASK_START_TO_CLOSE_TIMEOUT_UNDEFINED",
    "childPolicy": "DEFAULT_CHILD_POLICY_UNDEFINED",
}
# Activity timeouts in the order SWF's cause enum lists them.
_ACTIVITY_DEFAULTS = (
    (
        "scheduleToCloseTimeout",
        "defaultTaskScheduleToCloseTimeout",
        "DEFAULT_SCHEDULE_TO_CLOSE_TIMEOUT_UNDEFINED",
    ),
    (
        "scheduleToStartTimeout",
        "defaultTaskScheduleToStartTimeout",
        "DEFAULT_SCHEDULE_TO_START_TIMEOUT_UNDEFINED",
    ),
    ("startToCloseTimeout", "defaultTaskStartToCloseTimeout", "DEFAULT_START_TO_CLOSE_TIMEOUT_UNDEFINED"),
    ("heartbeatTimeout", "defaultTaskHeartbeatTimeout", "DEFAULT_HEARTBEAT_TIMEOUT_UNDEFINED"),
)


class _Batch:
    """Applies one decision task's decisions to its run."""

    def __init__(
        self, k: Kernel, ex: Execution, completed_event_id: int, now: float, unhandled: bool
    ) -> None:
        self.k = k
        self.ex = ex
        self.completed = completed_event_id
        self.now = now
        self.unhandled = unhandled  # events arrived after DecisionTaskStarted: closing must fail
        self.deferred: list[Callable[[], None]] = []
        self.pending_children = 0

    def record(self, event_type: str, attrs: Json) -> int:
        return self.k.append(
            self.ex, event_type, {**attrs, "decisionTaskCompletedEventId": self.completed}, self.now
        )

    def fail(self, event_type: str, attrs: Json, cause: str) -> None:
        self.record(event_type, {**attrs, "cause": cause})
        self.k.trigger_decision(self.ex, self.now)

    # -- activities --------------------------------------------------------------------
    def schedule_activity_task(self, a: Json) -> None:
        k, ex = self.k, self.ex
        ref = {"activityType": a["activityType"], "activityId": a["activityId"]}
        type_key = (ex.domain, a["activityType"]["name"], a["activityType"]["version"])
        record = k.activity_types.get(type_key)
        failed = "ScheduleActivityTaskFailed"
        if record is None:
            return self.fail(failed, ref, "ACTIVITY_TYPE_DOES_NOT_EXIST")
        if record.status is RegistrationStatus.DEPRECATED:
            return self.fail(failed, ref, "ACTIVITY_TYPE_DEPRECATED")
        if a["activityId"] in ex.activities:
            return self.fail(failed, ref, "ACTIVITY_ID_ALREADY_IN_USE")
        if len(ex.activities) >= OPEN_ACTIVITIES_LIMIT:
            return self.fail(failed, ref, "OPEN_ACTIVITIES_LIMIT_EXCEEDED")
        d = record.defaults
        task_list = a.get("taskList", d.get("defaultTaskList"))
        if task_list is None:
            return self.fail(failed, ref, "DEFAULT_TASK_LIST_UNDEFINED")
        timeouts: dict[str, str] = {}
        for member, default, cause in _ACTIVITY_DEFAULTS:
            value = a.get(member, d.get(default))
            if value is None:
                return self.fail(failed, ref, cause)
            timeouts[member] = value
        priority = str(a.get("taskPriority", d.get("defaultTaskPriority", "0")))
        scheduled = self.record(
            "ActivityTaskScheduled",
            {
                "activityType": a["activityType"],
                "activityId": a["activityId"],
                "input": a.get("input"),
                "control": a.get("control"),
                **timeouts,
                "taskList": task_list,
                "taskPriority": priority,
            },
        )
        activity = ActivityTask(
            activity_id=a["activityId"],
            activity_type=a["activityType"],
            scheduled_event_id=scheduled,
            task_list=task_list["name"],
            priority=int(priority),
            input=a.get("input"),
            schedule_to_start=timeouts["scheduleToStartTimeout"],
            schedule_to_close=timeouts["scheduleToCloseTimeout"],
            start_to_close=timeouts["startToCloseTimeout"],
            heartbeat=timeouts["heartbeatTimeout"],
            scheduled_at=self.now,
        )
        ex.activities[activity.activity_id] = activity
        ex.latest_activity_scheduled_at = self.now
        k.mutating("queue_activity")
        k.activity_queue(ex.domain, activity.task_list).push(
            (ex.key, activity.activity_id, scheduled), activity.priority
        )
        k.woken.add(("activity", ex.domain, activity.task_list))
        for timeout in (activity.schedule_to_start, activity.schedule_to_close):
            seconds = parse_duration(timeout)
            if seconds is not None:
                k.add_deadline(self.now + seconds, "activity", ex.key, (activity.activity_id, scheduled))

    def request_cancel_activity_task(self, a: Json) -> None:
        activity = self.ex.activities.get(a["activityId"])
        if activity is None:
            return self.fail(
                "RequestCancelActivityTaskFailed", {"activityId": a["activityId"]}, "ACTIVITY_ID_UNKNOWN"
            )
        requested = self.record("ActivityTaskCancelRequested", {"activityId": a["activityId"]})
        activity.cancel_requested_event_id = requested
        if not activity.started_event_id:
            # Nobody holds the task yet, so SWF cancels it outright.
            self.deferred.append(lambda: self._cancel_unstarted(activity))

    def _cancel_unstarted(self, activity: ActivityTask) -> None:
        if activity.started_event_id or activity.activity_id not in self.ex.activities:
            return
        self.k.append(
            self.ex,
            "ActivityTaskCanceled",
            {
                "scheduledEventId": activity.scheduled_event_id,
                "startedEventId": 0,
                "latestCancelRequestedEventId": activity.cancel_requested_event_id,
            },
            self.now,
        )
        self.k.end_activity(self.ex, activity)
        self.k.trigger_decision(self.ex, self.now)

    # -- timers and markers ------------------------------------------------------------
    def start_timer(self, a: Json) -> None:
        ex = self.ex
        if a["timerId"] in ex.timers:
            return self.fail("StartTimerFailed", {"timerId": a["timerId"]}, "TIMER_ID_ALREADY_IN_USE")
        if len(ex.timers) >= OPEN_TIMERS_LIMIT:
            return self.fail("StartTimerFailed", {"timerId": a["timerId"]}, "OPEN_TIMERS_LIMIT_EXCEEDED")
        started = self.record(
            "TimerStarted",
            {
                "timerId": a["timerId"],
                "control": a.get("control"),
                "startToFireTimeout": a["startToFireTimeout"],
            },
        )
        fire_at = self.now + float(a["startToFireTimeout"])
        ex.timers[a["timerId"]] = Timer(a["timerId"], started, fire_at)
        self.k.add_deadline(fire_at, "timer", ex.key, (a["timerId"], started))

    def cancel_timer(self, a: Json) -> None:
        if a["timerId"] not in self.ex.timers:
            return self.fail("CancelTimerFailed", {"timerId": a["timerId"]}, "TIMER_ID_UNKNOWN")
        self.k.mutating("cancel_timer")
        timer = self.ex.timers.pop(a["timerId"])
        self.record("TimerCanceled", {"timerId": timer.timer_id, "startedEventId": timer.started_event_id})

    def record_marker(self, a: Json) -> None:
        self.record("MarkerRecorded", {"markerName": a["markerName"], "details": a.get("details")})

    # -- closing -----------------------------------------------------------------------
    def _close(self, decision_type: str, status: CloseStatus, event_type: str, attrs: Json) -> bool:
        if self.unhandled:
            self.fail(decision_type + "Failed", {}, "UNHANDLED_DECISION")
            return False
        finish_run(
            self.k,
            self.ex,
            status,
            event_type,
            {**attrs, "decisionTaskCompletedEventId": self.completed},
            self.now,
        )
        return True

    def complete_workflow_execution(self, a: Json) -> None:
        self._close(
            "CompleteWorkflowExecution",
            CloseStatus.COMPLETED,
            "WorkflowExecutionCompleted",
            {"result": a.get("result")},
        )

    def fail_workflow_execution(self, a: Json) -> None:
        self._close(
            "FailWorkflowExecution",
            CloseStatus.FAILED,
            "WorkflowExecutionFailed",
            {"reason": a.get("reason"), "details": a.get("details")},
        )

    def cancel_workflow_execution(self, a: Json) -> None:
        self._close(
            "CancelWorkflowExecution",
            CloseStatus.CANCELED,
            "WorkflowExecutionCanceled",
            {"details": a.get("details")},
        )

    def continue_as_new_workflow_execution(self, a: Json) -> None:
        k, ex = self.k, self.ex
        version = str(a.get("workflowTypeVersion", ex.workflow_type["version"]))
        record = k.workflow_types.get((ex.domain, ex.workflow_type["name"], version))
        failed = "ContinueAsNewWorkflowExecutionFailed"
        if self.unhandled:
            return self.fail(failed, {}, "UNHANDLED_DECISION")
        if record is None:
            return self.fail(failed, {}, "WORKFLOW_TYPE_DOES_NOT_EXIST")
        if record.status is RegistrationStatus.DEPRECATED:
            return self.fail(failed, {}, "WORKFLOW_TYPE_DEPRECATED")
        config, missing = resolve_run_config(record, a)
        if missing is not None:
            return self.fail(failed, {}, _RUN_DEFAULT_CAUSES[missing])
        new_run_id = k.new_run_id()
        tags = a.get("tagList", [])
        parent, parent_initiated = ex.parent, ex.parent_initiated_event_id
        finish_run(
            k,
            ex,
            CloseStatus.CONTINUED_AS_NEW,
            "WorkflowExecutionContinuedAsNew",
            {
                "input": a.get("input"),
                "decisionTaskCompletedEventId": self.completed,
                "newExecutionRunId": new_run_id,
                **{m: config[m] for m in ("executionStartToCloseTimeout", "taskList", "taskPriority")},
                "taskStartToCloseTimeout": config["taskStartToCloseTimeout"],
                "childPolicy": config["childPolicy"],
                "tagList": tags or None,
                "workflowType": record.ref(),
                "lambdaRole": config.get("lambdaRole"),
            },
            self.now,
        )
        start_run(
            k,
            ex.domain,
            ex.workflow_id,
            record,
            config,
            a.get("input"),
            tags,
            self.now,
            run_id=new_run_id,
            parent=parent,
            parent_initiated_event_id=parent_initiated,
            continued_from=ex.run_id,
        )

    # -- other executions --------------------------------------------------------------
    def start_child_workflow_execution(self, a: Json) -> None:
        k, ex = self.k, self.ex
        ref = {"workflowType": a["workflowType"], "workflowId": a["workflowId"], "control": a.get("control")}
        failed = "StartChildWorkflowExecutionFailed"
        record = k.workflow_types.get((ex.domain, a["workflowType"]["name"], a["workflowType"]["version"]))
        if record is None:
            return self.fail(failed, {**ref, "initiatedEventId": 0}, "WORKFLOW_TYPE_DOES_NOT_EXIST")
        if record.status is RegistrationStatus.DEPRECATED:
            return self.fail(failed, {**ref, "initiatedEventId": 0}, "WORKFLOW_TYPE_DEPRECATED")
        if len(ex.children) + self.pending_children >= OPEN_CHILDREN_LIMIT:
            return self.fail(failed, {**ref, "initiatedEventId": 0}, "OPEN_CHILDREN_LIMIT_EXCEEDED")
        if k.open_per_domain[ex.domain] + self.pending_children >= OPEN_EXECUTIONS_LIMIT:
            return self.fail(failed, {**ref, "initiatedEventId": 0}, "OPEN_WORKFLOWS_LIMIT_EXCEEDED")
        config, missing = resolve_run_config(record, a)
        if missing is not None:
            return self.fail(failed, {**ref, "initiatedEventId": 0}, _RUN_DEFAULT_CAUSES[missing])
        initiated = self.record(
            "StartChildWorkflowExecutionInitiated",
            {
                "workflowId": a["workflowId"],
                "workflowType": a["workflowType"],
                "control": a.get("control"),
                "input": a.get("input"),
                **config,
                "tagList": a.get("tagList"),
            },
        )
        self.pending_children += 1
        self.deferred.append(lambda: self._start_child(a, record, config, initiated, ref))

    def _start_child(self, a: Json, record: Any, config: Json, initiated: int, ref: Json) -> None:
        k, ex = self.k, self.ex
        self.pending_children -= 1
        if (ex.domain, a["workflowId"]) in k.open_runs:
            if ex.is_open:
                k.append(
                    ex,
                    "StartChildWorkflowExecutionFailed",
                    {
                        **ref,
                        "cause": "WORKFLOW_ALREADY_RUNNING",
                        "initiatedEventId": initiated,
                        "decisionTaskCompletedEventId": self.completed,
                    },
                    self.now,
                )
                k.trigger_decision(ex, self.now)
            return
        child = start_run(
            k,
            ex.domain,
            a["workflowId"],
            record,
            config,
            a.get("input"),
            a.get("tagList", []),
            self.now,
            parent=ex.ref(),
            parent_initiated_event_id=initiated,
        )
        if not ex.is_open:
            return  # the parent closed in this very batch: the child runs on, abandoned
        started = k.append(
            ex,
            "ChildWorkflowExecutionStarted",
            {
                "workflowExecution": child.ref(),
                "workflowType": child.workflow_type,
                "initiatedEventId": initiated,
            },
            self.now,
        )
        ex.children[a["workflowId"]] = Child(
            a["workflowId"], child.workflow_type, initiated, started, child.run_id
        )
        k.trigger_decision(ex, self.now)

    def signal_external_workflow_execution(self, a: Json) -> None:
        initiated = self.record(
            "SignalExternalWorkflowExecutionInitiated",
            {
                "workflowId": a["workflowId"],
                "runId": a.get("runId"),
                "signalName": a["signalName"],
                "input": a.get("input"),
                "control": a.get("control"),
            },
        )
        self.deferred.append(lambda: self._deliver_external(a, initiated, signal=True))

    def request_cancel_external_workflow_execution(self, a: Json) -> None:
        initiated = self.record(
            "RequestCancelExternalWorkflowExecutionInitiated",
            {"workflowId": a["workflowId"], "runId": a.get("runId"), "control": a.get("control")},
        )
        self.deferred.append(lambda: self._deliver_external(a, initiated, signal=False))

    def _deliver_external(self, a: Json, initiated: int, *, signal: bool) -> None:
        k, ex = self.k, self.ex
        try:
            target = k.open_execution(ex.domain, a["workflowId"], a.get("runId"))
        except UnknownResourceFault:
            target = None
        if target is not None:
            if signal:
                _signal(k, target, a["signalName"], a.get("input"), self.now, ex.ref(), initiated)
            else:
                request_cancel(k, target, self.now, external=ex.ref(), external_initiated_event_id=initiated)
        if not ex.is_open:
            return
        if target is None:
            event_type = (
                "SignalExternalWorkflowExecutionFailed"
                if signal
                else "RequestCancelExternalWorkflowExecutionFailed"
            )
            attrs = {
                "workflowId": a["workflowId"],
                "runId": a.get("runId"),
                "cause": "UNKNOWN_EXTERNAL_WORKFLOW_EXECUTION",
                "initiatedEventId": initiated,
                "decisionTaskCompletedEventId": self.completed,
                "control": a.get("control"),
            }
        else:
            event_type = (
                "ExternalWorkflowExecutionSignaled" if signal else "ExternalWorkflowExecutionCancelRequested"
            )
            attrs = {"workflowExecution": target.ref(), "initiatedEventId": initiated}
        k.append(ex, event_type, attrs, self.now)
        k.trigger_decision(ex, self.now)

    # -- Lambda ------------------------------------------------------------------------
    def schedule_lambda_function(self, a: Json) -> None:
        ex = self.ex
        ref = {"id": a["id"], "name": a["name"]}
        if a["id"] in ex.lambdas:
            return self.fail("ScheduleLambdaFunctionFailed", ref, "ID_ALREADY_IN_USE")
        if len(ex.lambdas) >= OPEN_LAMBDAS_LIMIT:
            return self.fail("ScheduleLambdaFunctionFailed", ref, "OPEN_LAMBDA_FUNCTIONS_LIMIT_EXCEEDED")
        timeout = a.get("startToCloseTimeout", "900")
        scheduled = self.record(
            "LambdaFunctionScheduled",
            {**ref, "control": a.get("control"), "input": a.get("input"), "startToCloseTimeout": timeout},
        )
        ex.lambdas[a["id"]] = LambdaCall(a["id"], a["name"], scheduled)
        self.deferred.append(lambda: _start_lambda(self.k, ex, a["id"], a.get("input"), timeout, self.now))


def _signal(
    k: Kernel, target: Execution, name: str, input: str | None, now: float, source: Json, initiated: int
) -> None:
    signal(k, target, name, input, now, external=source, external_initiated_event_id=initiated)


def _start_lambda(
    k: Kernel, ex: Execution, lambda_id: str, input: str | None, timeout: str, now: float
) -> None:
    call = ex.lambdas.get(lambda_id)
    if call is None or not ex.is_open:
        return
    if ex.lambda_role is None:
        k.append(
            ex,
            "StartLambdaFunctionFailed",
            {
                "scheduledEventId": call.scheduled_event_id,
                "cause": "ASSUME_ROLE_FAILED",
                "message": "The workflow execution has no lambdaRole to invoke Lambda functions with",
            },
            now,
        )
        del ex.lambdas[lambda_id]
        k.trigger_decision(ex, now)
        return
    call.started_event_id = k.append(
        ex, "LambdaFunctionStarted", {"scheduledEventId": call.scheduled_event_id}, now
    )
    k.add_deadline(now + float(timeout), "lambda", ex.key, (lambda_id, call.scheduled_event_id))
    k.lambda_invocations.append((ex.key, lambda_id, call.scheduled_event_id, call.name, input))


def respond_decision_task_completed(k: Kernel, req: Json, now: float) -> None:
    target, ex = k.token_target(req["taskToken"])
    task = ex.decision
    if target.ref is not None or task is None or task.token != req["taskToken"]:
        raise UnknownResourceFault("Unknown decision task token")
    decisions = req.get("decisions", [])
    validate_batch(decisions)
    sticky = req.get("taskList")
    completed = k.append(
        ex,
        "DecisionTaskCompleted",
        {
            "executionContext": req.get("executionContext"),
            "scheduledEventId": task.scheduled_event_id,
            "startedEventId": task.started_event_id,
            "taskList": sticky,
            "taskListScheduleToStartTimeout": req.get("taskListScheduleToStartTimeout"),
        },
        now,
    )
    k.mutating("decision_completed")
    ex.previous_started_event_id = task.started_event_id
    if "executionContext" in req:
        ex.latest_execution_context = req["executionContext"]
    if sticky is not None:
        # Answering with the run's own list is how a sticky decider gives its run back (§10.6).
        own = sticky["name"] == ex.task_list
        ex.sticky_task_list = None if own else sticky["name"]
        ex.sticky_schedule_to_start = None if own else req.get("taskListScheduleToStartTimeout")
    batch = _Batch(k, ex, completed, now, unhandled=ex.decision_owed)
    for decision in decisions:
        handler = getattr(batch, _snake(decision["decisionType"]))
        handler(decision.get(attributes_member(decision["decisionType"]), {}))
    for action in batch.deferred:
        action()
    if ex.is_open:
        owed = ex.decision_owed
        k.end_decision(ex)
        if owed:
            k.schedule_decision(ex, now)


@functools.lru_cache(maxsize=64)  # a dozen decision types; computed once each, not per decision
def _snake(name: str) -> str:
    return "".join("_" + c.lower() if c.isupper() else c for c in name).lstrip("_")


HANDLERS: dict[str, Any] = {"RespondDecisionTaskCompleted": respond_decision_task_completed}
