"""The current context: which kind of code runs on this thread (or asyncio task) right now.

A ``contextvars.ContextVar`` rather than a ``threading.local``, as the scheduler's current loop
is: every thread starts without a context, as before, and the replay touches no threading
module. (An asyncio task gets its own copy too, so ``with workflow_starter(...)`` in one task does
not leak into another.)
"""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any

__all__ = ["ContextBase", "NoContextError", "current", "get_context", "peek_context", "set_context"]

_current: ContextVar[Any] = ContextVar("awsflow_context", default=None)

# ``current()`` is ``peek_context()`` as a C call: replay's hot path reads it for every activity.
current = _current.get


class NoContextError(AttributeError):
    """No awsflow context is set on this thread (an AttributeError, as botoflow raised)."""


class ContextBase:
    """Base of the contexts; ``get_context``/``set_context`` act on the current thread."""

    @classmethod
    def get_context(cls) -> Any:
        """The current context; NoContextError (an AttributeError) if there is none."""
        context = _current.get()
        if context is None:
            raise NoContextError(
                "No awsflow context on this thread: workflow code runs in a WorkflowWorker, "
                "activities in an ActivityWorker, and workflows are started inside "
                "'with worker:' or 'with workflow_starter(...)'"
            )
        return context

    @classmethod
    def set_context(cls, context: Any) -> None:
        """Make ``context`` current (None clears it)."""
        _current.set(context)


def get_context() -> Any:
    """The context of the current thread; AttributeError if there is none."""
    return ContextBase.get_context()


def set_context(context: Any) -> None:
    """Make ``context`` current on this thread (None clears it)."""
    _current.set(context)


def peek_context() -> Any:
    """The current context, or None when there is none (never raises).

    .. versionadded:: 0.1
    """
    return _current.get()
