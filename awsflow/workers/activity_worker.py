"""Activity workers: poll activity tasks, run the activity methods, answer — and never leave a
task to time out silently.

How tasks run (keyword options of :class:`ActivityWorker`):

- by default, one at a time in the polling thread (botoflow's behaviour);
- ``max_concurrent=M``: up to M at once, each in a thread of its own;
- ``processes=N``: in N supervised child processes (see ``_process_pool``). A child that dies
  mid-task has its task failed at once with a reason naming the crash, and is replaced.

Whatever the mode, polling pauses while ``max_concurrent`` tasks are in flight, so no task
waits in the worker while its SWF timeouts run.

Heartbeats (see ``_activity_runner``): an activity heartbeats with
``get_context().heartbeat(details)``, by yielding (generator activities), or — a plain function
whose type has a heartbeat timeout — automatically, from a background thread, every third of
the timeout. Automatic heartbeats are timed on the worker's ``clock``: pass the service's
:class:`~awsflow.local.VirtualClock` in tests. The heartbeat timeout used is the activity
type's (a per-call override in the workflow is not known to the worker). In ``processes``
mode children heartbeat on the wall clock.

Stopping (leaving ``with worker:``, :meth:`ActivityWorker.shutdown`, or SIGTERM/SIGINT during
:meth:`ActivityWorker.run`): polling stops at once, tasks in flight get ``grace_period``
seconds to finish (no limit by default), and those still running then are failed with a reason
naming the grace period. A thread cannot be killed: its activity runs on, and its late answer is
dropped. A child process is killed.

Every task taken and finished is logged on this module's logger with ``extra`` fields
``activity_id``, ``activity_name``, ``activity_version``, ``workflow_id``, ``run_id``, ``pid``
(the child process, or None) and, when finished, ``outcome`` and ``duration`` (seconds);
``worker.stats`` counts them.
"""

from __future__ import annotations

import contextlib
import logging
import pickle
import threading
import time
from collections.abc import Iterator
from types import TracebackType
from typing import Any

from .._clock import Clock, SystemClock
from ..context import ActivityContext, ActivityTask, set_context
from ..data_converter import JSONDataConverter
from ._activity_runner import failure_details, run_activity_task
from ._heartbeats import AutoHeartbeat, heartbeat_interval
from ._process_pool import ProcessPool
from ._registry import extract_activities
from ._signals import stop_on_signals
from ._stats import OUTCOME_FIELDS, TaskInFlight, WorkerStats
from ._supervision import overrun_reason
from ._transport import PollAborted
from .base_worker import BaseWorker
from .multiprocessing_executor import _recipe

__all__ = ["ActivityWorker"]

logger = logging.getLogger(__name__)

_OUTCOMES = {
    "RespondActivityTaskCompleted": "completed",
    "RespondActivityTaskFailed": "failed",
    "RespondActivityTaskCanceled": "canceled",
}


class _Held:
    """A task this process runs in one of its threads."""

    __slots__ = ("abandoned", "started_at", "task", "thread")

    def __init__(self, task: ActivityTask) -> None:
        self.task = task
        self.started_at = time.monotonic()
        self.thread = threading.current_thread()
        self.abandoned = False  # failed at shutdown: its own answer must not be sent


