"""What a worker has done so far: counters, a snapshot of them, and the tasks it holds now.

The counters are bumped by the threads that do the work and read as one consistent
:class:`WorkerStats` snapshot (``worker.stats``), cheap enough to export to a metrics system
on every scrape.
"""

from __future__ import annotations

import dataclasses
import threading
from dataclasses import dataclass

__all__ = ["TaskInFlight", "WorkerStats"]

# The outcome of a task, as the answer sent for it names it.
OUTCOME_FIELDS = {
    "RespondActivityTaskCompleted": "tasks_completed",
    "RespondActivityTaskFailed": "tasks_failed",
    "RespondActivityTaskCanceled": "tasks_canceled",
    "RespondDecisionTaskCompleted": "tasks_completed",
}


@dataclass(frozen=True, slots=True)
class WorkerStats:
    """A snapshot of a worker's counters since it was created.

    Attributes:
        tasks_started: tasks taken from SWF.
        tasks_completed: activity tasks answered completed; decision tasks answered.
        tasks_failed: activity tasks answered failed (the activity raised, its process crashed,
            or it overran the shutdown grace period); decision tasks left unanswered because
            deciding raised.
        tasks_canceled: activity tasks answered canceled.
        tasks_in_flight: tasks taken and not yet answered.
        poll_errors: polls that raised (the worker backs off and polls again).
        answer_errors: answers SWF did not take (the task had timed out, or retries ran out).
        heartbeats: heartbeats sent (the activities' own, automatic ones, and yields).
        crashes: activity processes that died unexpectedly (``processes=N`` only).
        overruns: tasks failed at shutdown because they ran past the grace period.
        decisions_sticky: decision tasks decided from the run's kept replay (only the new
            events fed).
        decisions_cold: decision tasks of a run decided before (by this worker or another) that
            had to be replayed from the whole history: another worker decided last, the kept
            replay was evicted, or the worker restarted. In steady state with routing on (the
            default) this stays 0.
    """

    tasks_started: int = 0
    tasks_completed: int = 0
    tasks_failed: int = 0
    tasks_canceled: int = 0
    tasks_in_flight: int = 0
    poll_errors: int = 0
    answer_errors: int = 0
    heartbeats: int = 0
    crashes: int = 0
    overruns: int = 0
    decisions_sticky: int = 0
    decisions_cold: int = 0


@dataclass(frozen=True, slots=True)
class TaskInFlight:
    """A task a worker holds now.

    Attributes:
        activity_id: the activity id (for decision tasks, the workflow id).
        name: the activity (or workflow) type name.
        version: its version.
        workflow_id: the execution that scheduled it.
        run_id: its run.
        started_at: when the worker took it (``time.monotonic()``).
        pid: the process running it (``processes=N``), else None (a thread of the worker's).
    """

    activity_id: str
    name: str
    version: str
    workflow_id: str | None
    run_id: str | None
    started_at: float
    pid: int | None = None


class Counters:
    """Thread-safe counters behind :class:`WorkerStats`."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._values = {field.name: 0 for field in dataclasses.fields(WorkerStats)}

    def add(self, name: str, amount: int = 1) -> None:
        with self._lock:
            self._values[name] += amount

    def snapshot(self, **current: int) -> WorkerStats:
        with self._lock:
            return WorkerStats(**{**self._values, **current})
