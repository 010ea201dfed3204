"""The plumbing of ``ActivityWorker(..., processes=N)``: child processes, pipes, a monitor thread.

Each child polls SWF for itself, runs what it takes and answers with a client of its own (see
``_pool_child``); the worker's own process only supervises. A child reports each task it takes
*before* running it and each it answered, so the supervisor always knows which child holds
which task. A monitor thread waits on every child's pipe and process sentinel at once, so a
child that dies — a segfault, ``os._exit``, the kernel's OOM killer — is seen the moment it
happens: the tasks it held are failed at once with the reason (instead of waiting for a
timeout) and a new child replaces it (with backoff while children die as they start). The
bookkeeping is :class:`~._supervision.Supervision`, pure; this module only moves messages.

``max_concurrent`` is split among the children (:func:`~._supervision.split`): a child polls
only while it holds less than its share, so the tasks in flight never exceed it and no task
waits in a child while its SWF timeouts run. A child polls with ``pollers`` threads (the
worker's ``start(pollers=...)``), at most its share: with as many as its share (the default
share is one) each poller runs the task it took itself, as ``max_concurrent`` up to the pollers
does in threads.

One window remains: a child that dies after a poll brought it a task but before its "took"
report reached the pipe leaves that task to its SWF timeout (start-to-close, or heartbeat), as
a worker killed at that moment would; the report is sent right after the poll's answer is read.

Stopping polling (``stop()``) tells every child to stop: each releases its long polls the way a
worker releases its own (at once against awsflow.local, within the poll against Amazon SWF), runs
and answers any task a poll brings meanwhile, and reports that it stopped; the worker's
``join()`` waits for those reports. ``shutdown()`` then closes the pool: tasks still held when the
grace period ends are failed and their children killed; the others are told to leave.

Because children ignore SIGTERM, a pool still open when the interpreter exits (``stop()`` and
``join()`` leave it open for a later ``start()``; only ``shutdown()`` closes it) is closed by an
exit hook: its children finish the tasks they hold and leave. Without it, multiprocessing's own
exit hook — SIGTERM each daemon child, then wait for it — would wait forever.

Children are started with ``spawn`` (forking a process that runs threads is unsafe) from the
worker's *recipe* (see ``multiprocessing_executor``): the activity instances must be picklable.
"""

from __future__ import annotations

import atexit
import logging
import multiprocessing
import multiprocessing.connection
import selectors
import threading
from collections.abc import Callable
from typing import Any
from weakref import WeakSet

from .._clock import Clock
from ._backoff import backoff_delay
from ._pool_child import child_main, task_from_summary
from ._supervision import Failure, Supervision

logger = logging.getLogger(__name__)

CHILD_EXIT_TIMEOUT = 5.0  # seconds a child told to leave gets to do so before it is killed
# The counters a child keeps and reports as running totals (see ``_pool_child``).
CHILD_COUNTS = ("heartbeats", "poll_errors")

# Pools started and not closed yet, for the exit hook (see the module docstring).
_open_pools: WeakSet[ProcessPool] = WeakSet()


@atexit.register  # after multiprocessing's own (imported above), so it runs before it
def _let_children_leave_at_exit() -> None:
    for pool in list(_open_pools):
        pool.let_children_leave()


