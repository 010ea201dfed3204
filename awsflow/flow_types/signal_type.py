"""A signal a workflow accepts; bound to an execution, calling it sends the signal.

From a starter or an activity the call is SignalWorkflowExecution; from workflow code it is a
SignalExternalWorkflowExecution decision (botoflow could not signal from a workflow). The input
is encoded as ``[args, kwargs]``, as botoflow did.
"""

from __future__ import annotations

from typing import Any

from .._runtime import ClientContext, DecisionContext, current
from ..data_converter import AbstractDataConverter

__all__ = ["SignalType"]


class SignalType:
    """A named signal, optionally bound to the workflow execution it is sent to."""

    def __init__(
        self, name: str, data_converter: AbstractDataConverter | None = None, *, strict: bool = False
    ) -> None:
        self.name = name
        self.data_converter = data_converter
        self.strict = strict  # a malformed input fails the workflow (see awsflow.decorators.signal)
        self.workflow_execution: Any = None

    def bound(self, workflow_execution: Any, data_converter: AbstractDataConverter) -> SignalType:
        """A copy aimed at ``workflow_execution`` (a type is shared by all instances)."""
        copy = SignalType(self.name, self.data_converter or data_converter, strict=self.strict)
        copy.workflow_execution = workflow_execution
        return copy

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """Send the signal; returns None (or a Future of the delivery, from workflow code)."""
        if self.workflow_execution is None or self.workflow_execution.workflow_id is None:
            raise TypeError(f"Signal {self.name} is not bound to a started workflow execution")
        assert self.data_converter is not None
        encoded = self.data_converter.dumps([args, kwargs])
        context = current()
        if isinstance(context, DecisionContext):
            return context.runtime.signal_external(self.workflow_execution, self.name, encoded)
        if isinstance(context, ClientContext):
            context.signal_workflow_execution(self.workflow_execution, self.name, encoded)
            return None
        raise TypeError(
            f"Signal {self.name} can be sent from workflow code, an activity, or inside "
            "'with worker:' / 'with workflow_starter(...)'"
        )

    def __repr__(self) -> str:
        return f"<SignalType name={self.name} workflow_execution={self.workflow_execution}>"
