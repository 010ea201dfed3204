"""The per-domain open-executions limit, checked on the pure engine with a lowered limit.

SWF allows 100,000 open executions per domain, children included; reaching that over HTTP
would take minutes, so the limit is patched down and the engine is driven directly.
"""

from __future__ import annotations

from typing import Any

import pytest
from test_engine_invariants import DOMAIN, SETUP, TASK_LIST, WORKFLOW

from awsflow.local.engine import Engine, SwfFault, _decisions, _lifecycle

LIMIT = 3


@pytest.fixture
def engine(monkeypatch: pytest.MonkeyPatch) -> Engine:
    monkeypatch.setattr(_lifecycle, "OPEN_EXECUTIONS_LIMIT", LIMIT)
    monkeypatch.setattr(_decisions, "OPEN_EXECUTIONS_LIMIT", LIMIT)
    engine = Engine(seed="limits")
    for operation, request in SETUP:
        engine.handle(operation, request, 0.0)
    return engine


def start(engine: Engine, workflow_id: str) -> dict[str, Any]:
    request = {"domain": DOMAIN, "workflowId": workflow_id, "workflowType": WORKFLOW}
    return engine.handle("StartWorkflowExecution", request, 1.0).body


def test_starting_beyond_the_limit_is_refused_until_one_closes(engine: Engine) -> None:
    runs = [start(engine, f"w{n}") for n in range(LIMIT)]
    with pytest.raises(SwfFault) as info:
        start(engine, "one-too-many")
    assert info.value.code == "LimitExceededFault"
    engine.handle(
        "TerminateWorkflowExecution", {"domain": DOMAIN, "workflowId": "w0", "runId": runs[0]["runId"]}, 2.0
    )
    assert start(engine, "one-too-many")["runId"]


def test_a_child_beyond_the_limit_fails_with_open_workflows_limit_exceeded(engine: Engine) -> None:
    for n in range(LIMIT):
        start(engine, f"w{n}")
    task = engine.handle("PollForDecisionTask", {"domain": DOMAIN, "taskList": TASK_LIST}, 3.0).body
    child = {"workflowId": "child", "workflowType": WORKFLOW}
    decision = {
        "decisionType": "StartChildWorkflowExecution",
        "startChildWorkflowExecutionDecisionAttributes": child,
    }
    engine.handle(
        "RespondDecisionTaskCompleted", {"taskToken": task["taskToken"], "decisions": [decision]}, 4.0
    )
    history = engine.handle(
        "GetWorkflowExecutionHistory",
        {"domain": DOMAIN, "execution": task["workflowExecution"], "reverseOrder": True},
        5.0,
    ).body["events"]
    failed = next(
        e["startChildWorkflowExecutionFailedEventAttributes"]
        for e in history
        if e["eventType"] == "StartChildWorkflowExecutionFailed"
    )
    assert (failed["workflowId"], failed["cause"]) == ("child", "OPEN_WORKFLOWS_LIMIT_EXCEEDED")


def history(engine: Engine, execution: dict[str, str]) -> list[dict[str, Any]]:
    body = engine.handle("GetWorkflowExecutionHistory", {"domain": DOMAIN, "execution": execution}, 9.0).body
    return list(body["events"])


def test_a_run_reaching_the_history_cap_is_terminated_with_event_limit_exceeded() -> None:
    engine = Engine(seed="cap", history_event_limit=10)
    for operation, request in SETUP:
        engine.handle(operation, request, 0.0)
    run = {"workflowId": "w", "runId": start(engine, "w")["runId"]}
    for n in range(20):
        try:
            engine.handle("SignalWorkflowExecution", {"domain": DOMAIN, **run, "signalName": f"s{n}"}, 2.0)
        except SwfFault as fault:
            assert fault.code == "UnknownResourceFault"  # the run is closed: signals are refused
            break
    events = history(engine, run)
    assert events[-1]["eventType"] == "WorkflowExecutionTerminated"
    assert events[-1]["workflowExecutionTerminatedEventAttributes"]["cause"] == "EVENT_LIMIT_EXCEEDED"
    assert len(events) == 11


def test_at_most_the_limit_of_children_may_be_open(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_decisions, "OPEN_CHILDREN_LIMIT", 2)
    run = start(engine, "parent")
    task = engine.handle("PollForDecisionTask", {"domain": DOMAIN, "taskList": TASK_LIST}, 3.0).body
    decisions = [
        {
            "decisionType": "StartChildWorkflowExecution",
            "startChildWorkflowExecutionDecisionAttributes": {
                "workflowId": f"c{n}",
                "workflowType": WORKFLOW,
            },
        }
        for n in range(3)
    ]
    engine.handle(
        "RespondDecisionTaskCompleted", {"taskToken": task["taskToken"], "decisions": decisions}, 4.0
    )
    events = history(engine, {"workflowId": "parent", **run})
    initiated = [e for e in events if e["eventType"] == "StartChildWorkflowExecutionInitiated"]
    failed = [
        e["startChildWorkflowExecutionFailedEventAttributes"]
        for e in events
        if e["eventType"] == "StartChildWorkflowExecutionFailed"
    ]
    assert len(initiated) == 2
    assert [(f["workflowId"], f["cause"]) for f in failed] == [("c2", "OPEN_CHILDREN_LIMIT_EXCEEDED")]
