"""The seam between workflow code and what runs it (pure: no threads, no clock, no I/O).

- :class:`WorkflowRuntime` (:mod:`._protocol`): the one protocol workflow-facing code calls;
  ``awsflow.decider.ExecutionReplay`` and ``awsflow.test.WorkflowTestingContext`` implement it;
- :class:`DecisionContext` (:mod:`._decision`): the context that carries the runtime while
  workflow code runs, with the option overrides of the code's ``activity_options`` /
  ``workflow_options`` blocks (:mod:`._overrides`);
- what awsflow keeps on the workflow instances it makes (:mod:`._binding`);
- the contexts outside workflow code that reach SWF through a worker or starter: the starter
  context (:mod:`._starter`) and the base of :mod:`awsflow.context`'s activity context
  (:mod:`._client`), the one context that holds thread primitives;
- the current-context slot (:mod:`._slot`), and the guard that makes asyncio's primitives fail
  at the call while workflow code runs (:mod:`._asyncio_guard`).

Above it, the workflow-code API (:mod:`awsflow._workflow`), the flow types and the decorators'
descriptors; below it, nothing of awsflow but ``core``, ``exceptions`` and ``workflow_execution``.
The decider implements the protocol and imports only this side of the seam.
"""

from __future__ import annotations

from ._asyncio_guard import AsyncioGuard
from ._binding import Binding, bind_instance, converter_of, starter_of
from ._client import ClientContext
from ._decision import DecisionContext, in_workflow
from ._overrides import (
    NO_ACTIVITY_OVERRIDES,
    NO_WORKFLOW_OVERRIDES,
    UNSET,
    ActivityOverrides,
    WorkflowOverrides,
)
from ._protocol import WorkflowRuntime
from ._slot import ContextBase, NoContextError, current, get_context, peek_context, set_context
from ._starter import StartWorkflowContext

__all__ = [
    "NO_ACTIVITY_OVERRIDES",
    "NO_WORKFLOW_OVERRIDES",
    "UNSET",
    "ActivityOverrides",
    "AsyncioGuard",
    "Binding",
    "ClientContext",
    "ContextBase",
    "DecisionContext",
    "NoContextError",
    "StartWorkflowContext",
    "WorkflowOverrides",
    "WorkflowRuntime",
    "bind_instance",
    "converter_of",
    "current",
    "get_context",
    "in_workflow",
    "peek_context",
    "set_context",
    "starter_of",
]
