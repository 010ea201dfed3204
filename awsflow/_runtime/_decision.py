"""``DecisionContext``: the context set while workflow code runs. Pure: no threads, no clock.

It carries the :class:`~._protocol.WorkflowRuntime` running the code and the state of the code's
own option blocks; workflow-facing code reads both from here and from nowhere else.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..exceptions import NotInWorkflowError
from ..workflow_execution import WorkflowExecution
from ._overrides import NO_ACTIVITY_OVERRIDES, NO_WORKFLOW_OVERRIDES, ActivityOverrides, WorkflowOverrides
from ._slot import ContextBase, current

if TYPE_CHECKING:
    from ._protocol import WorkflowRuntime

__all__ = ["DecisionContext", "in_workflow"]


class DecisionContext(ContextBase):
    """Set while workflow code runs.

    Attributes:
        runtime: the :class:`~awsflow.context.WorkflowRuntime` running the code (an
            :class:`~awsflow.decider.ExecutionReplay`, or a ``WorkflowTestingContext``).
        workflow_execution: the run being decided.
        activity_overrides, workflow_overrides: what the ``activity_options`` and
            ``workflow_options`` blocks around the running code set.
        random_stream: the run's ``awsflow.random()`` generator, made on first use.
    """

    def __init__(self, decider: WorkflowRuntime) -> None:  # botoflow's parameter name
        self.runtime = decider
        self.workflow_execution = WorkflowExecution(None, None)
        self.activity_overrides: ActivityOverrides = NO_ACTIVITY_OVERRIDES
        self.workflow_overrides: WorkflowOverrides = NO_WORKFLOW_OVERRIDES
        self.random_stream: Any = None

    @property
    def decider(self) -> WorkflowRuntime:
        """The runtime (botoflow's name for it)."""
        return self.runtime


def in_workflow(helper: str) -> DecisionContext:
    """The running workflow's context; NotInWorkflowError naming ``helper`` outside one."""
    context = current()
    if not isinstance(context, DecisionContext):
        raise NotInWorkflowError(
            f"{helper}() can only be called from workflow code (an @execute method, a @signal "
            "handler, or a coroutine they run), where its answer is replayed the same way each time"
        )
    return context
