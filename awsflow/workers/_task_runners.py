"""Where an activity worker runs the tasks its pollers take: one :class:`TaskRunner`, picked once.

- :class:`InlineRunner`: in the poller thread that took the task (botoflow's way); a poller busy
  with a task does not poll, so there is always room.
- :class:`ThreadPoolRunner`: each task in a thread of its own, at most ``max_concurrent`` at once.
- :class:`BoundedInlineRunner`: in the poller thread that took it, at most ``max_concurrent`` at
  once — for ``max_concurrent`` no more than the pollers, where the pollers alone give the
  concurrency and a thread per task would only add its start and a hand-off to each task.
- :class:`ProcessRunner`: in supervised child processes (``_process_pool``), which poll for
  themselves.

The poll loop asks :meth:`TaskRunner.wait_for_room` before each poll, so polling pauses while the
runner is full and no task waits in the worker while its SWF timeouts run. At shutdown
:meth:`TaskRunner.drain` waits for the tasks in flight, up to a grace period measured on the
runner's clock (injected; a monotonic clock in production), and hands back those still running
as :class:`Overrun` for the worker to fail.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from .._clock import Clock
from ..context import ActivityTask
from ._process_pool import ProcessPool
from ._stats import TaskInFlight
from ._supervision import overrun_reason

__all__ = [
    "BoundedInlineRunner",
    "Held",
    "InlineRunner",
    "Overrun",
    "ProcessRunner",
    "TaskReports",
    "TaskRunner",
    "ThreadPoolRunner",
    "feeding",
]

# How a task ended, as the worker that ran it reports it: the answer's operation (None: left for
# manual completion), whether SWF took it, and the failure reason if any.
Answer = tuple[str | None, bool, str | None]


@dataclass(frozen=True, slots=True)
class TaskReports:
    """What a runner tells its worker, which counts and logs."""

    taken: Callable[[ActivityTask, int | None], None]  # (task, pid of the process running it)
    finished: Callable[[ActivityTask, float, str | None, bool, str | None, int | None], None]
    lost: Callable[[ActivityTask, float, str, int | None], None]  # fail it: no answer will come
    count: Callable[[str, int], None]


@dataclass(frozen=True, slots=True)
class Overrun:
    """A task still running when the grace period ended, to be failed with ``reason``."""

    task: ActivityTask
    started_at: float
    reason: str
    pid: int | None
    thread: threading.Thread | None  # the thread left running it (it cannot be killed)


class Held:
    """A task run in one of this process's threads."""

    __slots__ = ("abandoned", "started_at", "task", "thread")

    def __init__(self, task: ActivityTask, started_at: float) -> None:
        self.task = task
        self.started_at = started_at
        self.thread = threading.current_thread()
        self.abandoned = False  # failed at shutdown: its own answer must not be sent


class TaskRunner(Protocol):
    """Runs the tasks a worker's pollers take (see the module docstring)."""

    def open(self) -> None:
        """Get ready to run tasks (start processes); called by the worker's ``start``."""

    def wait_for_room(self, stopping: threading.Event) -> bool:
        """Block while full and not ``stopping``; reserve a slot for the next poll.

        False when there is no room (the worker stopped meanwhile): the poller ends.
        """

    def release(self) -> None:
        """Give back the slot of a poll that brought no task."""

    def submit(self, task: ActivityTask) -> None:
        """Run a polled task in the slot its poll reserved."""

    def in_flight(self) -> tuple[TaskInFlight, ...]:
        """The tasks running now, oldest first."""

    @property
    def pids(self) -> tuple[int, ...]:
        """The child processes running tasks (none for threads)."""

    def wake(self) -> None:
        """Let waiters re-check (the worker is stopping or hurrying)."""

    def retire(self) -> None:
        """The worker starts again with another runner: threads kept idle here end."""

    def drain(self, grace_period: float | None, hurry: threading.Event, identity: str) -> list[Overrun]:
        """Wait for the tasks in flight (``grace_period`` seconds at most, None: no limit, or
        until ``hurry``); the tasks still running then, marked so their answers are dropped."""


def _daemon_thread(target: Callable[[], None], name: str) -> None:
    threading.Thread(target=target, name=name, daemon=True).start()


