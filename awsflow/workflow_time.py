"""Time inside workflow code: deterministic, and durable timers.

``time()`` is the time of the decision task being replayed (the same on every replay), never
the machine's clock; ``sleep(seconds)`` is an SWF timer; ``is_replaying()`` tells whether the
code is re-running past events.
"""

from __future__ import annotations

from typing import Any

from .context._contexts import DecisionContext, peek_context

__all__ = ["is_replaying", "sleep", "time"]


def _decision_context(caller: str) -> DecisionContext:
    context = peek_context()
    if not isinstance(context, DecisionContext):
        raise TypeError(f"workflow_time.{caller}() can only be called from workflow code")
    return context


def time() -> int:
    """Seconds since the epoch at the current decision task (whole seconds, as botoflow)."""
    return int(_decision_context("time")._workflow_time)


def sleep(seconds: float) -> Any:
    """A Future ready after ``seconds`` (rounded up to whole seconds), backed by an SWF timer.

    ``yield workflow_time.sleep(60)`` waits a minute, even across worker restarts. Cancelling
    the Future cancels the timer.
    """
    return _decision_context("sleep").decider.start_timer(seconds)


def is_replaying() -> bool:
    """True while workflow code re-runs events an earlier decision task already handled."""
    return bool(_decision_context("is_replaying")._replaying)
