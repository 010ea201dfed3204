"""How runs start and close: the API calls and the shared paths decisions reuse.

A run starts three ways (StartWorkflowExecution, a parent's StartChildWorkflowExecution, a
ContinueAsNewWorkflowExecution decision) and closes six ways; all of them pass through
:func:`start_run` and :func:`finish_run`, so the parent link, the child policy and the
open-run index are handled in exactly one place (SWF-SEMANTICS §8.1, §8.3).
"""

from __future__ import annotations

from typing import Any

from ._faults import (
    DefaultUndefinedFault,
    LimitExceededFault,
    TypeDeprecatedFault,
    ValidationException,
    WorkflowExecutionAlreadyStartedFault,
)
from ._kernel import OPEN_EXECUTIONS_LIMIT, Kernel, parse_duration
from ._registry import WORKFLOW_TYPES, registered_domain
from ._state import CloseStatus, Execution, Json, RegistrationStatus, TypeRecord

MAX_EXECUTION_SECONDS = 365 * 86_400

# The close event each status appends in the parent, and which attributes it copies.
_CHILD_CLOSE_EVENTS = {
    CloseStatus.COMPLETED: ("ChildWorkflowExecutionCompleted", ("result",)),
    CloseStatus.FAILED: ("ChildWorkflowExecutionFailed", ("reason", "details")),
    CloseStatus.CANCELED: ("ChildWorkflowExecutionCanceled", ("details",)),
    CloseStatus.TERMINATED: ("ChildWorkflowExecutionTerminated", ()),
    CloseStatus.TIMED_OUT: ("ChildWorkflowExecutionTimedOut", ("timeoutType",)),
}


def resolve_run_config(record: TypeRecord, req: Json) -> tuple[Json, str | None]:
    """Resolve a run's configuration: the request's values first, then the type's defaults.

    Returns the configuration and the name of the first member neither supplies (None when
    complete). The name is one of ``taskList``, ``executionStartToCloseTimeout``,
    ``taskStartToCloseTimeout``, ``childPolicy`` — the caller turns it into
    DefaultUndefinedFault or a ``DEFAULT_*_UNDEFINED`` cause.
    """
    d = record.defaults
    config: Json = {
        "taskList": req.get("taskList", d.get("defaultTaskList")),
        "executionStartToCloseTimeout": req.get(
            "executionStartToCloseTimeout", d.get("defaultExecutionStartToCloseTimeout")
        ),
        "taskStartToCloseTimeout": req.get(
            "taskStartToCloseTimeout", d.get("defaultTaskStartToCloseTimeout")
        ),
        "childPolicy": req.get("childPolicy", d.get("defaultChildPolicy")),
        "taskPriority": req.get("taskPriority", d.get("defaultTaskPriority", "0")),
        "lambdaRole": req.get("lambdaRole", d.get("defaultLambdaRole")),
    }
    for member in ("taskList", "executionStartToCloseTimeout", "taskStartToCloseTimeout", "childPolicy"):
        if config[member] is None:
            return config, member
    return config, None


def check_timeouts(config: Json) -> None:
    """Reject durations SWF refuses: non-numbers, NONE or over a year for the run's timeout."""
    for member in ("executionStartToCloseTimeout", "taskStartToCloseTimeout"):
        check_duration(config[member], member, allow_none=member == "taskStartToCloseTimeout")
    if float(config["executionStartToCloseTimeout"]) > MAX_EXECUTION_SECONDS:
        raise ValidationException(
            f"executionStartToCloseTimeout {config['executionStartToCloseTimeout']} exceeds the "
            f"maximum of {MAX_EXECUTION_SECONDS} seconds (one year)"
        )
    check_priority(config.get("taskPriority"))


def check_duration(value: str | None, member: str, *, allow_none: bool = True) -> None:
    if value is None or (allow_none and value == "NONE"):
        return
    if not value.isdigit():
        allowed = "a whole number of seconds" + (" or NONE" if allow_none else "")
        raise ValidationException(f"Invalid duration '{value}' for {member}: must be {allowed}")


def check_priority(value: str | None) -> None:
    if value is None:
        return
    try:
        number = int(value)
    except ValueError:
        number = None
    if number is None or not -(2**31) <= number < 2**31:
        raise ValidationException(f"Invalid taskPriority '{value}': must be an integer in the Java int range")


