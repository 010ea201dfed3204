"""Living with SWF's history cap: how long the history is, and starting afresh.

SWF terminates a run whose history reaches 25,000 events. A workflow that loops for a long time
checks :func:`history_length` and, past a budget of its own, calls :func:`continue_as_new` to
close this run and start a new one (same workflow id, a new run id, an empty history) with the
state it passes on. awsflow also logs a warning when a run passes 80 % of the cap.
"""

from __future__ import annotations

from typing import Any

from .._runtime import in_workflow
from ..core import Future

__all__ = ["continue_as_new", "history_length"]


def history_length() -> int:
    """The number of events in the run's history up to the decision task being decided.

    Deterministic: on replay it is the value the original run saw at the same point.
    """
    return in_workflow("awsflow.history_length").runtime.history_length()


def continue_as_new(*args: Any, **kwargs: Any) -> Future:
    """Close this run, once its code finishes, by starting a new run of it with these arguments.

    The new run executes the same ``@execute`` method of the same workflow type (its version can
    be changed with ``workflow_options(version=...)`` around the call, its timeouts and task
    list too). Return right after the call: the run closes as continued-as-new when the
    workflow's code ends, as in the AWS Flow Framework. Calling the running workflow's own
    ``@execute`` method (botoflow's way) does the same.
    """
    context = in_workflow("awsflow.continue_as_new")
    result: Future = context.runtime.continue_as_new(None, args, kwargs, context.workflow_overrides)
    return result