class InlineRunner:
    """Runs each task in the poller thread that took it (botoflow's behaviour).

    Args:
        run: runs a task and answers SWF (it must not answer once ``held.abandoned``).
        reports: the worker's counting and logging.
        clock: the clock start times and the grace period are read on.
    """

    def __init__(
        self, run: Callable[[ActivityTask, Held], Answer], reports: TaskReports, clock: Clock
    ) -> None:
        self._run = run
        self._reports = reports
        self._clock = clock
        self._changed = threading.Condition()  # guards _held and _reserved
        self._held: dict[str, Held] = {}
        self._reserved = 0  # slots taken by polls in flight whose task is not held yet
        clock.subscribe(self.wake)

    def open(self) -> None:
        return None

    def wait_for_room(self, stopping: threading.Event) -> bool:
        return True  # a poller running a task does not poll

    def release(self) -> None:
        return None

    def submit(self, task: ActivityTask) -> None:
        self.run_here(task)

    def run_here(self, task: ActivityTask, *, reserved: bool = False) -> None:
        """Run ``task`` in this thread, held (seen in flight) from start to answer."""
        held = Held(task, self._clock.now())
        with self._changed:
            self._held[task.token] = held
            if reserved:  # the poll's slot becomes the task's, in one step
                self._reserved -= 1
        self._reports.taken(task, None)
        try:
            operation, answered, reason = self._run(task, held)
        finally:
            with self._changed:
                self._held.pop(task.token, None)
                self._changed.notify_all()
        if not held.abandoned:
            self._reports.finished(task, held.started_at, operation, answered, reason, None)

    def in_flight(self) -> tuple[TaskInFlight, ...]:
        with self._changed:
            held = sorted(self._held.values(), key=lambda h: h.started_at)
        return tuple(task_in_flight(h.task, h.started_at, None) for h in held if not h.abandoned)

    @property
    def pids(self) -> tuple[int, ...]:
        return ()

    def wake(self) -> None:
        with self._changed:
            self._changed.notify_all()

    def retire(self) -> None:
        return None  # no threads of its own

    def drain(self, grace_period: float | None, hurry: threading.Event, identity: str) -> list[Overrun]:
        deadline = None if grace_period is None else self._clock.now() + grace_period
        with self._changed:
            # _reserved: a task just polled whose thread has not registered it yet
            while (self._held or self._reserved) and not hurry.is_set():
                if deadline is not None and self._clock.now() >= deadline:
                    break
                self._clock.wait(self._changed, deadline)
            late = [held for held in self._held.values() if not held.abandoned]
            for held in late:
                held.abandoned = True
        why = None if hurry.is_set() else grace_period
        return [
            Overrun(h.task, h.started_at, overrun_reason(identity, why, h.task), None, h.thread) for h in late
        ]


class ThreadPoolRunner(InlineRunner):
    """Runs each task in a thread of the pool, at most ``max_concurrent`` at once.

    The threads are kept from task to task until the worker stops (``stopping``): a thread per
    task would cost a thread start, and — a worker's client keeps one connection per thread —
    a new connection to the service (on awsflow.local, a new server thread too) for each
    answer. A task goes to an idle thread; a new thread starts only when none is idle, so
    there are at most ``max_concurrent``. Once ``stopping`` is set, a thread with nothing to
    run ends, so joining the worker returns; a task submitted later (a last poll's) gets a new one.

    ``spawn(target, name)`` starts a thread (the worker's, so joining the worker joins them);
    they must be daemons: a task overrunning the grace period cannot be killed, and must not
    keep the interpreter from exiting.
    """

    def __init__(
        self,
        run: Callable[[ActivityTask, Held], Answer],
        reports: TaskReports,
        clock: Clock,
        max_concurrent: int,
        *,
        stopping: threading.Event | None = None,
        spawn: Callable[[Callable[[], None], str], None] = _daemon_thread,
    ) -> None:
        super().__init__(run, reports, clock)
        self._max_concurrent = max_concurrent
        self._stopping = stopping if stopping is not None else threading.Event()
        self._spawn = spawn
        # Guarded by _changed: tasks submitted, not yet taken by a thread (their poll's slot
        # still counts in _reserved), and threads of the pool not running a task.
        self._pending: deque[ActivityTask] = deque()
        self._idle = 0
        self._started = 0
        # Set when replaced: a stop() followed at once by a start() may clear ``stopping``
        # before an idle thread has seen it set, and nothing would wake it here again.
        self._retired = False

    def wait_for_room(self, stopping: threading.Event) -> bool:
        with self._changed:
            while self._full() and not stopping.is_set():
                self._changed.wait()
            if self._full():
                return False
            self._reserved += 1
            return True

    def _full(self) -> bool:
        return len(self._held) + self._reserved >= self._max_concurrent

    def release(self) -> None:
        with self._changed:
            self._reserved -= 1
            self._changed.notify_all()

    def submit(self, task: ActivityTask) -> None:
        with self._changed:
            self._pending.append(task)
            start = len(self._pending) > self._idle
            if start:
                self._idle += 1  # counted idle from now: it will take a pending task first thing
                self._started += 1
            else:
                self._changed.notify_all()
            number = self._started
        if start:
            self._spawn(self._serve, f"activity runner {number}")

    def retire(self) -> None:
        with self._changed:
            self._retired = True
            self._changed.notify_all()

    def _serve(self) -> None:
        while (task := self._next_task()) is not None:
            self.run_here(task, reserved=True)
            with self._changed:
                self._idle += 1

    def _next_task(self) -> ActivityTask | None:
        """The next task to run; None once the worker is stopping and nothing is pending."""
        with self._changed:
            while not self._pending:
                if self._stopping.is_set() or self._retired:
                    self._idle -= 1
                    return None
                self._changed.wait()
            self._idle -= 1
            return self._pending.popleft()


