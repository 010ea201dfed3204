"""Acting on another workflow execution — one this workflow did not start — by its id.

From workflow code, :class:`ExternalWorkflow` makes SWF's SignalExternalWorkflowExecution and
RequestCancelExternalWorkflowExecution decisions; each returns a Future that is ready when SWF
has delivered the request (``ExternalWorkflowExecutionSignaled`` /
``ExternalWorkflowExecutionCancelRequested``) and raises
:class:`~awsflow.exceptions.SignalExternalWorkflowExecutionFailedError` or
:class:`~awsflow.exceptions.RequestCancelExternalWorkflowExecutionFailedError` with SWF's
``cause`` (e.g. ``UNKNOWN_EXTERNAL_WORKFLOW_EXECUTION``) when it could not. Outside workflow
code (inside ``with worker:``, ``with workflow_starter(...)`` or an activity) the same calls are
made directly on SWF and return None; SWF's error is raised at once.
"""

from __future__ import annotations

from typing import Any

from .._runtime import ClientContext, DecisionContext, current
from ..data_converter import AbstractDataConverter, JSONDataConverter
from ..flow_types import SignalType
from ..workflow_execution import WorkflowExecution

__all__ = ["ExternalWorkflow"]


class ExternalWorkflow:
    """Another execution, named by its workflow id (and run id: None means its open run).

    Example, in a workflow::

        other = ExternalWorkflow("order-17")
        yield other.signal("approve", approver="ana")
        yield other.request_cancel()

    Signal inputs are encoded as ``[args, kwargs]`` with ``data_converter`` (JSON by default),
    as awsflow's ``@signal`` handlers expect.
    """

    def __init__(
        self, workflow_id: str, run_id: str | None = None, data_converter: AbstractDataConverter | None = None
    ) -> None:
        if not workflow_id:
            raise ValueError("ExternalWorkflow needs the workflow id of the execution")
        self.workflow_execution = WorkflowExecution(workflow_id, run_id)
        self.data_converter = data_converter or JSONDataConverter()

    def signal(self, signal_name: str, *args: Any, **kwargs: Any) -> Any:
        """Send ``signal_name(*args, **kwargs)``; from workflow code, a Future of its delivery."""
        signal = SignalType(signal_name).bound(self.workflow_execution, self.data_converter)
        return signal(*args, **kwargs)

    def request_cancel(self) -> Any:
        """Ask SWF to cancel the execution; from workflow code, a Future of the request's delivery.

        The execution decides how to react (it may clean up, or even ignore it); the Future says
        only that the request reached it.
        """
        context = current()
        if isinstance(context, DecisionContext):
            return context.runtime.request_cancel_external(self.workflow_execution)
        if isinstance(context, ClientContext):
            context.request_cancel_workflow_execution(self.workflow_execution)
            return None
        raise TypeError(
            "ExternalWorkflow.request_cancel can be called from workflow code, an activity, or "
            "inside 'with worker:' / 'with workflow_starter(...)'"
        )

    def __repr__(self) -> str:
        return f"<ExternalWorkflow {self.workflow_execution.workflow_id} {self.workflow_execution.run_id}>"
