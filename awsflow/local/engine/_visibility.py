"""Read-only views of executions: describe, history, list and count (SWF-SEMANTICS §2.5, §9.5).

Filters follow the API reference: ``executionFilter``, ``typeFilter``, ``tagFilter`` and (closed
only) ``closeStatusFilter`` are mutually exclusive, and ListClosed/CountClosed take exactly one
of ``startTimeFilter`` and ``closeTimeFilter``. AWS answers visibility eventually consistently;
here it is exact, which no correct client can tell apart.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ._faults import ValidationException
from ._kernel import Kernel, drop_none
from ._paging import paginate
from ._state import Execution, Json

_OPEN_FILTERS = ("executionFilter", "typeFilter", "tagFilter")
_CLOSED_FILTERS = (*_OPEN_FILTERS, "closeStatusFilter")


def describe_workflow_execution(k: Kernel, req: Json, now: float) -> Json:
    ex = k.execution(req["domain"], req["execution"]["workflowId"], req["execution"]["runId"])
    return drop_none(
        {
            "executionInfo": execution_info(ex),
            "executionConfiguration": drop_none(
                {
                    "taskStartToCloseTimeout": ex.task_start_to_close,
                    "executionStartToCloseTimeout": ex.execution_start_to_close,
                    "taskList": {"name": ex.task_list},
                    "taskPriority": str(ex.task_priority),
                    "childPolicy": ex.child_policy,
                    "lambdaRole": ex.lambda_role,
                }
            ),
            "openCounts": {
                "openActivityTasks": len(ex.activities),
                "openDecisionTasks": 1 if ex.decision is not None else 0,
                "openTimers": len(ex.timers),
                "openChildWorkflowExecutions": len(ex.children),
                "openLambdaFunctions": len(ex.lambdas),
            },
            "latestActivityTaskTimestamp": ex.latest_activity_scheduled_at,
            "latestExecutionContext": ex.latest_execution_context,
        }
    )


def execution_info(ex: Execution) -> Json:
    return drop_none(
        {
            "execution": ex.ref(),
            "workflowType": ex.workflow_type,
            "startTimestamp": ex.start_timestamp,
            "closeTimestamp": ex.close_timestamp,
            "executionStatus": "OPEN" if ex.is_open else "CLOSED",
            "closeStatus": ex.close_status.value if ex.close_status is not None else None,
            "parent": ex.parent,
            "tagList": ex.tags or None,
            "cancelRequested": ex.cancel_requested,
        }
    )


def get_workflow_execution_history(k: Kernel, req: Json, now: float) -> Json:
    ex = k.execution(req["domain"], req["execution"]["workflowId"], req["execution"]["runId"])
    events = ex.events[::-1] if req.get("reverseOrder") else ex.events
    page, token = paginate(req, events, k.history_page_size, k.history_page_size)
    return drop_none({"events": list(page), "nextPageToken": token})


def _exclusive(req: Json, names: tuple[str, ...]) -> None:
    given = [name for name in names if name in req]
    if len(given) > 1:
        raise ValidationException(f"Only one of {', '.join(names)} may be specified, got {', '.join(given)}")


def _time_range(filter_: Json) -> tuple[float, float]:
    return float(filter_["oldestDate"]), float(filter_.get("latestDate", float("inf")))


def _matching(k: Kernel, req: Json, *, open_: bool) -> Iterator[Execution]:
    domain = k.domain(req["domain"]).name
    if open_:
        _exclusive(req, _OPEN_FILTERS)
    else:
        _exclusive(req, _CLOSED_FILTERS)
        if ("startTimeFilter" in req) == ("closeTimeFilter" in req):
            raise ValidationException("Exactly one of startTimeFilter and closeTimeFilter must be specified")
    start_range = _time_range(req["startTimeFilter"]) if "startTimeFilter" in req else None
    close_range = _time_range(req["closeTimeFilter"]) if "closeTimeFilter" in req else None
    workflow_id = req.get("executionFilter", {}).get("workflowId")
    type_filter = req.get("typeFilter")
    tag = req.get("tagFilter", {}).get("tag")
    status = req.get("closeStatusFilter", {}).get("status")
    for ex in k.executions.values():
        if ex.domain != domain or ex.is_open != open_:
            continue
        if start_range and not start_range[0] <= ex.start_timestamp <= start_range[1]:
            continue
        if close_range and not (
            ex.close_timestamp is not None and close_range[0] <= ex.close_timestamp <= close_range[1]
        ):
            continue
        if workflow_id is not None and ex.workflow_id != workflow_id:
            continue
        if type_filter is not None and (
            ex.workflow_type["name"] != type_filter["name"]
            or ("version" in type_filter and ex.workflow_type["version"] != type_filter["version"])
        ):
            continue
        if tag is not None and tag not in ex.tags:
            continue
        if status is not None and (ex.close_status is None or ex.close_status.value != status):
            continue
        yield ex


def _sorted(req: Json, executions: list[Execution]) -> list[Execution]:
    # Newest first by the filtered time, as SWF lists; reverseOrder flips to oldest first.
    by_close = "closeTimeFilter" in req

    def key(ex: Execution) -> tuple[float, str, str]:
        instant = ex.close_timestamp if by_close and ex.close_timestamp is not None else ex.start_timestamp
        return (instant, ex.workflow_id, ex.run_id)

    return sorted(executions, key=key, reverse=not req.get("reverseOrder"))


def _list(k: Kernel, req: Json, *, open_: bool) -> Json:
    executions = _sorted(req, list(_matching(k, req, open_=open_)))
    page, token = paginate(req, executions)
    return drop_none({"executionInfos": [execution_info(ex) for ex in page], "nextPageToken": token})


def list_open_workflow_executions(k: Kernel, req: Json, now: float) -> Json:
    return _list(k, req, open_=True)


def list_closed_workflow_executions(k: Kernel, req: Json, now: float) -> Json:
    return _list(k, req, open_=False)


def count_open_workflow_executions(k: Kernel, req: Json, now: float) -> Json:
    return {"count": sum(1 for _ in _matching(k, req, open_=True)), "truncated": False}


def count_closed_workflow_executions(k: Kernel, req: Json, now: float) -> Json:
    return {"count": sum(1 for _ in _matching(k, req, open_=False)), "truncated": False}


HANDLERS: dict[str, Any] = {
    "DescribeWorkflowExecution": describe_workflow_execution,
    "GetWorkflowExecutionHistory": get_workflow_execution_history,
    "ListOpenWorkflowExecutions": list_open_workflow_executions,
    "ListClosedWorkflowExecutions": list_closed_workflow_executions,
    "CountOpenWorkflowExecutions": count_open_workflow_executions,
    "CountClosedWorkflowExecutions": count_closed_workflow_executions,
}
