"""Execution handles: signal, cancel, terminate, describe, read and wait for a workflow execution
from outside workflow code.

- :func:`get_workflow` gives a :class:`WorkflowHandle` for any execution by workflow id (and
  run id); the instance that starting a workflow returns has the same methods;
- :meth:`WorkflowHandle.describe` gives an :class:`ExecutionDescription` (status, times, open
  counts, pending tasks, a decision failing);
- :meth:`WorkflowHandle.history` gives :class:`HistoryEvent` values, page by page.

This module only re-exports; each name lives in a module of its own.

.. versionadded:: 0.1
"""

from __future__ import annotations

from ._description import (
    ExecutionDescription,
    ExecutionStatus,
    OpenCounts,
    PendingActivity,
    PendingDecision,
    TaskState,
)
from ._events import HistoryEvent, UndecodablePayload
from ._failing import DecisionFailure
from ._handle import WorkflowHandle, client_caller, get_workflow
from ._plain import to_plain

__all__ = [
    "DecisionFailure",
    "ExecutionDescription",
    "ExecutionStatus",
    "HistoryEvent",
    "OpenCounts",
    "PendingActivity",
    "PendingDecision",
    "TaskState",
    "UndecodablePayload",
    "WorkflowHandle",
    "client_caller",
    "get_workflow",
    "to_plain",
]

for _public in (
    DecisionFailure,
    ExecutionDescription,
    ExecutionStatus,
    HistoryEvent,
    OpenCounts,
    PendingActivity,
    PendingDecision,
    TaskState,
    UndecodablePayload,
    WorkflowHandle,
    client_caller,
    get_workflow,
    to_plain,
):
    _public.__module__ = __name__
del _public
