"""The contexts outside workflow code share one thing: a worker (or starter) that reaches SWF."""

from __future__ import annotations

from typing import Any

from ..workflow_execution import WorkflowExecution
from ._slot import ContextBase

__all__ = ["ClientContext"]


class ClientContext(ContextBase):
    """Base of :class:`ActivityContext` and :class:`StartWorkflowContext`: calls made here go to
    SWF at once through ``worker`` (a worker, or a ``workflow_starter``)."""

    def __init__(self, worker: Any) -> None:
        self.worker = worker

    def signal_workflow_execution(self, execution: WorkflowExecution, signal_name: str, encoded: str) -> None:
        """SignalWorkflowExecution with an encoded input; SWF's error raised at once."""
        self.worker.signal_workflow_execution(execution, signal_name, encoded)

    def request_cancel_workflow_execution(self, execution: WorkflowExecution) -> None:
        """RequestCancelWorkflowExecution; SWF's error raised at once."""
        self.worker.request_cancel_workflow_execution(execution)
