"""The replaying decider: a workflow's history in, its next decisions out (no I/O).

:class:`ExecutionReplay` is the :class:`~awsflow.context.WorkflowRuntime` of the workflow code
it replays: every call the code makes through the runtime protocol becomes a decision, checked
against the history on replay (see ``docs/architecture.rst``). The decider imports only
``awsflow.core``, ``awsflow._swf`` (SWF's table, limits and codecs), ``awsflow.exceptions``,
``awsflow.decision_failures`` (the names of a failed decision task's events, which replay skips)
and its side of the seam, ``awsflow._runtime``: no botocore, threads, clock or randomness.
"""

from __future__ import annotations

from ._replay import (
    DecisionOutcome,
    ExecutionReplay,
    WorkflowLookup,
    replay_decision,
    replay_decision_keeping_state,
)

__all__ = [
    "DecisionOutcome",
    "ExecutionReplay",
    "WorkflowLookup",
    "replay_decision",
    "replay_decision_keeping_state",
]

# Public objects show their public module in tracebacks and docs.
for _public in (DecisionOutcome, ExecutionReplay, replay_decision, replay_decision_keeping_state):
    _public.__module__ = __name__
del _public
