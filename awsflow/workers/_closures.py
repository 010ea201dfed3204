"""A process-wide notice board of executions this process's workers have just closed.

Waiting for a workflow's result has no SWF call to block on. When the workflow worker that
closes an execution runs in the same process (hello world, tests, one-box deployments), it posts
here and the waiter wakes at once; otherwise the waiter falls back to asking SWF at a slowly
growing interval. Either way nothing spins.
"""

from __future__ import annotations

import threading

_changed = threading.Condition()
_closed: set[tuple[str, str]] = set()
_RECENT_LIMIT = 10_000


def post(workflow_id: str, run_id: str) -> None:
    """Note that a close decision for this run was accepted by SWF."""
    with _changed:
        if len(_closed) > _RECENT_LIMIT:
            _closed.clear()
        _closed.add((workflow_id, run_id))
        _changed.notify_all()


def wait(workflow_id: str, run_id: str, timeout: float) -> bool:
    """Wait up to ``timeout`` seconds for a post about this run; True if one came."""
    with _changed:
        return _changed.wait_for(lambda: (workflow_id, run_id) in _closed, timeout)
