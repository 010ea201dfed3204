"""Durable fan-out (``awsflow.fanout``): one activity or child workflow per input, a few at a time.

``results = yield awsflow.fanout(MyActivities.work, inputs, max_concurrency=50)`` in workflow
code runs ``MyActivities.work(input)`` for each input — each input is *one* argument (a tuple is
passed as one tuple, not unpacked) — with at most 50 open at any time, and gives the results in
input order. Everything is decisions in the history (see :mod:`awsflow._workflow._fanout._window`), so the
fan-out survives worker restarts like any workflow code.

Large fan-outs: a workflow's history is capped at 25,000 events, and each input run directly
costs up to six (:data:`~awsflow._workflow._fanout._plan.EVENTS_PER_INPUT`). When the inputs would take
the history past 80 % of the cap (about 3,000 inputs), they run in batches of child workflows of
the built-in type ``awsflow.FanoutBatch`` instead (see :mod:`awsflow._workflow._fanout._batches`), under the
same concurrency limit. ``batch_size`` chooses explicitly.

.. versionadded:: 0.1
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterable
from typing import Any

from ..._runtime import in_workflow
from ...core import Future
from ...flow_types import ActivityType, WorkflowType
from ._batches import FanoutBatch, child_result, describe_callee, run_batched
from ._errors import FanoutError
from ._plan import DEFAULT_BATCH_SIZE, MAX_OPEN, fits_one_history
from ._window import run_window

__all__ = ["FanoutBatch", "FanoutError", "fanout"]


def fanout(
    fn: Any,
    inputs: Iterable[Any],
    *,
    max_concurrency: int,
    ramp_up: float = 0,
    stop_on_failure: bool = True,
    batch_size: int | None = None,
) -> Future:
    """Call ``fn(input)`` for every input, at most ``max_concurrency`` open at once; a Future of the results.

    Args:
        fn: an activity (``MyActivities.work``) or a workflow's ``@execute`` method
            (``MyWorkflow.run``, each input then runs as a child workflow). Its options are
            those in force at this call (``activity_options`` / ``workflow_options`` blocks
            around it apply to every input), and its retry policy applies to each input.
        inputs: the inputs, each passed as the single argument of one call.
        max_concurrency: the most calls open at once (1 to 1,000: SWF's limit of open
            activities, and of open children, per execution).
        ramp_up: seconds of workflow time over which the limit rises linearly from 1 to
            ``max_concurrency`` (durable timers wake the fan-out at each step); 0 starts at the
            full limit. In a batched fan-out each batch ramps its own share.
        stop_on_failure: on the first failure start nothing more, cancel the open calls, wait
            until they close, and raise; with False every input runs and the first failure is
            raised at the end.
        batch_size: None chooses: batches of 1,000 when the inputs would take this
            execution's history past 80 % of SWF's cap, else all run here. 0 runs all here
            whatever the size; a positive number runs batches of at most that many inputs.

    Returns:
        A Future of the list of results, in input order (``yield`` it).

    Raises:
        FanoutError: (through the Future) an input failed: its ``index``, ``input`` and
            ``cause``, and every failure seen.
        ValueError: bad arguments, or a batched fan-out of a callee that cannot be batched.
        TypeError: not called from workflow code, or ``fn`` is neither an activity nor a workflow.
    """
    context = in_workflow("awsflow.fanout")
    runtime = context.runtime
    items = list(inputs)
    if (
        isinstance(max_concurrency, bool)
        or not isinstance(max_concurrency, int)
        or not 1 <= max_concurrency <= MAX_OPEN
    ):
        raise ValueError(
            f"max_concurrency must be an int from 1 to {MAX_OPEN} (SWF's open limit), not {max_concurrency!r}"
        )
    if (
        not isinstance(ramp_up, (int, float))
        or isinstance(ramp_up, bool)
        or not math.isfinite(ramp_up)
        or ramp_up < 0
    ):
        raise ValueError(f"ramp_up must be seconds >= 0, not {ramp_up!r}")
    if batch_size is not None and (
        isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 0
    ):
        raise ValueError(f"batch_size must be None, 0 or a positive int, not {batch_size!r}")
    is_workflow = isinstance(fn, functools.partial) and isinstance(fn.func, WorkflowType)
    if not (isinstance(fn, ActivityType) or is_workflow):
        raise TypeError(
            f"fanout runs an activity (MyActivities.work) or a workflow's @execute method "
            f"(MyWorkflow.run) from workflow code, not {fn!r}"
        )
    if is_workflow and fn.args[0][1] is not None and fn.args[0][1] is runtime.workflow_instance:
        raise TypeError(
            "fanout of this workflow's own @execute method would continue it as new once per "
            "input: name the workflow class (MyWorkflow.run) to run each input as a child"
        )
    if is_workflow and context.workflow_overrides.get("workflow_id"):
        raise ValueError(
            "workflow_options(workflow_id=...) around a fan-out would give every child the same "
            "workflow id: leave the ids to awsflow (each child gets its own)"
        )
    if batch_size is None:
        # history_length() replays to the same value, so the choice does too.
        batch_size = 0 if fits_one_history(len(items), runtime.history_length()) else DEFAULT_BATCH_SIZE
    if batch_size:
        callee = describe_callee(fn, context)
        return run_batched(context, callee, items, max_concurrency, ramp_up, stop_on_failure, batch_size)

    # The calls start later, from the fan-out's coroutine, after any options block around this
    # call has been left: each start runs under the options in force now.
    activity_overrides = context.activity_overrides
    workflow_overrides = context.workflow_overrides

    def start(index: int, item: Any) -> Future:
        previous = context.activity_overrides, context.workflow_overrides
        context.activity_overrides = activity_overrides
        context.workflow_overrides = workflow_overrides
        try:
            return child_result(fn(item)) if is_workflow else fn(item)
        finally:
            context.activity_overrides, context.workflow_overrides = previous

    return run_window(context, start, items, max_concurrency, ramp_up, stop_on_failure)