def start_workflow_execution(k: Kernel, req: Json, now: float) -> Json:
    domain = registered_domain(k, req["domain"]).name
    record = WORKFLOW_TYPES.lookup(k, domain, req["workflowType"])
    if record.status is RegistrationStatus.DEPRECATED:
        raise TypeDeprecatedFault(WORKFLOW_TYPES.describe_name(record.name, record.version))
    if (domain, req["workflowId"]) in k.open_runs:
        raise WorkflowExecutionAlreadyStartedFault(
            f"Workflow execution already started: workflowId={req['workflowId']}"
        )
    config, missing = resolve_run_config(record, req)
    if missing is not None:
        raise DefaultUndefinedFault(f"{missing} was not specified and the workflow type has no default")
    check_timeouts(config)
    if k.open_per_domain[domain] >= OPEN_EXECUTIONS_LIMIT:
        raise LimitExceededFault(f"Open executions limit of {OPEN_EXECUTIONS_LIMIT} reached in {domain}")
    ex = start_run(
        k, domain, req["workflowId"], record, config, req.get("input"), req.get("tagList", []), now
    )
    return {"runId": ex.run_id}


def start_run(
    k: Kernel,
    domain: str,
    workflow_id: str,
    record: TypeRecord,
    config: Json,
    input: str | None,
    tags: list[str],
    now: float,
    *,
    run_id: str | None = None,
    parent: Json | None = None,
    parent_initiated_event_id: int = 0,
    continued_from: str | None = None,
) -> Execution:
    """Create a run, record WorkflowExecutionStarted and its first decision task.

    ``parent`` is the parent run's ``{workflowId, runId}``; a continued run passes its
    predecessor's, so the parent hears of the last run's outcome.
    """
    ex = Execution(
        domain=domain,
        workflow_id=workflow_id,
        run_id=run_id or k.new_run_id(),
        workflow_type=record.ref(),
        start_timestamp=now,
        task_list=config["taskList"]["name"],
        task_priority=int(config["taskPriority"]),
        execution_start_to_close=config["executionStartToCloseTimeout"],
        task_start_to_close=config["taskStartToCloseTimeout"],
        child_policy=config["childPolicy"],
        lambda_role=config.get("lambdaRole"),
        tags=list(tags),
        parent=parent,
        parent_initiated_event_id=parent_initiated_event_id,
    )
    k.mutating("start_run")
    k.executions[ex.key] = ex
    k.open_runs[(domain, workflow_id)] = ex.run_id
    k.open_per_domain[domain] += 1
    k.append(
        ex,
        "WorkflowExecutionStarted",
        {
            "input": input,
            "executionStartToCloseTimeout": ex.execution_start_to_close,
            "taskStartToCloseTimeout": ex.task_start_to_close,
            "childPolicy": ex.child_policy,
            "taskList": {"name": ex.task_list},
            "taskPriority": str(ex.task_priority),
            "workflowType": ex.workflow_type,
            "tagList": ex.tags or None,
            "continuedExecutionRunId": continued_from,
            "parentWorkflowExecution": ex.parent,
            "parentInitiatedEventId": parent_initiated_event_id,
            "lambdaRole": ex.lambda_role,
        },
        now,
    )
    k.schedule_decision(ex, now)
    timeout = parse_duration(ex.execution_start_to_close)
    if timeout is not None:
        k.add_deadline(now + timeout, "workflow_start_to_close", ex.key)
    return ex


def finish_run(
    k: Kernel, ex: Execution, status: CloseStatus, event_type: str, attrs: Json, now: float
) -> int:
    """Append the close event, close the run, tell the parent, apply the child policy."""
    event_id = k.append(ex, event_type, attrs, now)
    k.close(ex, status, now)
    if status in (CloseStatus.TERMINATED, CloseStatus.TIMED_OUT):
        apply_child_policy(k, ex, attrs["childPolicy"], now)
    if status is not CloseStatus.CONTINUED_AS_NEW:
        _notify_parent(k, ex, status, attrs, now)
    return event_id


