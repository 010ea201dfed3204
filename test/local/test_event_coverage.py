"""Every history event type SWF defines is produced where SWF produces it (SWF-SEMANTICS §6).

One service runs a tour of scenarios; afterwards the event types found across all histories
must be the model's EventType enum, save RecordMarkerFailed, whose only cause is an IAM denial
(OPERATION_NOT_PERMITTED) that a local service has no IAM to produce.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from swf_helpers import (
    decide,
    decision,
    history,
    poll_activity,
    poll_decision,
    register_workflow_type,
    schedule,
    setup_domain,
    start,
)

from awsflow.local import LocalSWF, VirtualClock
from awsflow.local._model import shape

D = "tour"
CHILD = {"name": "Child", "version": "1"}
CHILD_LIST = {"name": "kids"}
NOT_PRODUCIBLE = {"RecordMarkerFailed"}


def broken(payload: str | None) -> str | None:
    raise RuntimeError("this function always fails")


released = threading.Event()


def hang(payload: str | None) -> str | None:
    """A function still running when its timeout passes; the test releases it afterwards."""
    released.wait(timeout=30)
    return payload


@pytest.fixture
def tour() -> Iterator[tuple[Any, VirtualClock]]:
    clock = VirtualClock()
    released.clear()
    functions = {"echo": lambda p: p, "broken": broken, "hang": hang}
    with LocalSWF(clock=clock, lambda_functions=functions) as swf:
        client = swf.client()
        client.register_domain(name=D, workflowExecutionRetentionPeriodInDays="1")
        setup_domain(client, D)
        register_workflow_type(client, D, CHILD, defaultTaskList=CHILD_LIST, defaultChildPolicy="ABANDON")
        yield client, clock
        released.set()


def wait_for_event(client: Any, run: dict[str, str], event_type: str, timeout: float = 10) -> None:
    """Lambda functions run on the service's threads: poll the history with a deadline."""
    deadline = time.monotonic() + timeout
    while not any(e["eventType"] == event_type for e in history(client, D, run)):
        assert time.monotonic() < deadline, f"no {event_type} within {timeout} s"
        time.sleep(0.01)


def test_the_tour_produces_every_event_type(tour: tuple[Any, VirtualClock]) -> None:
    client, clock = tour
    # Activities: completed, failed, canceled (started and unstarted), timed out; failures.
    main = start(client, D, "main", lambdaRole="arn:aws:iam::000000000000:role/local")
    decide(
        client,
        D,
        schedule("ok"),
        schedule("bad"),
        schedule("stop"),
        schedule("late", scheduleToStartTimeout="5"),
        schedule("ok"),
        decision("RequestCancelActivityTask", activityId="ghost"),
        decision("StartTimer", timerId="t1", startToFireTimeout="1"),
        decision("StartTimer", timerId="t1", startToFireTimeout="1"),
        decision("StartTimer", timerId="t2", startToFireTimeout="100"),
        decision("CancelTimer", timerId="t2"),
        decision("CancelTimer", timerId="ghost"),
        decision("RecordMarker", markerName="m"),
        decision("ScheduleLambdaFunction", id="l1", name="echo", input="hi"),
        decision("ScheduleLambdaFunction", id="l1", name="echo"),
        decision("ScheduleLambdaFunction", id="l2", name="broken"),
    )
    client.respond_activity_task_completed(taskToken=poll_activity(client, D)["taskToken"])
    client.respond_activity_task_failed(taskToken=poll_activity(client, D)["taskToken"], reason="no")
    stop = poll_activity(client, D)
    decide(client, D, decision("RequestCancelActivityTask", activityId="stop"))
    client.respond_activity_task_canceled(taskToken=stop["taskToken"])
    clock.advance(5)
    wait_for_event(client, main, "LambdaFunctionCompleted")
    wait_for_event(client, main, "LambdaFunctionFailed")
    decide(client, D, decision("ScheduleLambdaFunction", id="l3", name="hang", startToCloseTimeout="1"))
    clock.advance(1)
    wait_for_event(client, main, "LambdaFunctionTimedOut")
    released.set()  # its late answer is ignored: the call already timed out

    # A decision task that times out; then closing with unhandled events, for each close kind.
    poll_decision(client, D)
    clock.advance(60)
    for close in (
        "CompleteWorkflowExecution",
        "FailWorkflowExecution",
        "CancelWorkflowExecution",
        "ContinueAsNewWorkflowExecution",
    ):
        task = poll_decision(client, D)
        client.signal_workflow_execution(domain=D, signalName="late", **main)
        client.respond_decision_task_completed(taskToken=task["taskToken"], decisions=[decision(close)])
    decide(client, D, decision("ContinueAsNewWorkflowExecution", workflowTypeVersion="9"))
    decide(client, D, decision("ContinueAsNewWorkflowExecution"))  # WorkflowExecutionContinuedAsNew

    # Children: every close kind, a duplicate id, an unknown type.
    parent = start(client, D, "parent")
    decide(
        client,
        D,
        *[
            decision("StartChildWorkflowExecution", workflowId=f"kid-{n}", workflowType=CHILD)
            for n in range(4)
        ],
        decision(
            "StartChildWorkflowExecution",
            workflowId="kid-4",
            workflowType=CHILD,
            executionStartToCloseTimeout="100",
        ),
        # The parent has no lambdaRole: StartLambdaFunctionFailed.
        decision("ScheduleLambdaFunction", id="l1", name="echo"),
        decision("StartChildWorkflowExecution", workflowId="main", workflowType=CHILD),
        decision(
            "StartChildWorkflowExecution", workflowId="x", workflowType={"name": "Nope", "version": "1"}
        ),
        decision("SignalExternalWorkflowExecution", workflowId="kid-0", signalName="hello"),
        decision("SignalExternalWorkflowExecution", workflowId="ghost", signalName="hello"),
        decision("RequestCancelExternalWorkflowExecution", workflowId="kid-1"),
        decision("RequestCancelExternalWorkflowExecution", workflowId="ghost"),
    )
    decide(client, D, decision("CompleteWorkflowExecution"), task_list=CHILD_LIST)
    decide(client, D, decision("FailWorkflowExecution"), task_list=CHILD_LIST)
    decide(client, D, decision("CancelWorkflowExecution"), task_list=CHILD_LIST)
    client.terminate_workflow_execution(domain=D, workflowId="kid-3")
    client.request_cancel_workflow_execution(domain=D, **parent)
    clock.advance(100)  # kid-4 times out
    clock.advance(3600)  # and so does everything still open

    types: set[str] = set()
    for listing in (client.list_open_workflow_executions, client.list_closed_workflow_executions):
        for info in listing(domain=D, startTimeFilter={"oldestDate": 0})["executionInfos"]:
            types.update(e["eventType"] for e in history(client, D, info["execution"]))
    expected = set(shape("EventType")["enum"]) - NOT_PRODUCIBLE
    assert sorted(expected - types) == []
    assert len(expected) == 53
