"""Time inside workflow code: deterministic, and durable timers.

``time()`` and ``now()`` are the time of the decision task being replayed (the same on every
replay), never the machine's clock; ``sleep(seconds)`` is an SWF timer; ``is_replaying()`` tells
whether the code is re-running past events.
"""

from __future__ import annotations

import datetime
from typing import Any

from .._runtime import in_workflow

__all__ = ["is_replaying", "now", "sleep", "time"]


def time() -> int:
    """Seconds since the epoch at the current decision task (whole seconds, as botoflow)."""
    return int(in_workflow("workflow_time.time").runtime.now())


def now() -> datetime.datetime:
    """The time of the current decision task: a timezone-aware UTC datetime.

    It is the ``eventTimestamp`` of the decision task's ``DecisionTaskStarted`` event, with the
    sub-second precision SWF recorded there (:func:`time` truncates to whole seconds, as
    botoflow did). The same value on every replay.

    Raises:
        NotInWorkflowError: called outside workflow code.

    .. versionadded:: 0.1
    """
    seconds = in_workflow("workflow_time.now").runtime.now()
    return datetime.datetime.fromtimestamp(seconds, tz=datetime.timezone.utc)


def sleep(seconds: float) -> Any:
    """A Future ready after ``seconds`` (rounded up to whole seconds), backed by an SWF timer.

    ``yield workflow_time.sleep(60)`` waits a minute, even across worker restarts. Cancelling
    the Future cancels the timer.
    """
    return in_workflow("workflow_time.sleep").runtime.start_timer(seconds)


def is_replaying() -> bool:
    """True while workflow code re-runs events an earlier decision task already handled."""
    return bool(in_workflow("workflow_time.is_replaying").runtime.is_replaying())
