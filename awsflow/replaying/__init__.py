"""Replaying saved histories against the current workflow code (CI guard before a deploy).

:class:`Replayer` replays history files (``awsflow workflow history ID --json``, pages of
GetWorkflowExecutionHistory, botoflow 0.8's saved histories) or executions fetched from SWF,
and reports per history OK, NONDETERMINISM (with the call and source line) or ERROR. Also
exported by :mod:`awsflow.testing`; ``awsflow replay`` is its command line.

This module only re-exports; each name lives in a module of its own.

.. versionadded:: 0.1
"""

from __future__ import annotations

from ._fetching import fetch_histories, list_executions
from ._replayer import Replayer, ReplayOutcome, ReplayReport, ReplayResult
from ._sources import (
    HistoryFormatError,
    SavedHistory,
    history_files,
    history_from,
    load_histories,
    load_history,
)

__all__ = [
    "HistoryFormatError",
    "ReplayOutcome",
    "ReplayReport",
    "ReplayResult",
    "Replayer",
    "SavedHistory",
    "fetch_histories",
    "history_files",
    "history_from",
    "list_executions",
    "load_histories",
    "load_history",
]

for _public in (
    HistoryFormatError,
    ReplayOutcome,
    ReplayReport,
    ReplayResult,
    Replayer,
    SavedHistory,
    fetch_histories,
    history_files,
    history_from,
    list_executions,
    load_histories,
    load_history,
):
    _public.__module__ = __name__
del _public
