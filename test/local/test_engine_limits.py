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
