"""Polling for tasks, heartbeats, and the activity worker's answers (SWF-SEMANTICS §3).

A poll here never waits: it takes the best task queued on the list or answers None, and the
service shell turns None into a long poll (wait, retry, eventually the empty answer). That keeps
the engine free of threads while "a task goes to exactly one poller" follows from the shell
calling the engine under one lock.
"""

from __future__ import annotations

from typing import Any

from ._faults import UnknownResourceFault
from ._kernel import Kernel, TokenRef, drop_none, parse_duration
from ._paging import decode_token, encode_token, page_size
from ._state import ActivityTask, Execution, Json

EMPTY_DECISION_TASK: Json = {"previousStartedEventId": 0, "startedEventId": 0}
EMPTY_ACTIVITY_TASK: Json = {"startedEventId": 0}


# -- decision tasks --------------------------------------------------------------------------
def poll_for_decision_task(k: Kernel, req: Json, now: float) -> Json | None:
    if req.get("nextPageToken") is not None:
        return _decision_page(k, req, decode_token(req))
    domain = k.domain(req["domain"]).name
    queue = k.decision_queues.get((domain, req["taskList"]["name"]))
    if not queue:
        return None
    k.mutating("take_decision_task")
    ref = queue.pop()
    assert ref is not None, "a non-empty queue pops a task"
    key, scheduled_event_id = ref
    ex = k.executions[key]
    task = ex.decision
    assert task is not None and task.scheduled_event_id == scheduled_event_id, "queue out of step"
    started = k.append(
        ex,
        "DecisionTaskStarted",
        {"identity": req.get("identity"), "scheduledEventId": scheduled_event_id},
        now,
    )
    task.started_event_id = started
    task.started_at = now
    task.token = k.new_token(TokenRef(key, None, started))
    ex.decision_owed = False
    timeout = parse_duration(task.start_to_close)
    if timeout is not None:
        k.add_deadline(now + timeout, "decision_start_to_close", key, started)
    position = {
        "key": list(key),
        "token": task.token,
        "started": started,
        "previous": ex.previous_started_event_id,
        "offset": 0,
    }
    return _decision_page(k, req, position)


def _decision_page(k: Kernel, req: Json, position: Any) -> Json:
    """One page of a decision task's history; later pages come back through the same poll call."""
    try:
        key = tuple(position["key"])
        token, started, previous, offset = (
            position["token"],
            position["started"],
            position["previous"],
            position["offset"],
        )
        ex = k.executions[key]
    except (KeyError, TypeError) as err:
        raise UnknownResourceFault("Unknown decision task for this page token") from err
    first = previous if req.get("startAtPreviousStartedEvent") and previous else 1
    events = ex.events[first - 1 : started]
    if req.get("reverseOrder"):
        events = events[::-1]
    end = offset + page_size(req)
    body: Json = {
        "taskToken": token,
        "startedEventId": started,
        "previousStartedEventId": previous,
        "workflowExecution": ex.ref(),
        "workflowType": ex.workflow_type,
        "events": events[offset:end],
    }
    if end < len(events):
        body["nextPageToken"] = encode_token(req, {**position, "offset": end})
    return body


# -- activity tasks --------------------------------------------------------------------------
def poll_for_activity_task(k: Kernel, req: Json, now: float) -> Json | None:
    domain = k.domain(req["domain"]).name
    queue = k.activity_queues.get((domain, req["taskList"]["name"]))
    if not queue:
        return None
    k.mutating("take_activity_task")
    ref = queue.pop()
    assert ref is not None, "a non-empty queue pops a task"
    key, activity_id, _ = ref
    ex = k.executions[key]
    activity = ex.activities[activity_id]
    started = k.append(
        ex,
        "ActivityTaskStarted",
        {"identity": req.get("identity"), "scheduledEventId": activity.scheduled_event_id},
        now,
    )
    activity.started_event_id = started
    activity.started_at = now
    activity.last_heartbeat_at = now
    activity.token = k.new_token(TokenRef(key, activity_id, started))
    for timeout in (activity.start_to_close, activity.heartbeat):
        seconds = parse_duration(timeout)
        if seconds is not None:
            k.add_deadline(now + seconds, "activity", key, (activity_id, activity.scheduled_event_id))
    return drop_none(
        {
            "taskToken": activity.token,
            "activityId": activity_id,
            "startedEventId": started,
            "workflowExecution": ex.ref(),
            "activityType": activity.activity_type,
            "input": activity.input,
        }
    )


