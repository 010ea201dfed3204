"""The workflow-code API: what workflow code calls, all of it running inside the replay.

Every function here finds the running workflow's :class:`~awsflow.context.DecisionContext` and
asks its :class:`~awsflow.context.WorkflowRuntime` — the one protocol between workflow code and
the replay (``awsflow.decider.ExecutionReplay``, or ``awsflow.test.WorkflowTestingContext``). None
of it does I/O, reads a clock or draws randomness of its own: each answer is the same on every
replay. Called outside workflow code, each raises :class:`~awsflow.exceptions.NotInWorkflowError`.

- time (:mod:`._time`): ``now``, ``time``, ``sleep`` (a durable timer), ``is_replaying``;
- waiting on the workflow's own state (:mod:`._conditions`): ``wait_condition``;
- deterministic values (:mod:`._deterministic`): ``random``, ``uuid4``, ``side_effect``;
- versioning running code (:mod:`._versioning`): ``patched``, ``deprecate_patch``;
- living with SWF's history cap (:mod:`._history`): ``history_length``, ``continue_as_new``;
- other executions (:mod:`._external`): ``ExternalWorkflow``;
- durable fan-out (:mod:`._fanout`): ``fanout``.

Users import these from ``awsflow`` (and ``awsflow.workflow_time``, botoflow's path); each
shows that public module as its ``__module__``.
"""

from __future__ import annotations

from ._conditions import wait_condition
from ._deterministic import random, side_effect, uuid4
from ._external import ExternalWorkflow
from ._fanout import FanoutBatch, FanoutError, fanout
from ._history import continue_as_new, history_length
from ._time import is_replaying, now, sleep, time
from ._versioning import deprecate_patch, patched

__all__ = [
    "ExternalWorkflow",
    "FanoutBatch",
    "FanoutError",
    "continue_as_new",
    "deprecate_patch",
    "fanout",
    "history_length",
    "is_replaying",
    "now",
    "patched",
    "random",
    "side_effect",
    "sleep",
    "time",
    "uuid4",
    "wait_condition",
]
