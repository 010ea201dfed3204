"""What an activity worker counts and logs about each task: taken, finished (how), failed for it.

Every line goes to ``awsflow.workers.activity_worker``'s logger (the one users configure) with
``extra`` fields ``activity_id``, ``activity_name``, ``activity_version``, ``workflow_id``,
``run_id``, ``pid`` (the child process, or None) and, when finished, ``outcome`` and
``duration`` (seconds).
"""

from __future__ import annotations

import logging
from typing import Any

from ..context import ActivityTask
from ._stats import OUTCOME_FIELDS, Counters

logger = logging.getLogger("awsflow.workers.activity_worker")

_OUTCOMES = {
    "RespondActivityTaskCompleted": "completed",
    "RespondActivityTaskFailed": "failed",
    "RespondActivityTaskCanceled": "canceled",
}


def fields(task: ActivityTask, pid: int | None, **more: Any) -> dict[str, Any]:
    """The ``extra`` fields of a task's log lines."""
    return {
        "activity_id": task.id,
        "activity_name": task.name,
        "activity_version": task.version,
        "workflow_id": task.workflow_execution.workflow_id,
        "run_id": task.workflow_execution.run_id,
        "pid": pid,
        **more,
    }


def log_taken(task: ActivityTask, pid: int | None) -> None:
    logger.info(
        "activity %s %s (id %s) of %s (%s) taken%s",
        task.name,
        task.version,
        task.id,
        task.workflow_execution.workflow_id,
        task.workflow_execution.run_id,
        "" if pid is None else f" by process {pid}",
        extra=fields(task, pid),
    )


def log_dropped(task: ActivityTask, operation: str) -> None:
    logger.warning(
        "activity %s (id %s) ended after it was failed at shutdown; its answer (%s) is dropped",
        task.name,
        task.id,
        operation,
        extra=fields(task, None),
    )


def record_finished(
    counters: Counters,
    task: ActivityTask,
    duration: float,
    operation: str | None,
    answered: bool,
    reason: str | None,
    pid: int | None,
) -> None:
    """Count and log how a task ended (``pid``: the child that ran it)."""
    outcome = "manual" if operation is None else _OUTCOMES[operation]
    extra = fields(task, pid, outcome=outcome, duration=duration)
    if operation is None:
        logger.info("activity %s (id %s) left for manual completion", task.name, task.id, extra=extra)
        return
    if not answered:
        if pid is not None:  # the child counted it in its own counters
            counters.add("answer_errors")
        logger.warning(
            "activity %s (id %s) %s in %.3f s but SWF did not take the answer",
            task.name,
            task.id,
            outcome,
            duration,
            extra=extra,
        )
        return
    counters.add(OUTCOME_FIELDS[operation])
    workflow_id = task.workflow_execution.workflow_id
    if operation == "RespondActivityTaskFailed":
        logger.warning(
            "activity %s (id %s) of %s failed in %.3f s: %s",
            *(task.name, task.id, workflow_id, duration, reason),
            extra=extra,
        )
    else:
        logger.info(
            "activity %s (id %s) of %s %s in %.3f s",
            *(task.name, task.id, workflow_id, outcome, duration),
            extra=extra,
        )


def log_failed_for(task: ActivityTask, duration: float, reason: str, pid: int | None) -> None:
    """A task the worker failed itself (its process died, or it overran the grace period)."""
    logger.error(
        "activity %s (id %s) of %s failed after %.3f s: %s",
        *(task.name, task.id, task.workflow_execution.workflow_id, duration, reason),
        extra=fields(task, pid, outcome="failed", duration=duration),
    )
