"""Workers: the I/O shells that poll SWF and run workflow and activity code."""

from __future__ import annotations

from ._stats import TaskInFlight, WorkerStats
from .activity_worker import ActivityWorker
from .base_worker import BaseWorker
from .multiprocessing_executor import MultiprocessingActivityExecutor, MultiprocessingWorkflowExecutor
from .threaded_executor import ThreadedActivityExecutor, ThreadedWorkflowExecutor
from .workflow_worker import GenericWorkflowWorker, WorkflowWorker

__all__ = [
    "ActivityWorker",
    "BaseWorker",
    "GenericWorkflowWorker",
    "MultiprocessingActivityExecutor",
    "MultiprocessingWorkflowExecutor",
    "TaskInFlight",
    "ThreadedActivityExecutor",
    "ThreadedWorkflowExecutor",
    "WorkerStats",
    "WorkflowWorker",
]

# Public objects defined in private modules show their public module in tracebacks and docs.
for _public in (TaskInFlight, WorkerStats):
    _public.__module__ = __name__
del _public
