"""Task-list sentinels, child policies and time multipliers (botoflow's constants).

``USE_WORKER_TASK_LIST`` means "the task list of the worker that registers the type";
``NO_DEFAULT_TASK_LIST`` registers no default, so every call must name a task list. The time
multipliers make timeouts readable: ``start_to_close_timeout=5 * MINUTES``.
"""

from __future__ import annotations

__all__ = [
    "CHILD_ABANDON",
    "CHILD_REQUEST_CANCEL",
    "CHILD_TERMINATE",
    "DAYS",
    "HOURS",
    "MINUTES",
    "NO_DEFAULT_TASK_LIST",
    "SECONDS",
    "USE_WORKER_TASK_LIST",
    "WEEKS",
]

USE_WORKER_TASK_LIST = "USE_WORKER_TASK_LIST"
NO_DEFAULT_TASK_LIST = "NO_DEFAULT_TASK_LIST"

CHILD_TERMINATE = "TERMINATE"
CHILD_REQUEST_CANCEL = "REQUEST_CANCEL"
CHILD_ABANDON = "ABANDON"

SECONDS = 1
MINUTES = 60
HOURS = 3600
DAYS = 86400
WEEKS = 604800
