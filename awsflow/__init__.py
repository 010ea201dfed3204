"""awsflow: durable, distributed workflows on Amazon SWF, in the style of the AWS Flow Framework.

Write workflows as generators that ``yield`` activity calls, run workers in ``with`` blocks,
start executions by calling a workflow's ``@execute`` method. The API is botoflow 0.8's:
``from awsflow import ...`` where code said ``from botoflow import ...``.

:mod:`awsflow.local` is an SWF-compatible service to develop and test against.

How the package is laid out (``docs/architecture.rst``): workflow code and the workflow-code API
(``awsflow._workflow``) run inside the replay and reach it only through one protocol,
:class:`awsflow.context.WorkflowRuntime` (``awsflow._runtime``); the replay (``awsflow.decider``,
``awsflow.core``, ``awsflow._swf``) is pure; the workers, starters and queries do the I/O.
"""

from __future__ import annotations

from ._workflow import (
    ExternalWorkflow,
    FanoutError,
    continue_as_new,
    deprecate_patch,
    fanout,
    history_length,
    patched,
    random,
    side_effect,
    uuid4,
    wait_condition,
)
from .activity_retrying import retry_on_exception
from .context import get_context, set_context
from .core import Future, Return, coroutine, return_
from .decorators import (
    activities,
    activity,
    execute,
    manual_activity,
    retry_activity,
    signal,
    workflow,
)
from .exceptions import ActivityCancelledError
from .flow_types import ActivityType, SignalType, WorkflowType
from .handles import WorkflowHandle, get_workflow
from .options import activity_options, workflow_options
from .queries import query, query_workflow
from .retry_policy import RetryPolicy
from .workers import (
    ActivityWorker,
    GenericWorkflowWorker,
    MultiprocessingActivityExecutor,
    MultiprocessingWorkflowExecutor,
    ThreadedActivityExecutor,
    ThreadedWorkflowExecutor,
    WorkflowWorker,
)
from .workflow_definition import WorkflowDefinition
from .workflow_starting import workflow_starter

__version__ = "0.1.0.dev0"

# Public objects defined in private modules show their public module in tracebacks, docs and
# encoded errors.
for _public in (
    ExternalWorkflow,
    FanoutError,
    continue_as_new,
    deprecate_patch,
    fanout,
    history_length,
    patched,
    random,
    side_effect,
    uuid4,
    wait_condition,
):
    _public.__module__ = __name__
del _public

__all__ = [
    "ActivityCancelledError",
    "ActivityType",
    "ActivityWorker",
    "ExternalWorkflow",
    "FanoutError",
    "Future",
    "GenericWorkflowWorker",
    "MultiprocessingActivityExecutor",
    "MultiprocessingWorkflowExecutor",
    "RetryPolicy",
    "Return",
    "SignalType",
    "ThreadedActivityExecutor",
    "ThreadedWorkflowExecutor",
    "WorkflowDefinition",
    "WorkflowHandle",
    "WorkflowType",
    "WorkflowWorker",
    "__version__",
    "activities",
    "activity",
    "activity_options",
    "continue_as_new",
    "coroutine",
    "deprecate_patch",
    "execute",
    "fanout",
    "get_context",
    "get_workflow",
    "history_length",
    "manual_activity",
    "patched",
    "query",
    "query_workflow",
    "random",
    "retry_activity",
    "retry_on_exception",
    "return_",
    "set_context",
    "side_effect",
    "signal",
    "uuid4",
    "wait_condition",
    "workflow",
    "workflow_options",
    "workflow_starter",
]

# After ``import botoflow`` these submodules were attributes of the package (its __init__
# imported them on the way), so botoflow code writes ``botoflow.workflow_time.sleep(...)`` with
# no import of its own. awsflow keeps that working, importing each on first use only.
_LAZY_SUBMODULES = frozenset({"decisions", "history_events", "test", "utils", "workflow_time"})


def __getattr__(name: str) -> object:
    if name in _LAZY_SUBMODULES:
        import importlib

        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
