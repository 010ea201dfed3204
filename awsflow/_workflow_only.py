"""The check every workflow-code helper makes first: is it called from workflow code?"""

from __future__ import annotations

from .context._contexts import DecisionContext, peek_context
from .exceptions import NotInWorkflowError

__all__ = ["decision_context"]


def decision_context(helper: str) -> DecisionContext:
    """The running workflow's context; NotInWorkflowError naming ``helper`` outside one."""
    context = peek_context()
    if not isinstance(context, DecisionContext):
        raise NotInWorkflowError(
            f"{helper}() can only be called from workflow code (an @execute method, a @signal "
            "handler, or a coroutine they run), where its answer is replayed the same way each time"
        )
    return context
