"""``awsflow workflow describe``'s text: an ExecutionDescription as lines (pure)."""

from __future__ import annotations

import datetime as dt

from ..handles import ExecutionDescription
from ._format import duration, timestamp

__all__ = ["description_lines", "failure_text"]


def failure_text(description: ExecutionDescription) -> str | None:
    """``decision failing since T: Error at file:line (N attempts)``, or None."""
    failure = description.decision_failure
    if failure is None:
        return None
    where = f" at {failure.location}" if failure.location else ""
    name = failure.error_type.rsplit(".", 1)[-1]
    return (
        f"decision failing since {timestamp(failure.since)}: {name}{where} "
        f"({failure.attempts} attempt{'s' if failure.attempts != 1 else ''}): "
        f"{failure.message.splitlines()[0] if failure.message else ''}"
    )


def description_lines(d: ExecutionDescription, now: dt.datetime | None = None) -> list[str]:
    """The lines ``awsflow workflow describe`` prints."""
    end = d.closed_at or now or dt.datetime.now(dt.timezone.utc)
    counts = d.open_counts
    lines = [
        f"workflow id:   {d.execution.workflow_id}",
        f"run id:        {d.execution.run_id}",
        f"type:          {d.workflow_type[0]} {d.workflow_type[1]}",
        f"status:        {d.status.value}{' (cancel requested)' if d.cancel_requested else ''}",
        f"started:       {timestamp(d.started_at)}",
        f"closed:        {timestamp(d.closed_at)}",
        f"duration:      {duration((end - d.started_at).total_seconds())}{'' if d.closed_at else ' so far'}",
        f"task list:     {d.task_list or '-'}",
        f"timeouts:      execution {d.execution_start_to_close_timeout or '-'} s, decision task "
        f"{d.task_start_to_close_timeout or '-'} s",
        f"history:       {d.history_length} events",
        f"open:          {counts.activity_tasks} activities, {counts.timers} timers, "
        f"{counts.child_workflow_executions} child workflows, {counts.decision_tasks} decision tasks",
    ]
    if d.parent is not None:
        lines.append(f"parent:        {d.parent.workflow_id} {d.parent.run_id}")
    if d.tags:
        lines.append(f"tags:          {', '.join(d.tags)}")
    if d.latest_execution_context:
        lines.append(f"state:         {d.latest_execution_context}")
    if d.pending_decision is not None:
        pending = d.pending_decision
        since = pending.started_at or pending.scheduled_at
        lines.append(f"decision task: {pending.state.value} since {timestamp(since)}")
    for activity in d.pending_activities:
        since = activity.started_at or activity.scheduled_at
        who = f" by {activity.worker_identity}" if activity.worker_identity else ""
        lines.append(
            f"activity:      {activity.activity_type[0]} {activity.activity_type[1]} (id {activity.activity_id}) "
            f"{activity.state.value}{who} since {timestamp(since)}"
        )
    failing = failure_text(d)
    if failing:
        lines.append(f"FAILING:       {failing}")
    return lines
