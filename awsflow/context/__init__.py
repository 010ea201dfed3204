"""Where code is running: deciding a workflow, running an activity, or starting workflows.

``get_context()`` returns the context of the current thread: a :class:`DecisionContext` while
workflow code runs, an :class:`ActivityContext` inside an activity, a
:class:`StartWorkflowContext` inside ``with worker:`` or ``with workflow_starter(...)``. Calls
such as ``SomeWorkflow.execute(...)`` or ``SomeActivities.method(...)`` behave according to it.

The decision context is pure and carries the :class:`WorkflowRuntime` running the workflow code
(the seam between workflow code and the replay; defined in ``awsflow._runtime``); the activity
context holds the thread primitives of a running activity; the starter context holds the worker
or starter that reaches SWF.
"""

from __future__ import annotations

from .._runtime import (
    ClientContext,
    ContextBase,
    DecisionContext,
    StartWorkflowContext,
    WorkflowRuntime,
    get_context,
    peek_context,
    set_context,
)
from ._activity import ActivityContext, ActivityTask

__all__ = [
    "ActivityContext",
    "ActivityTask",
    "ClientContext",
    "ContextBase",
    "DecisionContext",
    "StartWorkflowContext",
    "WorkflowRuntime",
    "get_context",
    "peek_context",
    "set_context",
]

# Public objects show their public module in tracebacks and docs.
for _public in (
    ActivityContext,
    ActivityTask,
    ClientContext,
    ContextBase,
    DecisionContext,
    StartWorkflowContext,
    WorkflowRuntime,
    get_context,
    peek_context,
    set_context,
):
    _public.__module__ = __name__
del _public
