"""The identity of one workflow run: ``WorkflowExecution(workflow_id, run_id)``."""

from __future__ import annotations

from typing import Any, NamedTuple

__all__ = ["WorkflowExecution", "workflow_execution_from_swf_event"]


class WorkflowExecution(NamedTuple):
    """A workflow id and the run id SWF gave one run of it."""

    workflow_id: str | None
    run_id: str | None


def workflow_execution_from_swf_event(event: Any) -> WorkflowExecution:
    """The execution named in an event's attributes (``workflowExecution`` or the attributes)."""
    attributes = event.attributes if hasattr(event, "attributes") else event
    attributes = attributes.get("workflowExecution", attributes)
    return WorkflowExecution(attributes["workflowId"], attributes.get("runId"))
