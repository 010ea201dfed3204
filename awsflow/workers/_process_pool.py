"""The plumbing of ``ActivityWorker(..., processes=N)``: child processes, pipes, a monitor thread.

The worker's own process polls (one poller) and hands each task down a pipe to a child; the
child runs it, heartbeats and answers SWF with a client of its own, then reports back. A monitor
thread waits on every child's pipe and process sentinel at once, so a child that dies — a
segfault, ``os._exit``, the kernel's OOM killer — is seen the moment it happens: the tasks it
held are failed at once with the reason (instead of waiting for a timeout) and a new child
replaces it. The bookkeeping is :class:`~._supervision.Supervision`, pure; this module only
moves messages.

Because children ignore SIGTERM, a pool still open when the interpreter exits (``stop()`` and
``join()`` leave it open for a later ``start()``; only ``shutdown()`` closes it) is closed by an
exit hook: its children finish the tasks they hold and leave. Without it, multiprocessing's own
exit hook — SIGTERM each daemon child, then wait for it — would wait forever.

Children are started with ``spawn`` (forking a process that runs threads is unsafe) from the
worker's *recipe* (see ``multiprocessing_executor``): the activity instances must be picklable.
Children ignore SIGINT and SIGTERM — a Ctrl-C or a service manager signals the whole process
group, and the supervisor, not the signal, decides when a child stops: when its pipe closes it
finishes the tasks it holds and exits; a child still busy after the grace period is killed.
"""

from __future__ import annotations

import atexit
import contextlib
import logging
import multiprocessing
import multiprocessing.connection
import os
import queue
import signal
import threading
from collections.abc import Callable
from typing import Any
from weakref import WeakSet

from .._clock import Clock
from ._backoff import backoff_delay
from ._supervision import Failure, Supervision

logger = logging.getLogger(__name__)

CHILD_EXIT_TIMEOUT = 5.0  # seconds a child told to stop gets to leave before it is killed

# Pools started and not closed yet, for the exit hook (see the module docstring).
_open_pools: WeakSet[ProcessPool] = WeakSet()


@atexit.register  # after multiprocessing's own (imported above), so it runs before it
def _let_children_leave_at_exit() -> None:
    for pool in list(_open_pools):
        pool.let_children_leave()


def child_main(recipe: dict[str, Any], conn: Any) -> None:
    """A child's life: build the worker, then run each task the supervisor sends, in a thread."""
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, signal.SIG_IGN)
    from .multiprocessing_executor import _worker_from_recipe

    worker = _worker_from_recipe(recipe)
    sending = threading.Lock()
    conn.send(("ready", os.getpid()))

    def run(task: Any) -> None:
        operation, answered, reason = worker._run_and_answer(task)
        with sending:
            conn.send(("done", task.token, operation, answered, reason, worker.stats.heartbeats))

    threads = TaskThreads(run)
    while True:
        try:
            message = conn.recv()
        except EOFError:  # the supervisor is gone or closed the pipe: finish up and leave
            break
        if message[0] == "stop":
            break
        threads.submit(message[1])
    threads.close()


class TaskThreads:
    """The threads a child runs its tasks in, kept from task to task.

    A thread per task would cost a thread start, and — a worker's client keeps one connection
    per thread — a new connection to the service (and, on awsflow.local, a new server thread)
    for every answer. A task goes to an idle thread; a new one starts only when none is idle,
    so there are never more threads than tasks held at once (the supervisor bounds those).
    """

    def __init__(self, run: Callable[[Any], None]) -> None:
        self._run = run
        self._queue: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._idle = 0  # threads waiting for a task that no submit() has claimed yet
        self._threads: list[threading.Thread] = []

    def submit(self, task: Any) -> None:
        with self._lock:
            if self._idle:
                self._idle -= 1  # claimed: one waiting thread takes this task
            else:
                thread = threading.Thread(target=self._loop, name=f"activity runner {len(self._threads)}")
                self._threads.append(thread)
                thread.start()
        self._queue.put(task)

    def close(self) -> None:
        """Let the threads finish the tasks they hold, and wait for them."""
        for _ in self._threads:
            self._queue.put(None)
        for thread in self._threads:
            thread.join()

    def _loop(self) -> None:
        while (task := self._queue.get()) is not None:
            # An error escaping run() ends this thread (threading's hook reports it, as when each
            # task had a thread): it never counts as idle, so the next task gets a new thread.
            self._run(task)
            with self._lock:
                self._idle += 1


