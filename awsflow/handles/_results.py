"""Waiting for a workflow execution to close, and reading its outcome, from outside it.

The wait asks DescribeWorkflowExecution at intervals growing from 50 ms to 5 s. A caller that
can be told sooner (a workflow worker in the same process posts the runs it closes) passes its
own ``wait``, which returns early when told.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from .._swf import decode_failure
from ..exceptions import (
    RemoteExceptionStandIn,
    WorkflowCanceledError,
    WorkflowFailedError,
    WorkflowTerminatedError,
    WorkflowTimedOutError,
)
from ..workflow_execution import WorkflowExecution

FIRST_CHECK_INTERVAL = 0.05
MAX_CHECK_INTERVAL = 5.0


# wait(workflow_id, run_id, seconds): returns after at most ``seconds``, sooner if it knows the
# run closed.
Waiter = Callable[[str, str, float], object]


def sleep_wait(workflow_id: str, run_id: str, seconds: float) -> None:
    """The waiter of a caller that is never told: sleep ``seconds``."""
    time.sleep(seconds)


def wait_for_result(
    call: Any,
    domain: str,
    execution: WorkflowExecution,
    converter: Any,
    timeout: float | None,
    wait: Waiter = sleep_wait,
) -> Any:
    """The result of ``execution`` (following continue-as-new), raising its failure.

    Between checks it calls ``wait`` (see the module docstring). Raises TimeoutError if
    ``timeout`` seconds pass first.
    """
    deadline = None if timeout is None else time.monotonic() + timeout
    interval = FIRST_CHECK_INTERVAL
    assert execution.workflow_id is not None and execution.run_id is not None
    while True:
        request = {
            "domain": domain,
            "execution": {"workflowId": execution.workflow_id, "runId": execution.run_id},
        }
        info = call("DescribeWorkflowExecution", request)["executionInfo"]
        if info["executionStatus"] == "OPEN":
            remaining = None if deadline is None else deadline - time.monotonic()
            if remaining is not None and remaining <= 0:
                raise TimeoutError(f"workflow {tuple(execution)} is still open after {timeout} s")
            wait(execution.workflow_id, execution.run_id, min(interval, remaining or interval))
            interval = min(interval * 2, MAX_CHECK_INTERVAL)
            continue
        last = call("GetWorkflowExecutionHistory", {**request, "reverseOrder": True, "maximumPageSize": 1})[
            "events"
        ][0]
        status = info["closeStatus"]
        workflow_type = (info["workflowType"]["name"], info["workflowType"]["version"])
        if status == "CONTINUED_AS_NEW":
            new_run = last["workflowExecutionContinuedAsNewEventAttributes"]["newExecutionRunId"]
            execution = WorkflowExecution(execution.workflow_id, new_run)
            interval = FIRST_CHECK_INTERVAL
            continue
        return outcome(status, last, workflow_type, execution, converter)


def outcome(
    status: str, last: dict[str, Any], workflow_type: Any, execution: WorkflowExecution, converter: Any
) -> Any:
    """The result for a COMPLETED close event; the matching error raised otherwise."""
    event_id = last["eventId"]
    if status == "COMPLETED":
        result = last["workflowExecutionCompletedEventAttributes"].get("result")
        return converter.loads(result) if result else None
    if status == "FAILED":
        attributes = last["workflowExecutionFailedEventAttributes"]
        cause, remote_traceback = decode_failure(converter, attributes.get("details"))
        if cause is None:  # failed by another program, with a reason only
            cause = RemoteExceptionStandIn("", attributes.get("reason", ""), "the failure has no details")
        raise WorkflowFailedError(event_id, workflow_type, execution, cause, remote_traceback)
    if status == "TIMED_OUT":
        raise WorkflowTimedOutError(event_id, workflow_type, execution)
    if status == "CANCELED":
        details = last.get("workflowExecutionCanceledEventAttributes", {}).get("details")
        raise WorkflowCanceledError(event_id, workflow_type, execution, details)
    raise WorkflowTerminatedError(event_id, workflow_type, execution)
