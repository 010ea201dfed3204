"""The SWF types awsflow code declares: activity types, workflow types and signals."""

from __future__ import annotations

from .activity_type import ActivityType
from .signal_type import SignalType
from .workflow_type import WorkflowType

__all__ = ["ActivityType", "SignalType", "WorkflowType"]
