"""What happens when a deadline comes due (SWF-SEMANTICS §7).

Each handler first re-derives from the current state whether its deadline still stands: the
task may have been answered, restarted or heartbeated since the deadline was queued. Only a
deadline that matches the state fires. An activity has up to four clocks; whichever expires
first produces its one ActivityTaskTimedOut (ties resolve in SWF's enum order).
"""

from __future__ import annotations

from ._kernel import Deadline, Kernel, parse_duration
from ._lifecycle import finish_run
from ._state import ActivityTask, CloseStatus, Execution


def activity_expiry(activity: ActivityTask) -> tuple[float, str] | None:
    """The earliest deadline of an activity and its timeout type, or None if unbounded."""
    candidates: list[tuple[float, int, str]] = []

    def add(base: float | None, timeout: str, order: int, kind: str) -> None:
        seconds = parse_duration(timeout)
        if base is not None and seconds is not None:
            candidates.append((base + seconds, order, kind))

    add(activity.scheduled_at, activity.schedule_to_close, 0, "SCHEDULE_TO_CLOSE")
    if activity.started_event_id:
        add(activity.started_at, activity.start_to_close, 1, "START_TO_CLOSE")
        add(activity.last_heartbeat_at, activity.heartbeat, 2, "HEARTBEAT")
    else:
        add(activity.scheduled_at, activity.schedule_to_start, 1, "SCHEDULE_TO_START")
    if not candidates:
        return None
    at, _, kind = min(candidates)
    return at, kind


def _open(k: Kernel, deadline: Deadline) -> Execution | None:
    ex = k.executions.get(deadline.key)
    return ex if ex is not None and ex.is_open else None


def stands(k: Kernel, deadline: Deadline) -> bool:
    """Whether a queued deadline can still do anything; compaction drops those that cannot.

    Mirrors the checks each handler below makes when its deadline comes due. For an activity
    only the entry at its current expiry counts: one is queued for every clock the activity has
    (each heartbeat queues another), and the earlier ones would find the clock moved on.
    """
    ex = k.executions.get(deadline.key)
    if ex is None:
        return False
    if deadline.kind == "retention":
        return not ex.is_open
    if not ex.is_open:
        return False
    kind, ref = deadline.kind, deadline.ref
    if kind == "activity":
        activity = ex.activities.get(ref[0])
        if activity is None or activity.scheduled_event_id != ref[1]:
            return False
        expiry = activity_expiry(activity)
        return expiry is not None and deadline.at >= expiry[0]
    if kind == "timer":
        timer = ex.timers.get(ref[0])
        return timer is not None and timer.started_event_id == ref[1]
    if kind == "decision_start_to_close":
        return ex.decision is not None and ex.decision.started_event_id == ref
    if kind == "decision_schedule_to_start":
        task = ex.decision
        return task is not None and task.scheduled_event_id == ref and not task.started_event_id
    if kind == "lambda":
        call = ex.lambdas.get(ref[0])
        return call is not None and call.scheduled_event_id == ref[1]
    return kind == "workflow_start_to_close"


def fire(k: Kernel, deadline: Deadline, now: float) -> None:
    if deadline.kind == "retention":
        ex = k.executions.get(deadline.key)
        if ex is not None and not ex.is_open:
            k.mutating("retention")
            del k.executions[deadline.key]
        return
    ex = _open(k, deadline)
    if ex is None:
        return
    handler = _HANDLERS[deadline.kind]
    handler(k, ex, deadline, now)


def _activity(k: Kernel, ex: Execution, deadline: Deadline, now: float) -> None:
    activity_id, scheduled_event_id = deadline.ref
    activity = ex.activities.get(activity_id)
    if activity is None or activity.scheduled_event_id != scheduled_event_id:
        return
    expiry = activity_expiry(activity)
    if expiry is None or expiry[0] > now:
        return
    _, kind = expiry
    k.append(
        ex,
        "ActivityTaskTimedOut",
        {
            "timeoutType": kind,
            "scheduledEventId": activity.scheduled_event_id,
            "startedEventId": activity.started_event_id,
            "details": activity.heartbeat_details,
        },
        now,
    )
    k.end_activity(ex, activity)
    k.trigger_decision(ex, now)


def _timer(k: Kernel, ex: Execution, deadline: Deadline, now: float) -> None:
    timer_id, started_event_id = deadline.ref
    timer = ex.timers.get(timer_id)
    if timer is None or timer.started_event_id != started_event_id:
        return
    k.mutating("timer_fired")
    del ex.timers[timer_id]
    k.append(ex, "TimerFired", {"timerId": timer_id, "startedEventId": started_event_id}, now)
    k.trigger_decision(ex, now)


def _decision_start_to_close(k: Kernel, ex: Execution, deadline: Deadline, now: float) -> None:
    task = ex.decision
    if task is None or task.started_event_id != deadline.ref:
        return
    k.append(
        ex,
        "DecisionTaskTimedOut",
        {
            "timeoutType": "START_TO_CLOSE",
            "scheduledEventId": task.scheduled_event_id,
            "startedEventId": task.started_event_id,
        },
        now,
    )
    k.end_decision(ex)
    # A sticky decider that overran loses the run back to its own list (§4.6).
    if ex.sticky_schedule_to_start is not None:
        k.mutating("sticky_lost")
        ex.sticky_task_list = ex.sticky_schedule_to_start = None
    k.schedule_decision(ex, now)


def _decision_schedule_to_start(k: Kernel, ex: Execution, deadline: Deadline, now: float) -> None:
    task = ex.decision
    if task is None or task.scheduled_event_id != deadline.ref or task.started_event_id:
        return
    k.append(
        ex,
        "DecisionTaskTimedOut",
        {
            "timeoutType": "SCHEDULE_TO_START",
            "scheduledEventId": task.scheduled_event_id,
            "startedEventId": 0,
        },
        now,
    )
    k.end_decision(ex)
    k.mutating("sticky_lost")
    ex.sticky_task_list = ex.sticky_schedule_to_start = None
    k.schedule_decision(ex, now)


def _workflow_start_to_close(k: Kernel, ex: Execution, deadline: Deadline, now: float) -> None:
    finish_run(
        k,
        ex,
        CloseStatus.TIMED_OUT,
        "WorkflowExecutionTimedOut",
        {"timeoutType": "START_TO_CLOSE", "childPolicy": ex.child_policy},
        now,
    )


def _lambda(k: Kernel, ex: Execution, deadline: Deadline, now: float) -> None:
    lambda_id, scheduled_event_id = deadline.ref
    call = ex.lambdas.get(lambda_id)
    if call is None or call.scheduled_event_id != scheduled_event_id:
        return
    k.mutating("lambda_timed_out")
    del ex.lambdas[lambda_id]
    k.append(
        ex,
        "LambdaFunctionTimedOut",
        {
            "scheduledEventId": call.scheduled_event_id,
            "startedEventId": call.started_event_id,
            "timeoutType": "START_TO_CLOSE",
        },
        now,
    )
    k.trigger_decision(ex, now)


_HANDLERS = {
    "activity": _activity,
    "timer": _timer,
    "decision_start_to_close": _decision_start_to_close,
    "decision_schedule_to_start": _decision_schedule_to_start,
    "workflow_start_to_close": _workflow_start_to_close,
    "lambda": _lambda,
}