def _notify_parent(k: Kernel, ex: Execution, status: CloseStatus, attrs: Json, now: float) -> None:
    if ex.parent is None:
        return
    parent = k.executions.get((ex.domain, ex.parent["workflowId"], ex.parent["runId"]))
    if parent is None or not parent.is_open:
        return
    if ex.workflow_id not in parent.children:
        return
    k.mutating("child_closed")
    child = parent.children.pop(ex.workflow_id)
    event_type, copied = _CHILD_CLOSE_EVENTS[status]
    k.append(
        parent,
        event_type,
        {
            "workflowExecution": ex.ref(),
            "workflowType": ex.workflow_type,
            **{name: attrs.get(name) for name in copied},
            "initiatedEventId": child.initiated_event_id,
            "startedEventId": child.started_event_id,
        },
        now,
    )
    k.trigger_decision(parent, now)


def apply_child_policy(k: Kernel, ex: Execution, policy: str, now: float) -> None:
    """What happens to a terminated or timed-out run's open children (SWF-SEMANTICS §8.1)."""
    for child in list(ex.children.values()):
        run_id = k.open_runs.get((ex.domain, child.workflow_id))
        if run_id is None:
            continue
        target = k.executions[(ex.domain, child.workflow_id, run_id)]
        if policy == "TERMINATE":
            terminate_run(k, target, None, None, target.child_policy, now, cause="CHILD_POLICY_APPLIED")
        elif policy == "REQUEST_CANCEL":
            request_cancel(k, target, now, cause="CHILD_POLICY_APPLIED")
    if ex.children:
        k.mutating("children_abandoned")
        ex.children.clear()


def terminate_run(
    k: Kernel,
    ex: Execution,
    reason: str | None,
    details: str | None,
    child_policy: str,
    now: float,
    *,
    cause: str | None = None,
) -> None:
    finish_run(
        k,
        ex,
        CloseStatus.TERMINATED,
        "WorkflowExecutionTerminated",
        {"reason": reason, "details": details, "childPolicy": child_policy, "cause": cause},
        now,
    )


def request_cancel(
    k: Kernel,
    ex: Execution,
    now: float,
    *,
    cause: str | None = None,
    external: Json | None = None,
    external_initiated_event_id: int | None = None,
) -> None:
    k.append(
        ex,
        "WorkflowExecutionCancelRequested",
        {
            "externalWorkflowExecution": external,
            "externalInitiatedEventId": external_initiated_event_id,
            "cause": cause,
        },
        now,
    )
    k.mutating("cancel_requested")
    ex.cancel_requested = True
    k.trigger_decision(ex, now)


def signal(
    k: Kernel,
    ex: Execution,
    name: str,
    input: str | None,
    now: float,
    *,
    external: Json | None = None,
    external_initiated_event_id: int | None = None,
) -> None:
    k.append(
        ex,
        "WorkflowExecutionSignaled",
        {
            "signalName": name,
            "input": input,
            "externalWorkflowExecution": external,
            "externalInitiatedEventId": external_initiated_event_id,
        },
        now,
    )
    k.trigger_decision(ex, now)


def signal_workflow_execution(k: Kernel, req: Json, now: float) -> None:
    ex = k.open_execution(req["domain"], req["workflowId"], req.get("runId"))
    signal(k, ex, req["signalName"], req.get("input"), now)


def request_cancel_workflow_execution(k: Kernel, req: Json, now: float) -> None:
    ex = k.open_execution(req["domain"], req["workflowId"], req.get("runId"))
    request_cancel(k, ex, now)


def terminate_workflow_execution(k: Kernel, req: Json, now: float) -> None:
    ex = k.open_execution(req["domain"], req["workflowId"], req.get("runId"))
    policy = req.get("childPolicy", ex.child_policy)
    terminate_run(k, ex, req.get("reason"), req.get("details"), policy, now)


def enforce_history_cap(k: Kernel, ex: Execution, limit: int, now: float) -> None:
    """SWF terminates a run whose history reaches the hard cap (SWF-SEMANTICS §9.1)."""
    if ex.is_open and len(ex.events) >= limit:
        terminate_run(k, ex, None, None, ex.child_policy, now, cause="EVENT_LIMIT_EXCEEDED")


HANDLERS: dict[str, Any] = {
    "StartWorkflowExecution": start_workflow_execution,
    "SignalWorkflowExecution": signal_workflow_execution,
    "RequestCancelWorkflowExecution": request_cancel_workflow_execution,
    "TerminateWorkflowExecution": terminate_workflow_execution,
}
