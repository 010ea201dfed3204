"""The starter context: set inside ``with worker:`` and ``with workflow_starter(...)``."""

from __future__ import annotations

from typing import Any

from ._client import ClientContext
from ._overrides import NO_WORKFLOW_OVERRIDES, WorkflowOverrides

__all__ = ["StartWorkflowContext"]


class StartWorkflowContext(ClientContext):
    """Set inside ``with worker:`` and ``with workflow_starter(...)``: calls start executions.

    ``workflow_overrides`` is what the ``workflow_options`` blocks around the code set.
    """

    def __init__(self, worker: Any) -> None:
        super().__init__(worker)
        self.workflow_overrides: WorkflowOverrides = NO_WORKFLOW_OVERRIDES

    def start_workflow_execution(
        self, workflow_type: Any, args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> tuple[str, str]:
        """StartWorkflowExecution under the overrides in force; ``(workflow id, run id)``."""
        started: tuple[str, str] = self.worker.start_workflow_execution(workflow_type, *args, **kwargs)
        return started
