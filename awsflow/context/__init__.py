"""Where code is running: deciding a workflow, running an activity, or starting workflows.

``get_context()`` returns the context of the current thread: a :class:`DecisionContext` while
workflow code runs, an :class:`ActivityContext` inside an activity, a
:class:`StartWorkflowContext` inside ``with worker:`` or ``with workflow_starter(...)``. Calls
such as ``SomeWorkflow.execute(...)`` or ``SomeActivities.method(...)`` behave according to it.
"""

from __future__ import annotations

from ._contexts import (
    ActivityContext,
    ContextBase,
    DecisionContext,
    StartWorkflowContext,
    get_context,
    set_context,
)

__all__ = [
    "ActivityContext",
    "ContextBase",
    "DecisionContext",
    "StartWorkflowContext",
    "get_context",
    "set_context",
]

# Public objects show their public module in tracebacks and docs.
for _public in (
    ActivityContext,
    ContextBase,
    DecisionContext,
    StartWorkflowContext,
    get_context,
    set_context,
):
    _public.__module__ = __name__
del _public