class ProcessPool:
    """N supervised child processes running the tasks an :class:`ActivityWorker` polls.

    Args:
        recipe: how children build their worker (``multiprocessing_executor._recipe``).
        processes: children to keep.
        max_concurrent: tasks in flight at most, over all children.
        clock: start times and the shutdown deadline are read on it.
        name: the polling worker's name, for logs and thread names.
        count: bumps one of the worker's counters (by an amount).
        finished: the worker's report of a task a child answered
            ``(task, started_at, operation, answered, reason, pid)``.
        lost: fails a task whose child died ``(task, started_at, reason, pid)``.
    """

    def __init__(
        self,
        recipe: dict[str, Any],
        processes: int,
        max_concurrent: int,
        *,
        clock: Clock,
        name: str,
        count: Callable[[str, int], None],
        finished: Callable[[Any, float, str | None, bool, str | None, int | None], None],
        lost: Callable[[Any, float, str, int | None], None],
    ) -> None:
        self._name = name
        self._clock = clock
        self._count = count
        self._finished = finished
        self._lost = lost
        self._recipe = recipe
        self._context = multiprocessing.get_context("spawn")
        self._supervision = Supervision(processes, max_concurrent)
        self._changed = threading.Condition()
        self._children: dict[int, tuple[Any, Any]] = {}  # pid -> (process, connection)
        self._heartbeats: dict[int, int] = {}
        self._closing = False
        self._early_deaths = 0  # children that died before they were ready, in a row
        self._wake_reader, self._wake_writer = self._context.Pipe(duplex=False)
        self._waking = threading.Lock()
        self._monitor = threading.Thread(target=self._watch, name=f"{name} supervisor", daemon=True)
        clock.subscribe(self.wake)

    def start(self) -> None:
        _open_pools.add(self)
        with self._changed:
            for _ in range(self._supervision.missing):
                self._spawn()
        self._monitor.start()

    @property
    def pids(self) -> list[int]:
        with self._changed:
            return self._supervision.pids

    def assignments(self) -> list[Any]:
        with self._changed:
            return self._supervision.assignments()

    @property
    def in_flight(self) -> int:
        with self._changed:
            return self._supervision.in_flight

    # -- the poller's side ----------------------------------------------------------------------
    def wait_for_room(self, stopping: threading.Event) -> bool:
        """Block while every slot is taken and the worker runs; whether a slot is free."""
        with self._changed:
            while not self._supervision.has_room() and not stopping.is_set():
                self._changed.wait()
            return self._supervision.has_room()

    def wake(self) -> None:
        """Let waiters re-check (the worker is stopping or hurrying)."""
        with self._changed:
            self._changed.notify_all()

    def dispatch(self, task: Any) -> int:
        """Hand a polled task to a child (the poller asked :meth:`wait_for_room` first); its pid."""
        with self._changed:
            assignment = self._supervision.assign(task, self._clock.now())
            child = self._children.get(assignment.pid)
            if child is None:  # being reaped: ended() is about to fail the task with the reason
                return assignment.pid
            try:
                child[1].send(("task", task))
            except OSError as error:
                # The child is dying; the monitor sees it and fails the task with the reason.
                logger.debug("sending task %s to process %d failed: %r", task.id, assignment.pid, error)
        return assignment.pid

    # -- shutdown -------------------------------------------------------------------------------
    def wait_idle(self, deadline: float | None, hurry: threading.Event) -> None:
        """Wait until no task is in flight, ``deadline`` (on the clock) passes, or ``hurry`` is set."""
        with self._changed:
            while self._supervision.in_flight and not hurry.is_set():
                if deadline is not None and self._clock.now() >= deadline:
                    return
                self._clock.wait(self._changed, deadline)

    def let_children_leave(self) -> None:
        """Tell every child to finish the tasks it holds and exit; replace none (the program exits)."""
        with self._changed:
            if self._closing:
                return
            self._closing = True
            for _, conn in self._children.values():
                with contextlib.suppress(OSError):  # already gone
                    conn.send(("stop",))
        _open_pools.discard(self)

    def close(self, identity: str, grace_period: float | None) -> list[Failure]:
        """Release the tasks still held (to be failed), stop every child, end the monitor."""
        with self._changed:
            self._closing = True
            overrun = self._supervision.overrun(identity, grace_period)
            stuck = {failure.assignment.pid for failure in overrun}
            children = list(self._children.items())
            for pid, (process, conn) in children:
                if pid in stuck:
                    process.kill()  # its task is being failed; it must not answer after that
                else:
                    with contextlib.suppress(OSError):  # already gone: the monitor reaps it
                        conn.send(("stop",))
        for _, (process, _) in children:
            # Its sentinel, not join(): the monitor reaps children too, and a join() racing the
            # monitor's waitpid() can take a child that has left for one still running.
            if not multiprocessing.connection.wait([process.sentinel], CHILD_EXIT_TIMEOUT):
                logger.warning(
                    "activity process %d did not stop within %g s; killing it",
                    process.pid,
                    CHILD_EXIT_TIMEOUT,
                )
                process.kill()
                multiprocessing.connection.wait([process.sentinel])
        self._wake()
        self._monitor.join()
        _open_pools.discard(self)
        return overrun

    # -- the monitor ----------------------------------------------------------------------------
    def _spawn(self) -> None:
        # Caller holds self._changed.
        parent_end, child_end = self._context.Pipe()
        process = self._context.Process(
            target=child_main,
            args=(self._recipe, child_end),
            name=f"{self._recipe['cls'].__name__}-child",
            daemon=True,
        )
        process.start()
        child_end.close()
        assert process.pid is not None
        self._children[process.pid] = (process, parent_end)
        self._supervision.started(process.pid)
        logger.info("%s: started activity process %d", self._name, process.pid)

    def _watch(self) -> None:
        while True:
            with self._changed:
                if self._closing and not self._children:
                    return
                watched: dict[Any, tuple[int, bool]] = {}  # -> (pid, is its pipe)
                for pid, (process, conn) in self._children.items():
                    watched[conn] = (pid, True)
                    watched[process.sentinel] = (pid, False)
            ready = multiprocessing.connection.wait([*watched, self._wake_reader])
            for item in ready:
                if item is self._wake_reader:
                    self._wake_reader.recv_bytes()
                    continue
                pid, is_pipe = watched[item]
                if not is_pipe:
                    self._reap(pid)  # its sentinel: the process ended
                    continue
                if pid not in self._children:
                    continue  # reaped already in this round
                pipe: Any = item
                try:
                    message = pipe.recv()
                except (EOFError, OSError):
                    self._reap(pid)
                    continue
                self._handle(pid, message)

    def _handle(self, pid: int, message: tuple[Any, ...]) -> None:
        if message[0] == "ready":
            with self._changed:
                self._supervision.ready(pid)
                self._early_deaths = 0
                self._changed.notify_all()
            return
        _, token, operation, answered, reason, heartbeats = message
        with self._changed:
            assignment = self._supervision.finished(pid, token)
            self._count("heartbeats", heartbeats - self._heartbeats.get(pid, 0))
            self._heartbeats[pid] = heartbeats
            self._changed.notify_all()
        if assignment is not None:
            self._finished(assignment.task, assignment.started_at, operation, answered, reason, pid)

    def _reap(self, pid: int) -> None:
        with self._changed:
            child = self._children.pop(pid, None)
        if child is None:
            return  # seen already (its pipe and its sentinel both fire)
        process, conn = child
        while True:  # answers the child reported just before it died still count
            try:
                if not conn.poll():
                    break
                self._handle(pid, conn.recv())
            except (EOFError, OSError):
                break
        conn.close()
        process.join(CHILD_EXIT_TIMEOUT)
        if process.is_alive():  # its pipe broke but it lives on: it cannot be told anything
            process.kill()
            process.join()
        with self._changed:
            was_ready = self._supervision.is_ready(pid)
            failures = self._supervision.ended(pid, process.exitcode)
            closing = self._closing
            self._heartbeats.pop(pid, None)
        if not closing:
            self._count("crashes", 1)
            logger.error(
                "%s: activity process %d ended unexpectedly (exit code %s)",
                self._name,
                pid,
                process.exitcode,
            )
        for failure in failures:
            self._lost(failure.assignment.task, failure.assignment.started_at, failure.reason, pid)
        if closing:
            return
        delay = 0.0
        if not was_ready:
            self._early_deaths += 1
            delay = backoff_delay(self._early_deaths)
            logger.error(
                "%s: activity process %d died while starting; replacing it in %.1f s",
                self._name,
                pid,
                delay,
            )
        timer = threading.Timer(delay, self._replace)
        timer.daemon = True
        timer.start()

    def _replace(self) -> None:
        with self._changed:
            if self._closing:
                return
            for _ in range(self._supervision.missing):
                self._spawn()
            self._changed.notify_all()
        self._wake()  # the monitor watches the new child from now on

    def _wake(self) -> None:
        with self._waking:
            self._wake_writer.send_bytes(b"x")
