"""Activity workers: poll activity tasks, run the activity methods, answer — and never leave a
task to time out silently.

How tasks run (keyword options of :class:`ActivityWorker`; each way is a task runner of
``_task_runners``, picked when the worker starts):

- by default, one at a time in the polling thread (botoflow's behaviour);
- ``max_concurrent=M``: up to M at once, in threads kept from task to task (in the poller thread that
  took it, when M is no more than the pollers: they alone give the concurrency);
- ``processes=N``: in N supervised child processes (see ``_process_pool``), each polling SWF
  for itself and running its share of ``max_concurrent``; this process only supervises. A
  child that dies mid-task has its task failed at once with a reason naming the crash, and is
  replaced.

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
import functools
import logging
import pickle
import threading
from collections.abc import Callable
from types import TracebackType
from typing import Any

from .._clock import Clock, MonotonicClock, SystemClock
from ..context import ActivityTask, set_context
from ..data_converter import JSONDataConverter
from ._activity_runner import failure_details, run_activity_task
from ._heartbeats import auto_heartbeats, woken_by
from ._registry import extract_activities
from ._signals import stop_on_signals
from ._stats import TaskInFlight, WorkerStats
from ._supervision import split
from ._task_log import log_dropped, log_failed_for, log_taken, record_finished
from ._task_runners import (
    Answer,
    BoundedInlineRunner,
    Held,
    InlineRunner,
    ProcessRunner,
    TaskReports,
    TaskRunner,
    ThreadPoolRunner,
    feeding,
)
from .base_worker import BaseWorker
from .multiprocessing_executor import _recipe

__all__ = ["ActivityWorker"]

logger = logging.getLogger(__name__)


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
        _check_max_concurrent(max_concurrent, processes)
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
        self._ticks = woken_by(self._clock)  # automatic heartbeats wait on it
        # Grace periods and durations: real seconds, whatever clock heartbeats are timed on.
        self._timer: Clock = MonotonicClock()
        self._reports = TaskReports(self._taken, self._finished, self._fail_held, self._counters.add)
        # Where handle_task() runs tasks, and the pollers' runner unless start() picks another.
        self._here = InlineRunner(self._run_and_answer, self._reports, self._timer)
        self._runner: TaskRunner = self._here
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
        return self._runner.in_flight()

    @property
    def process_ids(self) -> tuple[int, ...]:
        """The pids of the child processes now in the pool (``processes=N``; else empty)."""
        return self._runner.pids

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

    def start(
        self,
        pollers: int = 1,
        *,
        max_concurrent: int | None = None,
        initializer: Callable[[], None] | None = None,
    ) -> None:
        """Poll in the background, feeding the worker's task runner (see the module docstring).

        ``max_concurrent`` overrides the worker's for this start (``ThreadedActivityExecutor``).
        ``initializer`` runs in each poller thread first. In ``processes`` mode each child polls
        with ``pollers`` threads (at most its share of ``max_concurrent``), and ``initializer``
        runs in the one thread of this process that waits for them.
        """
        _check_max_concurrent(max_concurrent, self._processes)
        runner = self._runner
        if not runner.pids and not runner.in_flight():  # else: keep the one still running tasks
            runner.retire()
            self._runner = runner = self._pick_runner(max_concurrent or self._max_concurrent, pollers)
        runner.open()
        if isinstance(runner, ProcessRunner):
            in_children = runner  # (for mypy: the lambda below sees the narrowed type)
            self._start_pollers(
                1, lambda: in_children.poll_in_children(pollers, self._ready.release), initializer
            )
        else:
            feed, room = feeding(runner, self.poll_task), lambda: runner.wait_for_room(self._stopping)
            self._start_pollers(pollers, lambda: self._poll_loop(feed, room=room), initializer)

    def _pick_runner(self, max_concurrent: int, pollers: int) -> TaskRunner:
        if self._processes is not None:
            recipe = _picklable_recipe(self, self._processes)
            return ProcessRunner(
                recipe,
                self._processes,
                max_concurrent,
                self._reports,
                self._timer,
                repr(self),
                stopping=self._stopping,
            )
        run, reports, timer = self._run_and_answer, self._reports, self._timer
        if max_concurrent == 1:
            return self._here
        if max_concurrent <= pollers:  # the pollers' threads are enough: no thread per task
            return BoundedInlineRunner(run, reports, timer, max_concurrent)

        def spawn(target: Callable[[], None], name: str) -> None:
            self._spawn(target, f"{self!r} {name}")

        return ThreadPoolRunner(run, reports, timer, max_concurrent, stopping=self._stopping, spawn=spawn)

    def stop(self, *, finish_committed_polls: bool = False) -> None:
        """Stop polling (see :meth:`BaseWorker.stop`); tasks in flight go on (see :meth:`shutdown`)."""
        super().stop(finish_committed_polls=finish_committed_polls)
        self._runner.wake()

    def shutdown(self) -> None:
        """Stop polling, let tasks in flight finish within the grace period, fail the rest, join.

        Leaving ``with worker:`` calls it, and so does :meth:`run` once stopped.
        """
        self.stop()
        overrun = self._runner.drain(self._grace_period, self._hurry, self.identity)
        for late in overrun:
            self._counters.add("overruns")
            self._fail_held(late.task, late.started_at, late.reason, late.pid)
        stuck = {late.thread for late in overrun}
        for thread in self._threads:
            if thread not in stuck and thread is not threading.current_thread():
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
            self._runner.wake()
            return
        logger.info("%r: signal %d received; stopping gracefully", self, signum)
        self.stop()

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
        runner = self._runner
        (runner if isinstance(runner, InlineRunner) else self._here).run_here(task)

    def _run_and_answer(self, task: ActivityTask, held: Held | None = None) -> Answer:
        """Run the task and answer SWF: (the answer's operation or None, whether SWF took it, reason)."""
        beats = functools.partial(auto_heartbeats, clock=self._clock, ticks=self._ticks)
        response = run_activity_task(task, self._activity_names_to_methods, self, auto_heartbeat=beats)
        if response is None:
            return None, False, None  # a manual activity: completed later by someone else
        operation, request = response
        if held is not None and held.abandoned:
            log_dropped(task, operation)
            return operation, False, request.get("reason")
        answered = self._answer(operation, request, what=f"activity {task.name} ({task.id})")
        return operation, answered, request.get("reason")

    def request_heartbeat(self, task: ActivityTask, details: str | None = None) -> dict[str, Any]:
        """Record a heartbeat for ``task``; SWF's answer says whether a cancel was requested."""
        request: dict[str, Any] = {"taskToken": task.token}
        if details is not None:
            request["details"] = str(details)
        response: dict[str, Any] = self._call("RecordActivityTaskHeartbeat", request)
        self._counters.add("heartbeats")
        return response

    # -- outcomes -------------------------------------------------------------------------------
    def _taken(self, task: ActivityTask, pid: int | None) -> None:
        self._counters.add("tasks_started")
        log_taken(task, pid)

    def _finished(
        self,
        task: ActivityTask,
        started_at: float,
        operation: str | None,
        answered: bool,
        reason: str | None,
        pid: int | None,
    ) -> None:
        duration = self._timer.now() - started_at
        record_finished(self._counters, task, duration, operation, answered, reason, pid)

    def _fail_held(self, task: ActivityTask, started_at: float, reason: str, pid: int | None) -> None:
        """Fail a task whose own answer will never come (its process died, or it overran)."""
        request = _failure_request(task, reason, self._activity_names_to_methods)
        if self._answer("RespondActivityTaskFailed", request, what=f"activity {task.name} ({task.id})"):
            self._counters.add("tasks_failed")
        log_failed_for(task, self._timer.now() - started_at, reason, pid)

    def _report_to(
        self, taken: Callable[[ActivityTask, int | None], None], finished: Callable[..., None]
    ) -> None:
        """Send the tasks taken and finished to a supervisor instead of counting and logging
        them here (a supervised child's worker: ``_pool_child``)."""
        self._reports = TaskReports(taken, finished, self._fail_held, self._counters.add)
        self._runner = self._here = InlineRunner(self._run_and_answer, self._reports, self._timer)


def _check_max_concurrent(max_concurrent: int | None, processes: int | None = None) -> None:
    if max_concurrent is not None and max_concurrent < 1:
        raise ValueError(f"max_concurrent must be 1 or more, not {max_concurrent}")
    if processes is not None and max_concurrent is not None:
        split(max_concurrent, processes)  # a ValueError saying why if it cannot be split


def _failure_request(task: ActivityTask, reason: str, activities: dict[str, Any]) -> dict[str, Any]:
    """The RespondActivityTaskFailed request failing ``task`` on its activity's behalf."""
    found = activities.get(task.name)
    converter = found[1].data_converter if found is not None else JSONDataConverter()
    details = failure_details(converter, RuntimeError(reason), skip_frames=0)
    return {"taskToken": task.token, "reason": reason, "details": details}


def _picklable_recipe(worker: ActivityWorker, processes: int) -> dict[str, Any]:
    """How child processes build their worker; a TypeError saying why if it cannot be pickled."""
    recipe = _recipe(worker)
    try:
        pickle.dumps(recipe)
    except (pickle.PicklingError, TypeError, AttributeError) as error:
        raise TypeError(
            f"ActivityWorker(processes={processes}) sends its activity instances to "
            f"its processes, and they cannot be pickled: {error}. Define the classes at "
            "module level and keep their state picklable."
        ) from error
    return recipe