class ProcessPool:
    """N supervised child processes polling for an :class:`ActivityWorker` and running its tasks.

    Args:
        recipe: how children build their worker (``multiprocessing_executor._recipe``).
        processes: children to keep.
        max_concurrent: tasks in flight at most, over all children (split among them).
        clock: start times and the shutdown deadline are read on it.
        name: the worker's name, for logs and thread names.
        count: bumps one of the worker's counters (by an amount).
        taken: the worker's report of a task a child took ``(task, pid)``.
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
        taken: Callable[[Any, int | None], None],
        finished: Callable[[Any, float, str | None, bool, str | None, int | None], None],
        lost: Callable[[Any, float, str, int | None], None],
    ) -> None:
        self._name = name
        self._clock = clock
        self._count = count
        self._taken = taken
        self._finished = finished
        self._lost = lost
        self._recipe = recipe
        self._context = multiprocessing.get_context("spawn")
        self._supervision = Supervision(processes, max_concurrent)
        lock = threading.RLock()
        self._changed = threading.Condition(lock)
        # Notified when polling stops or a child reports its stop (or dies): for the worker's
        # thread waiting on it, not woken by every task report.
        self._stops = threading.Condition(lock)
        self._children: dict[int, tuple[Any, Any]] = {}  # pid -> (process, connection)
        self._counts: dict[int, tuple[int, ...]] = {}  # pid -> its last reported CHILD_COUNTS
        self._closing = False
        self._polling = False  # children are to poll (start_polling() and no stop_polling() since)
        self._pollers = 1
        self._early_deaths = 0  # children that died before they were ready, in a row
        self._wake_reader, self._wake_writer = self._context.Pipe(duplex=False)
        # The monitor's: what it waits on, and each watched child's pipe and sentinel.
        self._selector = selectors.DefaultSelector()
        self._watched: dict[int, tuple[int, int]] = {}
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

    # -- polling ----------------------------------------------------------------------------------
    def start_polling(self, pollers: int) -> None:
        """Tell every child to poll, each with ``pollers`` threads at most (children started later too)."""
        with self._changed:
            self._polling = True
            self._pollers = pollers
            self._tell_to_poll()

    def stop_polling(self) -> None:
        """Tell every child to stop polling (see the module docstring); it reports when it has."""
        with self._changed:
            self._polling = False
            for pid in self._supervision.to_stop():
                self._command(pid, "stop")
            self._stops.notify_all()

    def wait_polls_ended(self) -> None:
        """Wait until the children are told to stop polling and each reported that it stopped."""
        with self._changed:
            while self._polling or self._supervision.busy:
                self._stops.wait()

    def wake(self) -> None:
        """Let waiters re-check (the worker is stopping or hurrying)."""
        with self._changed:
            self._changed.notify_all()
            self._stops.notify_all()

    def _command(self, pid: int, *message: Any) -> None:
        # Caller holds self._changed.
        child = self._children.get(pid)
        if child is None:
            return
        try:
            child[1].send(message)
        except OSError as error:  # the child is dying: the monitor sees it and reaps it
            logger.debug("telling process %d %r failed: %r", pid, message, error)

    # -- shutdown -------------------------------------------------------------------------------
    def wait_idle(self, deadline: float | None, hurry: threading.Event) -> None:
        """Wait until no task is in flight and no child can take one, ``deadline`` (on the
        clock) passes, or ``hurry`` is set."""
        with self._changed:
            while (self._supervision.in_flight or self._supervision.busy) and not hurry.is_set():
                if deadline is not None and self._clock.now() >= deadline:
                    return
                self._clock.wait(self._changed, deadline)

    def let_children_leave(self) -> None:
        """Tell every child to finish the tasks it holds and exit; replace none (the program exits)."""
        with self._changed:
            if self._closing:
                return
            self._closing = True
            for pid in self._children:
                self._command(pid, "leave")
        _open_pools.discard(self)

    def close(self, identity: str, grace_period: float | None) -> list[Failure]:
        """Release the tasks still held (to be failed), stop every child, end the monitor."""
        with self._changed:
            self._closing = True
            self._polling = False
            self._changed.notify_all()
            self._stops.notify_all()
            overrun = self._supervision.overrun(identity, grace_period)
            stuck = {failure.assignment.pid for failure in overrun}
            children = list(self._children.items())
            for pid, (process, _) in children:
                if pid in stuck:
                    process.kill()  # its task is being failed; it must not answer after that
                else:
                    self._command(pid, "leave")
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
        if self._polling:  # queued in the pipe: the child reads it once it is set up
            self._tell_to_poll()

    def _tell_to_poll(self) -> None:
        # Caller holds self._changed.
        for pid in self._supervision.to_poll():
            share = self._supervision.share(pid)
            self._command(pid, "poll", min(self._pollers, share), share)

    def _watch(self) -> None:
        # One selector for the pool's life (rebuilding one per wait cost more than the rest of
        # a report's handling); only this thread touches it.
        self._selector.register(self._wake_reader.fileno(), selectors.EVENT_READ, (0, None))
        try:
            while True:
                with self._changed:
                    if self._closing and not self._children:
                        return
                    new = [(pid, child) for pid, child in self._children.items() if pid not in self._watched]
                for pid, (process, conn) in new:
                    self._watched[pid] = (conn.fileno(), process.sentinel)
                    self._selector.register(conn.fileno(), selectors.EVENT_READ, (pid, conn))
                    self._selector.register(process.sentinel, selectors.EVENT_READ, (pid, None))
                for key, _ in self._selector.select():
                    pid, pipe = key.data
                    if not pid:
                        self._wake_reader.recv_bytes()
                    elif pid not in self._watched:
                        continue  # reaped already in this round
                    elif pipe is None:
                        self._reap(pid)  # its sentinel: the process ended
                    else:
                        try:
                            self._handle(pid, pipe.recv())
                        except (EOFError, OSError):
                            self._reap(pid)
        finally:
            self._selector.close()

    def _handle(self, pid: int, message: tuple[Any, ...]) -> None:
        kind = message[0]
        if kind == "took":
            task = task_from_summary(message[1])
            with self._changed:
                assignment = self._supervision.took(pid, task, self._clock.now())
            if assignment is not None:
                self._taken(task, pid)
        elif kind == "done":
            _, token, operation, answered, reason, counts = message
            with self._changed:
                assignment = self._supervision.finished(pid, token)
                self._add_counts(pid, counts)
                self._changed.notify_all()
            if assignment is not None:
                self._finished(assignment.task, assignment.started_at, operation, answered, reason, pid)
        elif kind == "stopped":
            with self._changed:
                self._supervision.stopped(pid)
                self._add_counts(pid, message[1])
                self._changed.notify_all()
                self._stops.notify_all()
        elif kind == "ready":
            with self._changed:
                self._supervision.ready(pid)
                self._early_deaths = 0
                self._changed.notify_all()

    def _add_counts(self, pid: int, counts: tuple[int, ...]) -> None:
        # Caller holds self._changed. A child reports running totals: add what they grew by.
        before = self._counts.get(pid, (0,) * len(CHILD_COUNTS))
        for name, now, then in zip(CHILD_COUNTS, counts, before, strict=True):
            if now != then:
                self._count(name, now - then)
        self._counts[pid] = counts

    def _reap(self, pid: int) -> None:
        with self._changed:
            child = self._children.pop(pid, None)
        if child is None:
            return  # seen already (its pipe and its sentinel both fire)
        process, conn = child
        for fd in self._watched.pop(pid, ()):  # before its pipe closes: a new one may get its number
            self._selector.unregister(fd)
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
            self._counts.pop(pid, None)
            self._changed.notify_all()  # it holds no task and takes none any more
            self._stops.notify_all()
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