def _started_activity(k: Kernel, token: str) -> tuple[Execution, ActivityTask]:
    target, ex = k.token_target(token)
    activity = ex.activities.get(target.ref) if target.ref is not None else None
    if activity is None or activity.token != token:
        raise UnknownResourceFault("Unknown activity task token")
    return ex, activity


def record_activity_task_heartbeat(k: Kernel, req: Json, now: float) -> Json:
    ex, activity = _started_activity(k, req["taskToken"])
    k.mutating("heartbeat")
    activity.last_heartbeat_at = now
    if "details" in req:
        activity.heartbeat_details = req["details"]
    seconds = parse_duration(activity.heartbeat)
    if seconds is not None:
        k.add_deadline(now + seconds, "activity", ex.key, (activity.activity_id, activity.scheduled_event_id))
    return {"cancelRequested": bool(activity.cancel_requested_event_id)}


def _close_activity(k: Kernel, token: str, event_type: str, attrs: Json, now: float) -> None:
    ex, activity = _started_activity(k, token)
    if event_type == "ActivityTaskCanceled":
        attrs = {**attrs, "latestCancelRequestedEventId": activity.cancel_requested_event_id or None}
    k.append(
        ex,
        event_type,
        {
            **attrs,
            "scheduledEventId": activity.scheduled_event_id,
            "startedEventId": activity.started_event_id,
        },
        now,
    )
    k.end_activity(ex, activity)
    k.trigger_decision(ex, now)


def respond_activity_task_completed(k: Kernel, req: Json, now: float) -> None:
    _close_activity(k, req["taskToken"], "ActivityTaskCompleted", {"result": req.get("result")}, now)


def respond_activity_task_failed(k: Kernel, req: Json, now: float) -> None:
    attrs = {"reason": req.get("reason"), "details": req.get("details")}
    _close_activity(k, req["taskToken"], "ActivityTaskFailed", attrs, now)


def respond_activity_task_canceled(k: Kernel, req: Json, now: float) -> None:
    _close_activity(k, req["taskToken"], "ActivityTaskCanceled", {"details": req.get("details")}, now)


# -- counts ----------------------------------------------------------------------------------
def count_pending_activity_tasks(k: Kernel, req: Json, now: float) -> Json:
    domain = k.domain(req["domain"]).name
    queue = k.activity_queues.get((domain, req["taskList"]["name"]))
    return {"count": len(queue) if queue is not None else 0, "truncated": False}


def count_pending_decision_tasks(k: Kernel, req: Json, now: float) -> Json:
    domain = k.domain(req["domain"]).name
    queue = k.decision_queues.get((domain, req["taskList"]["name"]))
    return {"count": len(queue) if queue is not None else 0, "truncated": False}


HANDLERS: dict[str, Any] = {
    "PollForDecisionTask": poll_for_decision_task,
    "PollForActivityTask": poll_for_activity_task,
    "RecordActivityTaskHeartbeat": record_activity_task_heartbeat,
    "RespondActivityTaskCompleted": respond_activity_task_completed,
    "RespondActivityTaskFailed": respond_activity_task_failed,
    "RespondActivityTaskCanceled": respond_activity_task_canceled,
    "CountPendingActivityTasks": count_pending_activity_tasks,
    "CountPendingDecisionTasks": count_pending_decision_tasks,
}
