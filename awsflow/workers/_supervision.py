"""The bookkeeping of a supervised process pool: which task is in which process, and what to do
when a process ends. Pure (no processes, pipes or clock here); ``_process_pool`` is the plumbing.

Rules:

- each process polls SWF for itself and runs at most its *share* of ``max_concurrent``: the
  shares split it as evenly as possible (floor or ceiling, :func:`split`), each at least one,
  so the tasks in flight never exceed ``max_concurrent`` and no task waits in a process while
  its SWF timeouts run; a process replacing one that died gets the dead one's share;
- a process reports each task it takes (:meth:`Supervision.took`) before running it, and each
  it answered (:meth:`Supervision.finished`);
- a process told to poll is *busy* until it reports that it stopped (its polls ended and the
  tasks they brought were answered): only then can no more tasks come from it;
- a process that ends while holding tasks crashed: each of its tasks is to be failed at once
  with a reason naming the process and how it ended (signal or exit code), and a new process
  is to replace it — unless the pool is closing;
- at shutdown, the tasks still held when the grace period ends are to be failed with a reason
  naming the grace period.
"""

from __future__ import annotations

import signal
from dataclasses import dataclass, field
from typing import Any

from .._swf import LIMITS

__all__ = ["Assignment", "Failure", "Supervision", "describe_exit", "split"]


@dataclass(frozen=True, slots=True)
class Assignment:
    """A task a process took, and when it reported it (the caller's clock)."""

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
    share: int
    ready: bool = False
    tasks: dict[str, Assignment] = field(default_factory=dict)  # by task token
    polling: bool = False  # told to poll, and not told to stop since
    unstopped: int = 0  # times told to poll minus the stops it reported: busy while above 0


def split(max_concurrent: int, processes: int) -> list[int]:
    """Each process's share of ``max_concurrent``, larger shares first.

    >>> split(5, 2)
    [3, 2]
    >>> split(2, 2)
    [1, 1]
    """
    if processes < 1 or max_concurrent < processes:
        raise ValueError(
            f"max_concurrent={max_concurrent} is less than processes={processes}: each process polls "
            "for itself and runs at least one task at a time, so max_concurrent must be at least "
            "processes (and processes at least 1)"
        )
    base, extra = divmod(max_concurrent, processes)
    return [base + 1 if index < extra else base for index in range(processes)]


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
    """Which task is in which process of a pool, and which processes may still take tasks.

    Args:
        processes: how many processes the pool keeps.
        max_concurrent: the most tasks in flight at once, over all processes (at least
            ``processes``: see :func:`split`).
    """

    def __init__(self, processes: int, max_concurrent: int) -> None:
        self.processes = processes
        self.max_concurrent = max_concurrent
        self.shares = split(max_concurrent, processes)
        self._pool: dict[int, _Process] = {}

    # -- processes ------------------------------------------------------------------------------
    def started(self, pid: int) -> int:
        """A process was started; its share (the largest no live process holds)."""
        free = list(self.shares)
        for process in self._pool.values():
            free.remove(process.share)
        self._pool[pid] = _Process(free[0])
        return free[0]

    def ready(self, pid: int) -> None:
        """The process has set up and waits for commands."""
        if pid in self._pool:
            self._pool[pid].ready = True

    def is_ready(self, pid: int) -> bool:
        process = self._pool.get(pid)
        return process is not None and process.ready

    def share(self, pid: int) -> int:
        """The most tasks the process may hold at once."""
        return self._pool[pid].share

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

    # -- polling --------------------------------------------------------------------------------
    def to_poll(self) -> list[int]:
        """The processes to tell to poll now (those not polling); each is busy from now on."""
        pids = [pid for pid, process in self._pool.items() if not process.polling]
        for pid in pids:
            self._pool[pid].polling = True
            self._pool[pid].unstopped += 1
        return pids

    def to_stop(self) -> list[int]:
        """The processes to tell to stop polling now (those polling); busy until :meth:`stopped`."""
        pids = [pid for pid, process in self._pool.items() if process.polling]
        for pid in pids:
            self._pool[pid].polling = False
        return pids

    def stopped(self, pid: int) -> None:
        """The process reports that it stopped: its polls ended, their tasks were answered."""
        process = self._pool.get(pid)
        if process is not None and process.unstopped:
            process.unstopped -= 1

    @property
    def busy(self) -> bool:
        """Whether some process may still take a task (it polls, or has not reported its stop)."""
        return any(process.unstopped for process in self._pool.values())

    # -- tasks ----------------------------------------------------------------------------------
    @property
    def in_flight(self) -> int:
        return sum(len(process.tasks) for process in self._pool.values())

    def took(self, pid: int, task: Any, now: float) -> Assignment | None:
        """The process reports it took ``task`` from SWF; None if the process is gone already."""
        process = self._pool.get(pid)
        if process is None:
            return None
        assignment = Assignment(pid, task, now)
        process.tasks[task.token] = assignment
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
