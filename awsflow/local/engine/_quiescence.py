"""Whether anything in the region is being worked on, and when time would next do something.

A testing environment that skips time (``awsflow.testing.WorkflowEnvironment``) may move the
clock only while no worker can still change the state on its own: no decision task is
scheduled for a worker or being decided, no activity task is waiting for a worker or running,
no Lambda function is running. Only the engine knows every task's state at the instant it is
asked, so the question is answered here, under the service's lock, never guessed from outside
by sleeping or watching workers.

"Scheduled for a worker" needs the caller to say which task lists have workers: a task waiting
on a list nobody polls cannot be taken, so it must not hold the clock back (in SWF it would sit
there until its schedule-to-start timeout, and that is what skipping then shows). That holds for
a run's sticky list too: served while the worker that chose it polls it, and once that worker
has stopped, the routing timeout that sends the task back is what skipping shows.

The next deadline worth jumping to is the earliest one that still stands (see
``_timeouts.stands``) and belongs to an open run: retention deadlines are left out, as jumping
to one would only delete closed runs a test still wants to read.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ._kernel import Kernel
from ._timeouts import stands

Served = Callable[[str, str, str], bool]  # (kind, domain, task list) -> a worker polls it


@dataclass(frozen=True, slots=True)
class Busy:
    """Something a worker is doing or can take now, named for error messages and tests.

    Attributes:
        kind: "decision", "activity" or "lambda".
        state: "scheduled" (waiting for a worker) or "started" (a worker has it).
        workflow_id: the run's workflow id.
        task_list: where the task waits or was taken from.
        name: the activity id, the Lambda id, or "" for a decision task.
    """

    kind: str
    state: str
    workflow_id: str
    task_list: str
    name: str


def busy(k: Kernel, served: Served) -> list[Busy]:
    """Every task a worker has or can take now, over all open runs (empty: the region is quiet)."""
    found: list[Busy] = []
    for ex in k.executions.values():
        if not ex.is_open:
            continue
        task = ex.decision
        if task is not None:
            if task.started_event_id:
                found.append(Busy("decision", "started", ex.workflow_id, task.task_list, ""))
            elif served("decision", ex.domain, task.task_list):
                found.append(Busy("decision", "scheduled", ex.workflow_id, task.task_list, ""))
        for activity in ex.activities.values():
            if activity.started_event_id:
                found.append(
                    Busy("activity", "started", ex.workflow_id, activity.task_list, activity.activity_id)
                )
            elif served("activity", ex.domain, activity.task_list):
                found.append(
                    Busy("activity", "scheduled", ex.workflow_id, activity.task_list, activity.activity_id)
                )
        for call in ex.lambdas.values():
            found.append(Busy("lambda", "started", ex.workflow_id, "", call.lambda_id))
    return found


def next_standing_deadline(k: Kernel) -> float | None:
    """The earliest deadline that would still change an open run when it comes due, or None."""
    standing = [at for at, _, deadline in k.deadlines if deadline.kind != "retention" and stands(k, deadline)]
    return min(standing, default=None)


def open_runs(k: Kernel) -> int:
    """How many runs are open."""
    return sum(1 for ex in k.executions.values() if ex.is_open)