class ActivityWorker(BaseWorker):
    """Runs the activities of the given ``@activities`` instances and registers their types.

    Args:
        session, aws_region, domain, task_list, activity_definitions, client: as botoflow's.
        processes: run activities in this many supervised child processes (keyword only;
            default: in this process's threads). The activity instances must be picklable.
        max_concurrent: the most tasks in flight at once (default: ``processes``, else 1).
        grace_period: seconds tasks in flight get to finish once the worker stops; None (the
            default) waits for them however long they take.
        clock: the clock automatic heartbeats are timed on (default: the wall clock).

    Example::

        worker = ActivityWorker(session, "us-east-1", "domain1", "tasklist1", HelloWorldActivities())
        worker.run()   # until SIGTERM/SIGINT, then a graceful stop
    """

    def __init__(
        self,
        session: Any,
        aws_region: str,
        domain: str,
        task_list: str,
        *activity_definitions: Any,
        client: Any = None,
        processes: int | None = None,
        max_concurrent: int | None = None,
        grace_period: float | None = None,
        clock: Clock | None = None,
    ) -> None:
        if processes is not None and processes < 1:
            raise ValueError(f"processes must be 1 or more (or None: run in threads), not {processes}")
        if max_concurrent is not None and max_concurrent < 1:
            raise ValueError(f"max_concurrent must be 1 or more, not {max_concurrent}")
        if grace_period is not None and grace_period < 0:
            raise ValueError(
                f"grace_period must be 0 or more seconds (or None: no limit), not {grace_period}"
            )
        super().__init__(session, aws_region, domain, task_list, client=client)
        self._activity_definitions = activity_definitions
        self._activity_names_to_methods = extract_activities(activity_definitions)
        self._processes = processes
        self._max_concurrent = max_concurrent if max_concurrent is not None else (processes or 1)
        self._grace_period = grace_period
        self._clock: Clock = clock if clock is not None else SystemClock()
        self._ticks = threading.Condition()
        self._clock.subscribe(self._on_clock_jump)
        self._slots = threading.Condition()  # guards _held and _reserved
        self._held: dict[str, _Held] = {}
        self._reserved = 0  # slots taken by polls in flight (max_concurrent > 1)
        self._pool: ProcessPool | None = None
        self._register_activities()

    def _register_activities(self) -> None:
        for _, activity_type in self._activity_names_to_methods.values():
            self._register("RegisterActivityType", activity_type)

    # -- observing ------------------------------------------------------------------------------
    @property
    def stats(self) -> WorkerStats:
        """A snapshot of this worker's counters (see :class:`~awsflow.workers.WorkerStats`)."""
        return self._counters.snapshot(tasks_in_flight=len(self.tasks_in_flight))

    @property
    def tasks_in_flight(self) -> tuple[TaskInFlight, ...]:
        """The tasks this worker holds now, oldest first."""
        pool = self._pool
        if pool is not None:
            return tuple(_in_flight(a.task, a.started_at, a.pid) for a in pool.assignments())
        with self._slots:
            held = sorted(self._held.values(), key=lambda h: h.started_at)
        return tuple(_in_flight(h.task, h.started_at, None) for h in held if not h.abandoned)

    @property
    def process_ids(self) -> tuple[int, ...]:
        """The pids of the child processes now in the pool (``processes=N``; else empty)."""
        pool = self._pool
        return tuple(pool.pids) if pool is not None else ()

    # -- running --------------------------------------------------------------------------------
    def run_once(self) -> bool:
        task = self.poll_task()
        if task is None:
            return False
        self.handle_task(task)
        return True

    def run(self, *, handle_signals: bool = True) -> None:
        """Poll and run tasks until :meth:`stop`, then stop gracefully (see :meth:`shutdown`).

        From the main thread, and unless ``handle_signals`` is False, SIGTERM and SIGINT start
        the graceful stop; a second one fails the tasks still running at once.
        """
        guard = stop_on_signals(self._on_stop_signal) if handle_signals else contextlib.nullcontext()
        with guard:
            self.start()
            try:
                self._stopping.wait()
            finally:  # KeyboardInterrupt too (handle_signals=False): stop gracefully
                self.shutdown()

    def start(self, pollers: int = 1, *, loop: Any = None) -> None:
        """Poll in the background (``processes``: one poller feeding the child processes)."""
        if loop is None and self._processes is not None:
            if self._pool is None:
                recipe = _recipe(self)
                try:
                    pickle.dumps(recipe)
                except (pickle.PicklingError, TypeError, AttributeError) as error:
                    raise TypeError(
                        f"ActivityWorker(processes={self._processes}) sends its activity instances to "
                        f"its processes, and they cannot be pickled: {error}. Define the classes at "
                        "module level and keep their state picklable."
                    ) from error
                self._pool = ProcessPool(self, recipe, self._processes, self._max_concurrent)
                self._pool.start()
            super().start(1, loop=self._supervised_loop)
        elif loop is None and self._max_concurrent > 1:
            super().start(pollers, loop=self._concurrent_loop)
        else:
            super().start(pollers, loop=loop)

    def stop(self, *, finish_committed_polls: bool = False) -> None:
        """Stop polling (see :meth:`BaseWorker.stop`); tasks in flight go on (see :meth:`shutdown`)."""
        super().stop(finish_committed_polls=finish_committed_polls)
        self._wake_waiters()

    def shutdown(self) -> None:
        """Stop polling, let tasks in flight finish within the grace period, fail the rest, join.

        Leaving ``with worker:`` calls it, and so does :meth:`run` once stopped.
        """
        self.stop()
        grace = self._grace_period
        deadline = None if grace is None else time.monotonic() + grace
        overrun: list[tuple[ActivityTask, float, str, int | None]]
        if self._pool is not None:
            self._pool.wait_idle(deadline, self._hurry)
            pool, self._pool = self._pool, None
            overrun = [
                (f.assignment.task, f.assignment.started_at, f.reason, f.assignment.pid)
                for f in pool.close(self.identity, None if self._hurry.is_set() else grace)
            ]
            stuck_threads: set[threading.Thread] = set()
        else:
            with self._slots:
                # _reserved: a task just polled whose thread has not registered it yet
                while (self._held or self._reserved) and not self._hurry.is_set():
                    remaining = None if deadline is None else deadline - time.monotonic()
                    if remaining is not None and remaining <= 0:
                        break
                    self._slots.wait(remaining)
                late = [held for held in self._held.values() if not held.abandoned]
                for held in late:
                    held.abandoned = True
            why = None if self._hurry.is_set() else grace
            overrun = [(h.task, h.started_at, overrun_reason(self.identity, why, h.task), None) for h in late]
            stuck_threads = {held.thread for held in late}
        for task, started_at, reason, pid in overrun:
            self._counters.add("overruns")
            self._fail_held(task, started_at, reason, pid)
        for thread in self._threads:
            if thread not in stuck_threads and thread is not threading.current_thread():
                thread.join()
        self._threads = [thread for thread in self._threads if thread.is_alive()]

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        set_context(self._outer_contexts.pop())
        self.shutdown()

    def _on_stop_signal(self, signum: int) -> None:
        if self._stopping.is_set():
            logger.warning("%r: signal %d again; failing the tasks still running now", self, signum)
            self._hurry.set()
            self._wake_waiters()
            return
        logger.info("%r: signal %d received; stopping gracefully", self, signum)
        self.stop()

    def _wake_waiters(self) -> None:
        with self._slots:
            self._slots.notify_all()
        pool = self._pool
        if pool is not None:
            pool.wake()

    # -- polling loops --------------------------------------------------------------------------
    def _concurrent_loop(self) -> None:
        """Poll while fewer than max_concurrent tasks are in flight; run each in a new thread."""
        self._ready.release()
        failures = 0
        while True:
            with self._slots:
                while (
                    len(self._held) + self._reserved >= self._max_concurrent and not self._stopping.is_set()
                ):
                    self._slots.wait()
                if self._stopping.is_set():
                    return
                self._reserved += 1
            task = None
            try:
                task = self.poll_task()
                failures = 0
            except PollAborted:
                return
            except Exception as error:
                failures += 1
                self._poll_failed(error, failures)
            finally:
                if task is None:
                    self._unreserve()
            if task is not None:
                name = f"{self!r} activity {task.id}"
                threading.Thread(target=self._handle, args=(task, True), name=name, daemon=True).start()

    def _supervised_loop(self) -> None:
        """Poll while a child process has room; hand each task to one."""
        pool = self._pool
        assert pool is not None
        self._ready.release()
        failures = 0
        while pool.wait_for_room(self._stopping):
            try:
                task = self.poll_task()
                failures = 0
            except PollAborted:
                return
            except Exception as error:
                failures += 1
                self._poll_failed(error, failures)
                continue
            if task is not None:
                self._counters.add("tasks_started")
                pid = pool.dispatch(task)
                _log_taken(task, pid)

    def _unreserve(self) -> None:
        with self._slots:
            self._reserved -= 1
            self._slots.notify_all()

    # -- one task -------------------------------------------------------------------------------
    def poll_task(self) -> ActivityTask | None:
        """One long poll; the task, or None when the poll timed out empty."""
        request = {"domain": self._domain, "taskList": {"name": self._task_list}, "identity": self.identity}
        polled = self._call("PollForActivityTask", request)
        if not polled.get("taskToken"):
            return None
        return ActivityTask.from_swf(polled)

    def handle_task(self, task: ActivityTask) -> None:
        """Run the activity in this thread and send its answer."""
        self._handle(task, reserved=False)

    def _handle(self, task: ActivityTask, reserved: bool) -> None:
        held = _Held(task)
        with self._slots:
            self._held[task.token] = held
            if reserved:  # the poll's slot becomes the task's, in one step
                self._reserved -= 1
        self._counters.add("tasks_started")
        _log_taken(task, None)
        try:
            operation, answered, reason = self._run_and_answer(task, held)
        finally:
            with self._slots:
                self._held.pop(task.token, None)
                self._slots.notify_all()
        if not held.abandoned:
            self._record_finished(task, held.started_at, operation, answered, reason, None)

    def _run_and_answer(
        self, task: ActivityTask, held: _Held | None = None
    ) -> tuple[str | None, bool, str | None]:
        """Run the task and answer SWF: (the answer's operation or None, whether SWF took it, reason)."""
        response = run_activity_task(
            task, self._activity_names_to_methods, self, auto_heartbeat=self._auto_heartbeat
        )
        if response is None:
            return None, False, None  # a manual activity: completed later by someone else
        operation, request = response
        if held is not None and held.abandoned:
            logger.warning(
                "activity %s (id %s) ended after it was failed at shutdown; its answer (%s) is dropped",
                task.name,
                task.id,
                operation,
                extra=_fields(task, None),
            )
            return operation, False, request.get("reason")
        answered = self._answer(operation, request, what=f"activity {task.name} ({task.id})")
        return operation, answered, request.get("reason")

    @contextlib.contextmanager
    def _auto_heartbeat(self, context: ActivityContext, activity_type: Any) -> Iterator[None]:
        interval = heartbeat_interval(activity_type.heartbeat_timeout)
        if interval is None or not activity_type.auto_heartbeat:
            yield
            return
        beater = AutoHeartbeat(
            context._background_heartbeat, interval, self._clock, self._ticks, f"heartbeat {context.task.id}"
        )
        context._on_heartbeat = beater.postpone
        beater.start()
        try:
            yield
        finally:
            beater.stop()
            context._on_heartbeat = None

    def _on_clock_jump(self) -> None:
        with self._ticks:
            self._ticks.notify_all()

    def request_heartbeat(self, task: ActivityTask, details: str | None = None) -> dict[str, Any]:
        """Record a heartbeat for ``task``; SWF's answer says whether a cancel was requested."""
        request: dict[str, Any] = {"taskToken": task.token}
        if details is not None:
            request["details"] = str(details)
        response: dict[str, Any] = self._call("RecordActivityTaskHeartbeat", request)
        self._counters.add("heartbeats")
        return response

    # -- outcomes -------------------------------------------------------------------------------
    def _record_finished(
        self,
        task: ActivityTask,
        started_at: float,
        operation: str | None,
        answered: bool,
        reason: str | None,
        pid: int | None,
    ) -> None:
        """Count and log how a task ended (``pid``: the child that ran it)."""
        duration = time.monotonic() - started_at
        outcome = "manual" if operation is None else _OUTCOMES[operation]
        extra = _fields(task, pid, outcome=outcome, duration=duration)
        if operation is None:
            logger.info("activity %s (id %s) left for manual completion", task.name, task.id, extra=extra)
            return
        if not answered:
            if pid is not None:  # the child counted it in its own counters
                self._counters.add("answer_errors")
            logger.warning(
                "activity %s (id %s) %s in %.3f s but SWF did not take the answer",
                task.name,
                task.id,
                outcome,
                duration,
                extra=extra,
            )
            return
        self._counters.add(OUTCOME_FIELDS[operation])
        if operation == "RespondActivityTaskFailed":
            logger.warning(
                "activity %s (id %s) of %s failed in %.3f s: %s",
                task.name,
                task.id,
                task.workflow_execution.workflow_id,
                duration,
                reason,
                extra=extra,
            )
        else:
            logger.info(
                "activity %s (id %s) of %s %s in %.3f s",
                task.name,
                task.id,
                task.workflow_execution.workflow_id,
                outcome,
                duration,
                extra=extra,
            )

    def _fail_held(self, task: ActivityTask, started_at: float, reason: str, pid: int | None) -> None:
        """Fail a task whose own answer will never come (its process died, or it overran)."""
        found = self._activity_names_to_methods.get(task.name)
        converter = found[1].data_converter if found is not None else JSONDataConverter()
        request = {
            "taskToken": task.token,
            "reason": reason,
            "details": failure_details(converter, RuntimeError(reason), skip_frames=0),
        }
        answered = self._answer(
            "RespondActivityTaskFailed", request, what=f"activity {task.name} ({task.id})"
        )
        if answered:
            self._counters.add("tasks_failed")
        duration = time.monotonic() - started_at
        logger.error(
            "activity %s (id %s) of %s failed after %.3f s: %s",
            task.name,
            task.id,
            task.workflow_execution.workflow_id,
            duration,
            reason,
            extra=_fields(task, pid, outcome="failed", duration=duration),
        )


def _fields(task: ActivityTask, pid: int | None, **more: Any) -> dict[str, Any]:
    """The ``extra`` fields of a task's log lines."""
    return {
        "activity_id": task.id,
        "activity_name": task.name,
        "activity_version": task.version,
        "workflow_id": task.workflow_execution.workflow_id,
        "run_id": task.workflow_execution.run_id,
        "pid": pid,
        **more,
    }


def _log_taken(task: ActivityTask, pid: int | None) -> None:
    logger.info(
        "activity %s %s (id %s) of %s (%s) taken%s",
        task.name,
        task.version,
        task.id,
        task.workflow_execution.workflow_id,
        task.workflow_execution.run_id,
        "" if pid is None else f" by process {pid}",
        extra=_fields(task, pid),
    )


def _in_flight(task: ActivityTask, started_at: float, pid: int | None) -> TaskInFlight:
    return TaskInFlight(
        task.id,
        task.name,
        task.version,
        task.workflow_execution.workflow_id,
        task.workflow_execution.run_id,
        started_at,
        pid,
    )
