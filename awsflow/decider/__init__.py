"""The replaying decider: a workflow's history in, its next decisions out (no I/O)."""

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
