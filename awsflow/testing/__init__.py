"""Testing your workflows: a time-skipping SWF in this process, activities run alone, mocks, replays.

- :class:`WorkflowEnvironment` runs workflows on real workers against an in-process
  ``awsflow.local`` whose virtual clock skips ahead while nothing is in flight;
- :class:`ActivityEnvironment` runs one activity with a fake task context (heartbeats,
  cancellation, attempt number);
- :func:`mock_activities` stands in for activities with plain callables;
- :class:`Replayer` replays saved histories against the current workflow code (see
  :mod:`awsflow.replaying`);
- the pytest plugin (``awsflow.testing.pytest_plugin``, found through its ``pytest11`` entry
  point) gives the fixtures ``swf_env`` and ``swf_client``.

This module only re-exports; each name lives in a module of its own.
"""

from __future__ import annotations

from ..replaying import Replayer
from ._activity_environment import ActivityEnvironment
from ._environment import WorkflowEnvironment
from ._mocks import mock_activities

__all__ = [
    "ActivityEnvironment",
    "Replayer",
    "WorkflowEnvironment",
    "mock_activities",
]

for _public in (ActivityEnvironment, WorkflowEnvironment, mock_activities):
    _public.__module__ = __name__
del _public
