"""The contexts' old module: awsflow.workers import from here until they take the names from
:mod:`awsflow.context` (issue 12: the workers are reworked on another branch). Nothing else may;
delete this module then.
"""

from __future__ import annotations

from .._runtime import StartWorkflowContext, peek_context, set_context
from ._activity import ActivityContext

__all__ = ["ActivityContext", "StartWorkflowContext", "peek_context", "set_context"]
