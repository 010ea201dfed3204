"""The replaying decider: a workflow's history in, its next decisions out (no I/O)."""

from __future__ import annotations

from ._replay import DecisionOutcome, ExecutionReplay, WorkflowLookup, replay_decision

__all__ = ["DecisionOutcome", "ExecutionReplay", "WorkflowLookup", "replay_decision"]