class BoundedInlineRunner(ThreadPoolRunner):
    """Runs each task in the poller thread that took it, at most ``max_concurrent`` at once.

    The slot a poll reserved becomes its task's, as in :class:`ThreadPoolRunner`; only the
    thread differs. Meant for ``max_concurrent`` no larger than the number of pollers (with
    more, ``max_concurrent`` could not be reached: a poller running a task does not poll).
    """

    def submit(self, task: ActivityTask) -> None:
        self.run_here(task, reserved=True)


class ProcessRunner:
    """Runs tasks in ``processes`` supervised child processes built from ``recipe``.

    The children poll SWF themselves (``_process_pool``): the worker's own pollers never run
    (:meth:`wait_for_room` says there is no room); the worker's one thread runs
    :meth:`poll_in_children` instead. The pool is started by :meth:`open` and closed by
    :meth:`drain` (children still running a task then are killed); the next :meth:`open` starts
    a new one. ``pool_class`` builds the pool (a test passes a stand-in with no processes).
    """

    def __init__(
        self,
        recipe: dict[str, Any],
        processes: int,
        max_concurrent: int,
        reports: TaskReports,
        clock: Clock,
        name: str,
        *,
        stopping: threading.Event | None = None,
        pool_class: type[ProcessPool] = ProcessPool,
    ) -> None:
        self._pool_class = pool_class
        self._recipe = recipe
        self._processes = processes
        self._max_concurrent = max_concurrent
        self._reports = reports
        self._clock = clock
        self._name = name
        self._stopping = stopping if stopping is not None else threading.Event()
        self._pool: ProcessPool | None = None

    def open(self) -> None:
        if self._pool is None:
            self._pool = self._pool_class(
                self._recipe,
                self._processes,
                self._max_concurrent,
                clock=self._clock,
                name=self._name,
                count=self._reports.count,
                taken=self._reports.taken,
                finished=self._reports.finished,
                lost=self._reports.lost,
            )
            self._pool.start()

    def _opened(self) -> ProcessPool:
        assert self._pool is not None, "the worker opens its runner before polling"
        return self._pool

    def poll_in_children(self, pollers: int, ready: Callable[[], None]) -> None:
        """Tell the children to poll (``pollers`` threads each, at most its share), then wait
        until they are told to stop (:meth:`wake` once the worker is stopping) and report that
        they stopped: their polls ended and the tasks those brought were answered."""
        pool = self._opened()
        pool.start_polling(pollers)
        ready()
        pool.wait_polls_ended()

    def wait_for_room(self, stopping: threading.Event) -> bool:
        return False  # the children poll: the worker's own pollers never do

    def release(self) -> None:
        return None

    def submit(self, task: ActivityTask) -> None:
        raise RuntimeError(f"activity task {task.id}: processes=N workers' children poll for themselves")

    def in_flight(self) -> tuple[TaskInFlight, ...]:
        pool = self._pool
        if pool is None:
            return ()
        return tuple(task_in_flight(a.task, a.started_at, a.pid) for a in pool.assignments())

    @property
    def pids(self) -> tuple[int, ...]:
        pool = self._pool
        return tuple(pool.pids) if pool is not None else ()

    def wake(self) -> None:
        pool = self._pool
        if pool is not None:
            if self._stopping.is_set():
                pool.stop_polling()  # at once: the children release their long polls
            pool.wake()

    def retire(self) -> None:
        return None  # replaced only once drained (or never opened): its pool is closed

    def drain(self, grace_period: float | None, hurry: threading.Event, identity: str) -> list[Overrun]:
        pool, self._pool = self._pool, None
        if pool is None:
            return []
        deadline = None if grace_period is None else self._clock.now() + grace_period
        pool.wait_idle(deadline, hurry)
        failures = pool.close(identity, None if hurry.is_set() else grace_period)
        return [
            Overrun(f.assignment.task, f.assignment.started_at, f.reason, f.assignment.pid, None)
            for f in failures
        ]


def feeding(runner: TaskRunner, poll: Callable[[], ActivityTask | None]) -> Callable[[], None]:
    """One round of a poller feeding ``runner``: a poll (in the slot ``wait_for_room`` reserved),
    then its task submitted, or the slot released if none came (or the poll failed)."""

    def poll_into_runner() -> None:
        task = None
        try:
            task = poll()
        finally:
            if task is None:
                runner.release()
        if task is not None:
            runner.submit(task)

    return poll_into_runner


def task_in_flight(task: ActivityTask, started_at: float, pid: int | None) -> TaskInFlight:
    return TaskInFlight(
        task.id,
        task.name,
        task.version,
        task.workflow_execution.workflow_id,
        task.workflow_execution.run_id,
        started_at,
        pid,
    )
