"""Running one activity task: decode its input, call the method, encode the answer.

The answer is the SWF request to send — ``RespondActivityTaskCompleted``, ``...Failed`` or
``...Canceled`` — so the polling shell only moves it onto the wire, and a test can run
activities with no service at all. An exception in the activity fails the task with its reason
and, in the details, ``[exception, traceback frames]`` (botoflow's form), which the workflow sees
as ``ActivityTaskFailedError.cause``.
"""

from __future__ import annotations

import logging
import traceback
from dataclasses import dataclass
from typing import Any

from ..context._contexts import ActivityContext, peek_context, set_context
from ..core.exceptions import CancellationError, CancelledError
from ..decider._calls import decode_arguments
from ..decider._commands import PAYLOAD_LIMIT, REASON_LIMIT
from ..exceptions import PayloadTooLargeError
from ..workflow_execution import WorkflowExecution

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ActivityTask:
    """An activity task as polled (botoflow's attribute names)."""

    id: str
    name: str
    version: str
    input: str | None
    started_event_id: int
    token: str
    workflow_execution: WorkflowExecution

    @classmethod
    def from_swf(cls, task: dict[str, Any]) -> ActivityTask:
        execution = task["workflowExecution"]
        return cls(
            id=task["activityId"],
            name=task["activityType"]["name"],
            version=task["activityType"]["version"],
            input=task.get("input"),
            started_event_id=task["startedEventId"],
            token=task["taskToken"],
            workflow_execution=WorkflowExecution(execution["workflowId"], execution["runId"]),
        )


Response = tuple[str, dict[str, Any]]


def failure_details(converter: Any, error: BaseException, skip_frames: int = 1) -> str:
    """``[error, frames]`` encoded; falls back to a plain RuntimeError if the error won't encode."""
    frames = [tuple(frame) for frame in traceback.extract_tb(error.__traceback__)[skip_frames:]]
    try:
        details: str = converter.dumps([error, frames])
    except (TypeError, ValueError):
        details = converter.dumps([RuntimeError(f"{type(error).__name__}: {error}"), frames])
    if len(details) > PAYLOAD_LIMIT:
        details = converter.dumps([RuntimeError(f"{type(error).__name__}: {error}"[:4096]), frames[-10:]])
    return details[:PAYLOAD_LIMIT]


def failure_reason(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"[:REASON_LIMIT]


def run_activity_task(task: ActivityTask, implementations: dict[str, Any], worker: Any) -> Response | None:
    """Run ``task`` with its implementation; the request to send, or None for a manual activity."""
    found = implementations.get(task.name)
    if found is None:
        error = LookupError(
            f"this worker has no implementation of activity {task.name} {task.version} "
            f"(it has {sorted(implementations)})"
        )
        return "RespondActivityTaskFailed", {"taskToken": task.token, "reason": failure_reason(error)}
    func, activity_type = found
    converter = activity_type.data_converter
    previous = peek_context()
    set_context(ActivityContext(worker, task))
    try:
        try:
            args, kwargs = decode_arguments(converter, task.input)
            result = func(*args, **kwargs)
        except (CancellationError, CancelledError) as canceled:
            return "RespondActivityTaskCanceled", {
                "taskToken": task.token,
                "details": failure_details(converter, canceled),
            }
        except Exception as error:
            logger.debug("activity %s (%s) raised %r", task.name, task.id, error, exc_info=True)
            return "RespondActivityTaskFailed", {
                "taskToken": task.token,
                "reason": failure_reason(error),
                "details": failure_details(converter, error),
            }
        if activity_type.manual:
            return None
        try:
            encoded = converter.dumps(result)
            if len(encoded) > PAYLOAD_LIMIT:
                raise PayloadTooLargeError(f"result of activity {task.name}", len(encoded), PAYLOAD_LIMIT)
        except (TypeError, ValueError) as error:
            return "RespondActivityTaskFailed", {
                "taskToken": task.token,
                "reason": failure_reason(error),
                "details": failure_details(converter, error, skip_frames=0),
            }
        return "RespondActivityTaskCompleted", {"taskToken": task.token, "result": encoded}
    finally:
        set_context(previous)
