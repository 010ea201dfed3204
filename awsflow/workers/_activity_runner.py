"""Running one activity task: decode its input, call the method, encode the answer.

The answer is the SWF request to send — ``RespondActivityTaskCompleted``, ``...Failed`` or
``...Canceled`` — so the polling shell only moves it onto the wire, and a test can run
activities with no service at all. An exception in the activity fails the task with its reason
and, in the details, ``[exception, traceback frames]`` (botoflow's form), which the workflow sees
as ``ActivityTaskFailedError.cause``.

Heartbeats come three ways (the issue "activity workers that never leave a task hanging"):

- the activity calls ``get_context().heartbeat(details)`` itself;
- a plain function whose type has a heartbeat timeout is heartbeated for in the background
  while it runs (the ``auto_heartbeat`` hook the worker passes; see ``_heartbeats``);
- an activity written as a generator heartbeats at each ``yield``: the yielded value, encoded
  with the activity's data converter, is the heartbeat's details (``yield None`` heartbeats
  without details); its ``return`` value is the result. A generator gets no background
  heartbeats: its yields are its heartbeats, so one stuck between yields is caught by the
  heartbeat timeout — write an activity as a generator to have hangs detected.

A cancel request reaches the code at its next heartbeat: ``heartbeat()`` raises
:class:`~awsflow.exceptions.ActivityCancelledError`, and a generator gets it thrown in at its
``yield`` (so its ``finally`` blocks run). Escaping the activity, it becomes
RespondActivityTaskCanceled. A plain function that never heartbeats itself cannot be
interrupted (Python cannot safely stop a thread): it runs to its end and its result is reported
— SWF accepts a completion after a cancel request, and the workflow sees the work was done.
Such code can check ``get_context().cancel_requested``, which background heartbeats keep current.
Any other heartbeat failure at a ``yield`` (details over 2048 characters, the task gone) is
thrown in at that ``yield`` too.
"""

from __future__ import annotations

import contextlib
import inspect
import logging
import traceback
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

from .._swf import LIMITS, decode_arguments, encode_failure
from ..context import ActivityContext, ActivityTask, peek_context, set_context
from ..core.exceptions import CancellationError, CancelledError
from ..exceptions import PayloadTooLargeError

# ActivityTask lives beside the activity context (what get_context().task is); named here too
# for awsflow.test's harness, which runs activities through this module.
__all__ = ["ActivityTask", "Response", "failure_details", "run_activity_task"]

logger = logging.getLogger(__name__)


Response = tuple[str, dict[str, Any]]


def failure_details(converter: Any, error: BaseException, skip_frames: int = 1) -> str:
    """``[error, frames]`` encoded (see :mod:`awsflow._swf._failures`: a part the converter
    cannot write is replaced by a stand-in naming it, never dropped), within SWF's limit."""
    frames = [tuple(frame) for frame in traceback.extract_tb(error.__traceback__)[skip_frames:]]
    return encode_failure(converter, error, frames)


def failure_reason(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"[: LIMITS.reason]


AutoHeartbeatHook = Callable[[ActivityContext, Any], AbstractContextManager[Any]]


def _no_auto_heartbeat(context: ActivityContext, activity_type: Any) -> AbstractContextManager[Any]:
    return contextlib.nullcontext()


def run_activity_task(
    task: ActivityTask,
    implementations: dict[str, Any],
    worker: Any,
    *,
    auto_heartbeat: AutoHeartbeatHook = _no_auto_heartbeat,
) -> Response | None:
    """Run ``task`` with its implementation; the request to send, or None for a manual activity.

    ``auto_heartbeat(context, activity_type)`` is entered around a plain function's run (the
    worker's background heartbeats); generators heartbeat at their yields instead.
    """
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
    context = ActivityContext(worker, task, activity_type=activity_type)
    set_context(context)
    try:
        try:
            args, kwargs = decode_arguments(converter, task.input)
            if inspect.isgeneratorfunction(func):
                result = func(*args, **kwargs)
            else:
                with auto_heartbeat(context, activity_type):
                    result = func(*args, **kwargs)
            if inspect.isgenerator(result):
                result = context.drive(result, converter)
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
            if len(encoded) > LIMITS.payload:
                raise PayloadTooLargeError(f"result of activity {task.name}", len(encoded), LIMITS.payload)
        except (TypeError, ValueError) as error:
            return "RespondActivityTaskFailed", {
                "taskToken": task.token,
                "reason": failure_reason(error),
                "details": failure_details(converter, error, skip_frames=0),
            }
        return "RespondActivityTaskCompleted", {"taskToken": task.token, "result": encoded}
    finally:
        set_context(previous)
