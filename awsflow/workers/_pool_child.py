"""A supervised child's life (``ActivityWorker(..., processes=N)``): poll SWF, run, report.

The child builds its worker from the parent's *recipe* (a client of its own, so the lean wire
path of its own) and, told to poll, runs that worker's own poll loop and task runner
(``ActivityWorker.start(pollers, max_concurrent=share)``): its polls are the worker's abortable
long polls, and it holds at most ``share`` tasks at once. Its task reports go down the pipe
to the supervisor instead of being counted and logged here:

- ``("took", summary)`` when a task is taken, before it runs (in the thread that runs
  it: the poller's own when the child polls with as many threads as its share);
- ``("done", token, operation, answered, reason, counts)`` once the task is answered;
- ``("stopped", counts)`` after a ``stop``: the child's pollers ended (their polls released
  the way a worker releases its own) and every task they brought was run and answered, so no
  more reports come until the next ``poll``.

``counts`` are the child's running totals of heartbeats and poll errors; the supervisor adds
what they grew by to the worker's stats (so a child's poll errors show with its next report).

Commands, handled one at a time in the child's main thread: ``("poll", pollers, share)``,
``("stop",)``, and ``("leave",)`` (or the pipe closing): stop polling, finish the tasks held,
exit. A ``poll`` after a ``stop`` waits for that stop to be complete, so a child never runs
more than its share at once. The child ignores SIGINT and SIGTERM (a Ctrl-C or a service manager
signals the whole process group): the supervisor decides when it stops.
"""

from __future__ import annotations

import os
import signal
import threading
from typing import Any

from ..context import ActivityTask
from ..workflow_execution import WorkflowExecution
from .multiprocessing_executor import _worker_from_recipe

__all__ = ["child_main", "summary", "task_from_summary"]

# What the supervisor needs of a task to log it and fail it (not its input, which may be large).
Summary = tuple[str, str, str, int, str, str | None, str | None]


def summary(task: ActivityTask) -> Summary:
    execution = task.workflow_execution
    return (
        task.id,
        task.name,
        task.version,
        task.started_event_id,
        task.token,
        execution.workflow_id,
        execution.run_id,
    )


def task_from_summary(sent: Summary) -> ActivityTask:
    """The task as the supervisor keeps it: all but its input."""
    activity_id, name, version, started_event_id, token, workflow_id, run_id = sent
    return ActivityTask(
        activity_id, name, version, None, started_event_id, token, WorkflowExecution(workflow_id, run_id)
    )


def child_main(recipe: dict[str, Any], conn: Any) -> None:
    """Build the worker, then obey the supervisor's commands (see the module docstring)."""
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, signal.SIG_IGN)
    worker = _worker_from_recipe(recipe)
    sending = threading.Lock()

    def send(*message: Any) -> None:
        with sending:
            conn.send(message)

    def counts() -> tuple[int, int]:
        stats = worker.stats
        return stats.heartbeats, stats.poll_errors

    def taken(task: ActivityTask, pid: int | None) -> None:
        send("took", summary(task))

    def finished(
        task: ActivityTask,
        started_at: float,
        operation: str | None,
        answered: bool,
        reason: str | None,
        pid: int | None,
    ) -> None:
        send("done", task.token, operation, answered, reason, counts())

    worker._report_to(taken, finished)
    send("ready", os.getpid())
    while True:
        try:
            message = conn.recv()
        except EOFError:  # the supervisor is gone or closed the pipe: finish up and leave
            break
        if message[0] == "poll":
            _, pollers, share = message
            worker.start(pollers, max_concurrent=share)
        elif message[0] == "stop":
            worker.stop()
            worker.join()
            send("stopped", counts())
        else:
            break
    worker.stop()
    worker.join()
