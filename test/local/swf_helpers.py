"""Small helpers the conformance tests share: types with defaults, decide, poll, history.

They talk to the service only through a botocore client, as users' code does.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

TASK_LIST = {"name": "tasks"}
WORKFLOW = {"name": "Flow", "version": "1"}
ACTIVITY = {"name": "Work", "version": "1"}


def register_workflow_type(
    client: Any, domain: str, workflow_type: dict[str, str] = WORKFLOW, **overrides: Any
) -> None:
    options: dict[str, Any] = {
        "defaultTaskList": TASK_LIST,
        "defaultExecutionStartToCloseTimeout": "3600",
        "defaultTaskStartToCloseTimeout": "60",
        "defaultChildPolicy": "TERMINATE",
    }
    options.update(overrides)
    options = {k: v for k, v in options.items() if v is not None}
    client.register_workflow_type(
        domain=domain, name=workflow_type["name"], version=workflow_type["version"], **options
    )


def register_activity_type(
    client: Any, domain: str, activity_type: dict[str, str] = ACTIVITY, **overrides: Any
) -> None:
    options: dict[str, Any] = {
        "defaultTaskList": TASK_LIST,
        "defaultTaskScheduleToStartTimeout": "NONE",
        "defaultTaskStartToCloseTimeout": "NONE",
        "defaultTaskScheduleToCloseTimeout": "NONE",
        "defaultTaskHeartbeatTimeout": "NONE",
    }
    options.update(overrides)
    options = {k: v for k, v in options.items() if v is not None}
    client.register_activity_type(
        domain=domain, name=activity_type["name"], version=activity_type["version"], **options
    )


def start(client: Any, domain: str, workflow_id: str = "wf", **options: Any) -> dict[str, str]:
    """Start an execution of ``WORKFLOW``; returns ``{workflowId, runId}``."""
    options.setdefault("workflowType", WORKFLOW)
    run = client.start_workflow_execution(domain=domain, workflowId=workflow_id, **options)
    return {"workflowId": workflow_id, "runId": run["runId"]}


def setup_domain(client: Any, domain: str) -> None:
    register_workflow_type(client, domain)
    register_activity_type(client, domain)


def poll_decision(
    client: Any, domain: str, task_list: dict[str, str] = TASK_LIST, **options: Any
) -> dict[str, Any]:
    """A decision task that must be there already (a poll with nothing queued would wait)."""
    pending = client.count_pending_decision_tasks(domain=domain, taskList=task_list)["count"]
    assert pending, f"no decision task queued on {task_list['name']}"
    task = client.poll_for_decision_task(
        domain=domain, taskList=task_list, identity="test-decider", **options
    )
    assert task.get("taskToken"), f"expected a decision task on {task_list['name']}"
    return task


def poll_activity(client: Any, domain: str, task_list: dict[str, str] = TASK_LIST) -> dict[str, Any]:
    """An activity task that must be there already (a poll with nothing queued would wait)."""
    pending = client.count_pending_activity_tasks(domain=domain, taskList=task_list)["count"]
    assert pending, f"no activity task queued on {task_list['name']}"
    task = client.poll_for_activity_task(domain=domain, taskList=task_list, identity="test-worker")
    assert task.get("taskToken"), f"expected an activity task on {task_list['name']}"
    return task


def decide(
    client: Any,
    domain: str,
    *decisions: dict[str, Any],
    task_list: dict[str, str] = TASK_LIST,
    **respond: Any,
) -> dict[str, Any]:
    """Take the queued decision task and answer it with ``decisions``; returns the task."""
    task = poll_decision(client, domain, task_list)
    client.respond_decision_task_completed(taskToken=task["taskToken"], decisions=list(decisions), **respond)
    return task


def decision(decision_type: str, **attributes: Any) -> dict[str, Any]:
    """``decision("StartTimer", timerId="t", startToFireTimeout="5")`` in wire form."""
    member = decision_type[0].lower() + decision_type[1:] + "DecisionAttributes"
    body: dict[str, Any] = {"decisionType": decision_type}
    if attributes:
        body[member] = attributes
    return body


def schedule(activity_id: str = "a1", **attributes: Any) -> dict[str, Any]:
    attributes.setdefault("activityType", ACTIVITY)
    return decision("ScheduleActivityTask", activityId=activity_id, **attributes)


def history(client: Any, domain: str, execution: dict[str, str]) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = []
    kwargs: dict[str, Any] = {}
    while True:
        page = client.get_workflow_execution_history(domain=domain, execution=execution, **kwargs)
        events.extend(page["events"])
        if "nextPageToken" not in page:
            return events
        kwargs["nextPageToken"] = page["nextPageToken"]


def event_types(client: Any, domain: str, execution: dict[str, str]) -> list[str]:
    return [e["eventType"] for e in history(client, domain, execution)]


def attrs(event: dict[str, Any]) -> dict[str, Any]:
    """The ``<type>EventAttributes`` member of an event."""
    name = event["eventType"][0].lower() + event["eventType"][1:] + "EventAttributes"
    return event.get(name, {})


def last(client: Any, domain: str, execution: dict[str, str], event_type: str) -> dict[str, Any]:
    """The latest event of a type, with its attributes merged in (plus ``eventId``)."""
    for event in reversed(history(client, domain, execution)):
        if event["eventType"] == event_type:
            return {"eventId": event["eventId"], **attrs(event)}
    raise AssertionError(f"no {event_type} in history")


def describe(client: Any, domain: str, execution: dict[str, str]) -> dict[str, Any]:
    return client.describe_workflow_execution(domain=domain, execution=execution)


@contextmanager
def in_background(call: Callable[[], Any]) -> Iterator[Callable[[float], Any]]:
    """Run a blocking call (a long poll) in a thread; yields ``result(timeout)``."""
    box: dict[str, Any] = {}
    done = threading.Event()

    def run() -> None:
        try:
            box["value"] = call()
        except BaseException as err:  # handed to the test thread, re-raised there
            box["error"] = err
        finally:
            done.set()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()

    def result(timeout: float = 10.0) -> Any:
        assert done.wait(timeout), "background call did not finish in time"
        if "error" in box:
            raise box["error"]
        return box.get("value")

    yield result
    thread.join(timeout=10)
