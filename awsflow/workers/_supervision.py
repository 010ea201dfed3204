"""The bookkeeping of a supervised process pool: which task is in which process, and what to do
when a process ends. Pure (no processes, pipes or clock here); ``_process_pool`` is the plumbing.

Rules:

- a task goes to the ready process holding the fewest tasks, and only while fewer than
  ``max_concurrent`` tasks are in flight and some ready process has room (each holds at most
  ``ceil(max_concurrent / processes)``); otherwise the poller waits, so no task sits in the
  worker while its SWF timeouts run;
- a process that ends while holding tasks crashed: each of its tasks is to be failed at once
  with a reason naming the process and how it ended (signal or exit code), and a new process
  is to replace it — unless the pool is closing;
- at shutdown, the tasks still held when the grace period ends are to be failed with a reason
  naming the grace period.
"""

from __future__ import annotations

import math
import signal
from dataclasses import dataclass, field
from typing import Any

from .._swf import LIMITS

__all__ = ["Assignment", "Failure", "Supervision", "describe_exit"]


@dataclass(frozen=True, slots=True)
class Assignment:
    """A task handed to a process, and when (the caller's clock)."""

    pid: int
    task: Any  # an ActivityTask
    started_at: float


@dataclass(frozen=True, slots=True)
class Failure:
    """A task to fail now, and the reason to give SWF."""

    assignment: Assignment
    reason: str


@dataclass(slots=True)
class _Process:
    ready: bool = False
    tasks: dict[str, Assignment] = field(default_factory=dict)  # by task token


def describe_exit(exitcode: int | None) -> str:
    """How a process ended, from ``multiprocessing``'s exit code (negative: killed by a signal).

    >>> describe_exit(-9)
    'was killed by SIGKILL (signal 9)'
    >>> describe_exit(3)
    'exited with code 3'
    """
    if exitcode is None:
        return "stopped answering"
    if exitcode < 0:
        number = -exitcode
        try:
            name = signal.Signals(number).name
        except ValueError:
            name = "an unknown signal"
        return f"was killed by {name} (signal {number})"
    return f"exited with code {exitcode}"


def _task_name(task: Any) -> str:
    return f"activity {task.name} {task.version}, id {task.id}"


def crash_reason(pid: int, exitcode: int | None, task: Any) -> str:
    """The failure reason of a task whose process died (within SWF's 256 characters)."""
    return f"activity process {pid} {describe_exit(exitcode)} while running this task ({_task_name(task)})"[
        : LIMITS.reason
    ]


def overrun_reason(identity: str, grace_period: float | None, task: Any) -> str:
    """The failure reason of a task still running when its worker stopped waiting for it.

    ``grace_period`` None: the worker was told to stop at once (a second SIGTERM/SIGINT).

    >>> class Task: name, version, id = "Files.copy", "1.0", "7"
    >>> overrun_reason("12:host", 30, Task())
    'worker 12:host shut down and this task ran past the 30 s grace period (activity Files.copy 1.0, id 7)'
    """
    if grace_period is None:
        why = (
            f"worker {identity} was told to stop at once (a second SIGTERM/SIGINT) before this task finished"
        )
    else:
        why = f"worker {identity} shut down and this task ran past the {grace_period:g} s grace period"
    return f"{why} ({_task_name(task)})"[: LIMITS.reason]


class Supervision:
    """Which task is in which process of a pool.

    Args:
        processes: how many processes the pool keeps.
        max_concurrent: the most tasks in flight at once, over all processes.
    """

    def __init__(self, processes: int, max_concurrent: int) -> None:
        if processes < 1 or max_concurrent < 1:
            raise ValueError(
                f"processes and max_concurrent must be 1 or more, not {processes} and {max_concurrent}"
            )
        self.processes = processes
        self.max_concurrent = max_concurrent
        self.per_process = math.ceil(max_concurrent / processes)
        self._pool: dict[int, _Process] = {}

    # -- processes ------------------------------------------------------------------------------
    def started(self, pid: int) -> None:
        """A process was started; it takes tasks once :meth:`ready`."""
        self._pool[pid] = _Process()

    def ready(self, pid: int) -> None:
        """The process has set up and waits for tasks."""
        if pid in self._pool:
            self._pool[pid].ready = True

    def is_ready(self, pid: int) -> bool:
        process = self._pool.get(pid)
        return process is not None and process.ready

    def ended(self, pid: int, exitcode: int | None) -> list[Failure]:
        """The process ended: the tasks it held, each with the reason to fail it."""
        gone = self._pool.pop(pid, None)
        if gone is None:
            return []
        return [Failure(held, crash_reason(pid, exitcode, held.task)) for held in gone.tasks.values()]

    @property
    def missing(self) -> int:
        """How many processes to start to have the pool full."""
        return self.processes - len(self._pool)

    @property
    def pids(self) -> list[int]:
        return list(self._pool)

    # -- tasks ----------------------------------------------------------------------------------
    @property
    def in_flight(self) -> int:
        return sum(len(process.tasks) for process in self._pool.values())

    def has_room(self) -> bool:
        """True if a task may be taken now (poll only then)."""
        return self.in_flight < self.max_concurrent and self._least_loaded() is not None

    def assign(self, task: Any, now: float) -> Assignment:
        """Hand ``task`` to the ready process with the fewest tasks; ValueError if none has room."""
        pid = self._least_loaded()
        if pid is None or self.in_flight >= self.max_concurrent:
            raise ValueError(f"no process has room for activity task {task.id}: poll only when has_room()")
        assignment = Assignment(pid, task, now)
        self._pool[pid].tasks[task.token] = assignment
        return assignment

    def finished(self, pid: int, token: str) -> Assignment | None:
        """The process answered the task; None if it was no longer held (failed meanwhile)."""
        process = self._pool.get(pid)
        return None if process is None else process.tasks.pop(token, None)

    def assignments(self) -> list[Assignment]:
        """Every task held now, oldest first."""
        held = [a for process in self._pool.values() for a in process.tasks.values()]
        return sorted(held, key=lambda assignment: assignment.started_at)

    def overrun(self, identity: str, grace_period: float | None) -> list[Failure]:
        """At the end of the grace period: every task still held, released, with its reason."""
        failures = [
            Failure(held, overrun_reason(identity, grace_period, held.task)) for held in self.assignments()
        ]
        for process in self._pool.values():
            process.tasks.clear()
        return failures

    def _least_loaded(self) -> int | None:
        candidates = [
            (len(process.tasks), pid)
            for pid, process in self._pool.items()
            if process.ready and len(process.tasks) < self.per_process
        ]
        return min(candidates)[1] if candidates else None
