"""Child workflows, signals and cancel requests between runs, continue-as-new, termination
(SWF-SEMANTICS §2.3, §8)."""

from __future__ import annotations

from typing import Any

import pytest
from swf_helpers import (
    TASK_LIST,
    WORKFLOW,
    attrs,
    decide,
    decision,
    describe,
    event_types,
    history,
    last,
    poll_activity,
    register_workflow_type,
    schedule,
    setup_domain,
    start,
)

CHILD_LIST = {"name": "children"}
CHILD = {"name": "Child", "version": "1"}


@pytest.fixture
def parent(client: Any, domain: str) -> dict[str, str]:
    setup_domain(client, domain)
    register_workflow_type(client, domain, CHILD, defaultTaskList=CHILD_LIST, defaultChildPolicy="ABANDON")
    return start(client, domain, "parent")


def start_child(client: Any, domain: str, workflow_id: str = "kid", **attributes: Any) -> None:
    attributes.setdefault("workflowType", CHILD)
    decide(client, domain, decision("StartChildWorkflowExecution", workflowId=workflow_id, **attributes))


def child_run(client: Any, domain: str, parent: dict[str, str]) -> dict[str, str]:
    return last(client, domain, parent, "ChildWorkflowExecutionStarted")["workflowExecution"]


# -- child workflows ------------------------------------------------------------------------------
@pytest.mark.moto_gap("child workflows are not implemented")
def test_a_child_starts_with_its_type_defaults_and_links_to_its_parent(
    client: Any, domain: str, parent: dict[str, str]
) -> None:
    start_child(client, domain, input="hi", control="ctl", tagList=["t"])
    events = history(client, domain, parent)
    assert [e["eventType"] for e in events][3:] == [
        "DecisionTaskCompleted",
        "StartChildWorkflowExecutionInitiated",
        "ChildWorkflowExecutionStarted",
        "DecisionTaskScheduled",
    ]
    initiated = attrs(events[4])
    assert initiated["workflowId"] == "kid"
    assert initiated["taskList"] == CHILD_LIST
    assert initiated["childPolicy"] == "ABANDON"
    assert initiated["control"] == "ctl"
    assert initiated["decisionTaskCompletedEventId"] == 4
    started = attrs(events[5])
    assert started["initiatedEventId"] == 5
    assert started["workflowType"] == CHILD
    child = started["workflowExecution"]
    child_started = attrs(history(client, domain, child)[0])
    assert child_started["parentWorkflowExecution"] == parent
    assert child_started["parentInitiatedEventId"] == 5
    assert child_started["input"] == "hi"
    assert child_started["tagList"] == ["t"]
    assert describe(client, domain, child)["executionInfo"]["parent"] == parent
    assert describe(client, domain, parent)["openCounts"]["openChildWorkflowExecutions"] == 1


@pytest.mark.moto_gap("child workflows are not implemented")
@pytest.mark.moto_gap("child workflows are not implemented")
def test_a_child_and_a_new_run_may_run_without_an_execution_timeout(
    client: Any, domain: str, parent: dict[str, str]
) -> None:
    # The model documents NONE ("unlimited duration") for these two, unlike StartWorkflowExecution.
    start_child(client, domain, executionStartToCloseTimeout="NONE")
    kid = child_run(client, domain, parent)
    assert attrs(history(client, domain, kid)[0])["executionStartToCloseTimeout"] == "NONE"
    decide(client, domain, decision("ContinueAsNewWorkflowExecution", executionStartToCloseTimeout="NONE"))
    closed = last(client, domain, parent, "WorkflowExecutionContinuedAsNew")
    assert closed["executionStartToCloseTimeout"] == "NONE"
    new_run = {"workflowId": "parent", "runId": closed["newExecutionRunId"]}
    assert describe(client, domain, new_run)["executionInfo"]["executionStatus"] == "OPEN"


@pytest.mark.parametrize(
    ("close", "event_type", "expected"),
    [
        (
            decision("CompleteWorkflowExecution", result="r"),
            "ChildWorkflowExecutionCompleted",
            {"result": "r"},
        ),
        (
            decision("FailWorkflowExecution", reason="why", details="d"),
            "ChildWorkflowExecutionFailed",
            {"reason": "why", "details": "d"},
        ),
        (
            decision("CancelWorkflowExecution", details="d"),
            "ChildWorkflowExecutionCanceled",
            {"details": "d"},
        ),
    ],
)
def test_a_child_closing_tells_its_parent(
    client: Any,
    domain: str,
    parent: dict[str, str],
    close: dict[str, Any],
    event_type: str,
    expected: dict[str, str],
) -> None:
    start_child(client, domain)
    child = child_run(client, domain, parent)
    decide(client, domain, close, task_list=CHILD_LIST)
    outcome = last(client, domain, parent, event_type)
    assert outcome == {
        "eventId": 8,
        "workflowExecution": child,
        "workflowType": CHILD,
        **expected,
        "initiatedEventId": 5,
        "startedEventId": 6,
    }
    assert describe(client, domain, parent)["openCounts"]["openChildWorkflowExecutions"] == 0


@pytest.mark.moto_gap("child workflows are not implemented")
def test_a_terminated_child_tells_its_parent(client: Any, domain: str, parent: dict[str, str]) -> None:
    start_child(client, domain)
    child = child_run(client, domain, parent)
    client.terminate_workflow_execution(domain=domain, **child, reason="stop")
    outcome = last(client, domain, parent, "ChildWorkflowExecutionTerminated")
    assert outcome["workflowExecution"] == child
    assert (outcome["initiatedEventId"], outcome["startedEventId"]) == (5, 6)


def test_a_timed_out_child_tells_its_parent(
    client: Any, domain: str, parent: dict[str, str], clock: Any
) -> None:
    start_child(client, domain, executionStartToCloseTimeout="100")
    child = child_run(client, domain, parent)
    clock.advance(100)
    assert describe(client, domain, child)["executionInfo"]["closeStatus"] == "TIMED_OUT"
    outcome = last(client, domain, parent, "ChildWorkflowExecutionTimedOut")
    assert outcome["timeoutType"] == "START_TO_CLOSE"
    assert (outcome["initiatedEventId"], outcome["startedEventId"]) == (5, 6)


@pytest.mark.moto_gap("child workflows are not implemented")
def test_a_child_id_in_use_fails_after_initiation(client: Any, domain: str, parent: dict[str, str]) -> None:
    start(client, domain, "busy")
    start_child(client, domain, "busy", control="c")
    failed = last(client, domain, parent, "StartChildWorkflowExecutionFailed")
    assert failed == {
        "eventId": 6,
        "workflowType": CHILD,
        "workflowId": "busy",
        "control": "c",
        "cause": "WORKFLOW_ALREADY_RUNNING",
        "initiatedEventId": 5,
        "decisionTaskCompletedEventId": 4,
    }


@pytest.mark.moto_gap("child workflows are not implemented")
@pytest.mark.parametrize(
    ("prepare", "cause"),
    [
        ("missing", "WORKFLOW_TYPE_DOES_NOT_EXIST"),
        ("deprecated", "WORKFLOW_TYPE_DEPRECATED"),
        ("bare", "DEFAULT_TASK_LIST_UNDEFINED"),
    ],
)
def test_child_start_failures_have_no_initiated_event(
    client: Any, domain: str, parent: dict[str, str], prepare: str, cause: str
) -> None:
    child_type = {"name": "Other", "version": "1"}
    if prepare == "deprecated":
        child_type = CHILD
        client.deprecate_workflow_type(domain=domain, workflowType=CHILD)
    elif prepare == "bare":
        client.register_workflow_type(domain=domain, **child_type)
    start_child(client, domain, workflowType=child_type)
    failed = last(client, domain, parent, "StartChildWorkflowExecutionFailed")
    assert failed["cause"] == cause
    assert failed["initiatedEventId"] == 0
    assert "StartChildWorkflowExecutionInitiated" not in event_types(client, domain, parent)


@pytest.mark.moto_gap("child workflows are not implemented")
@pytest.mark.parametrize(
    ("policy", "child_event", "cause"),
    [
        ("TERMINATE", "WorkflowExecutionTerminated", "CHILD_POLICY_APPLIED"),
        ("REQUEST_CANCEL", "WorkflowExecutionCancelRequested", "CHILD_POLICY_APPLIED"),
        ("ABANDON", None, None),
    ],
)
def test_terminating_a_parent_applies_its_child_policy(
    client: Any, domain: str, parent: dict[str, str], policy: str, child_event: str | None, cause: str | None
) -> None:
    start_child(client, domain)
    child = child_run(client, domain, parent)
    client.terminate_workflow_execution(domain=domain, **parent, childPolicy=policy)
    assert last(client, domain, parent, "WorkflowExecutionTerminated")["childPolicy"] == policy
    if child_event is None:
        assert event_types(client, domain, child) == ["WorkflowExecutionStarted", "DecisionTaskScheduled"]
    else:
        assert last(client, domain, child, child_event)["cause"] == cause


def test_a_timed_out_parent_applies_its_child_policy(
    client: Any, domain: str, parent: dict[str, str], clock: Any
) -> None:
    start_child(client, domain)
    child = child_run(client, domain, parent)
    clock.advance(3600)
    assert last(client, domain, parent, "WorkflowExecutionTimedOut") == {
        "eventId": 8,
        "timeoutType": "START_TO_CLOSE",
        "childPolicy": "TERMINATE",
    }
    assert describe(client, domain, child)["executionInfo"]["closeStatus"] == "TERMINATED"


# -- signals and cancel requests between runs ------------------------------------------------------
@pytest.mark.moto_gap("SignalExternalWorkflowExecution is not implemented")
def test_signalling_another_run(client: Any, domain: str, parent: dict[str, str]) -> None:
    other = start(client, domain, "other")
    decide(
        client,
        domain,
        decision(
            "SignalExternalWorkflowExecution", workflowId="other", signalName="go", input="x", control="c"
        ),
    )
    initiated = last(client, domain, parent, "SignalExternalWorkflowExecutionInitiated")
    assert initiated == {
        "eventId": 5,
        "workflowId": "other",
        "signalName": "go",
        "input": "x",
        "control": "c",
        "decisionTaskCompletedEventId": 4,
    }
    signaled = last(client, domain, other, "WorkflowExecutionSignaled")
    assert signaled == {
        "eventId": 3,
        "signalName": "go",
        "input": "x",
        "externalWorkflowExecution": parent,
        "externalInitiatedEventId": 5,
    }
    assert last(client, domain, parent, "ExternalWorkflowExecutionSignaled") == {
        "eventId": 6,
        "workflowExecution": other,
        "initiatedEventId": 5,
    }
    assert event_types(client, domain, parent)[-1] == "DecisionTaskScheduled"


@pytest.mark.moto_gap("RequestCancelExternalWorkflowExecution is not implemented")
def test_requesting_cancellation_of_another_run(client: Any, domain: str, parent: dict[str, str]) -> None:
    other = start(client, domain, "other")
    decide(
        client,
        domain,
        decision("RequestCancelExternalWorkflowExecution", workflowId="other", runId=other["runId"]),
    )
    requested = last(client, domain, other, "WorkflowExecutionCancelRequested")
    assert requested == {"eventId": 3, "externalWorkflowExecution": parent, "externalInitiatedEventId": 5}
    assert describe(client, domain, other)["executionInfo"]["cancelRequested"] is True
    assert last(client, domain, parent, "ExternalWorkflowExecutionCancelRequested") == {
        "eventId": 6,
        "workflowExecution": other,
        "initiatedEventId": 5,
    }


@pytest.mark.moto_gap("external signals and cancels are not implemented")
@pytest.mark.parametrize(
    ("decision_type", "failed_type", "extra"),
    [
        ("SignalExternalWorkflowExecution", "SignalExternalWorkflowExecutionFailed", {"signalName": "go"}),
        ("RequestCancelExternalWorkflowExecution", "RequestCancelExternalWorkflowExecutionFailed", {}),
    ],
)
def test_signal_or_cancel_of_an_unknown_run_fails(
    client: Any,
    domain: str,
    parent: dict[str, str],
    decision_type: str,
    failed_type: str,
    extra: dict[str, str],
) -> None:
    decide(client, domain, decision(decision_type, workflowId="ghost", control="c", **extra))
    assert last(client, domain, parent, failed_type) == {
        "eventId": 6,
        "workflowId": "ghost",
        "cause": "UNKNOWN_EXTERNAL_WORKFLOW_EXECUTION",
        "initiatedEventId": 5,
        "decisionTaskCompletedEventId": 4,
        "control": "c",
    }


# -- continue-as-new ------------------------------------------------------------------------------
@pytest.mark.moto_gap("ContinueAsNewWorkflowExecution is not implemented")
def test_continue_as_new_starts_a_new_run_of_the_same_workflow(
    client: Any, domain: str, parent: dict[str, str]
) -> None:
    register_workflow_type(
        client, domain, {"name": WORKFLOW["name"], "version": "2"}, defaultTaskStartToCloseTimeout="30"
    )
    decide(
        client,
        domain,
        decision("ContinueAsNewWorkflowExecution", input="next", workflowTypeVersion="2", tagList=["n"]),
    )
    closed = last(client, domain, parent, "WorkflowExecutionContinuedAsNew")
    new_run = {"workflowId": "parent", "runId": closed["newExecutionRunId"]}
    assert new_run["runId"] != parent["runId"]
    assert closed["workflowType"] == {"name": WORKFLOW["name"], "version": "2"}
    assert closed["taskStartToCloseTimeout"] == "30"
    assert closed["decisionTaskCompletedEventId"] == 4
    assert describe(client, domain, parent)["executionInfo"]["closeStatus"] == "CONTINUED_AS_NEW"
    started = attrs(history(client, domain, new_run)[0])
    assert started["continuedExecutionRunId"] == parent["runId"]
    assert started["input"] == "next"
    assert started["tagList"] == ["n"]
    assert started["workflowType"]["version"] == "2"
    client.signal_workflow_execution(domain=domain, workflowId="parent", signalName="s")
    assert event_types(client, domain, new_run)[-1] == "WorkflowExecutionSignaled"


@pytest.mark.moto_gap("ContinueAsNewWorkflowExecution is not implemented")
@pytest.mark.parametrize(
    ("version", "prepare", "cause"),
    [
        ("9", None, "WORKFLOW_TYPE_DOES_NOT_EXIST"),
        ("1", "deprecate", "WORKFLOW_TYPE_DEPRECATED"),
        ("bare", "bare", "DEFAULT_TASK_LIST_UNDEFINED"),
    ],
)
def test_continue_as_new_failures(
    client: Any, domain: str, parent: dict[str, str], version: str, prepare: str | None, cause: str
) -> None:
    if prepare == "deprecate":
        client.deprecate_workflow_type(domain=domain, workflowType=WORKFLOW)
    elif prepare == "bare":
        client.register_workflow_type(domain=domain, name=WORKFLOW["name"], version="bare")
    decide(client, domain, decision("ContinueAsNewWorkflowExecution", workflowTypeVersion=version))
    assert last(client, domain, parent, "ContinueAsNewWorkflowExecutionFailed") == {
        "eventId": 5,
        "cause": cause,
        "decisionTaskCompletedEventId": 4,
    }
    assert describe(client, domain, parent)["executionInfo"]["executionStatus"] == "OPEN"


@pytest.mark.moto_gap("child workflows are not implemented")
def test_a_continued_child_reports_its_last_run_to_the_parent(
    client: Any, domain: str, parent: dict[str, str]
) -> None:
    start_child(client, domain)
    decide(client, domain, decision("ContinueAsNewWorkflowExecution"), task_list=CHILD_LIST)
    assert event_types(client, domain, parent)[-1] == "DecisionTaskScheduled"  # nothing for the continue
    decide(client, domain, decision("CompleteWorkflowExecution", result="end"), task_list=CHILD_LIST)
    completed = last(client, domain, parent, "ChildWorkflowExecutionCompleted")
    assert completed["result"] == "end"
    assert completed["initiatedEventId"] == 5


@pytest.mark.moto_gap("SignalWorkflowExecution answers HTTP 500")
# -- API signal / cancel / terminate -------------------------------------------------------------------
def test_signal_cancel_and_terminate_through_the_api(
    client: Any, domain: str, parent: dict[str, str]
) -> None:
    client.signal_workflow_execution(domain=domain, **parent, signalName="s", input="i")
    assert last(client, domain, parent, "WorkflowExecutionSignaled") == {
        "eventId": 3,
        "signalName": "s",
        "input": "i",
    }
    client.request_cancel_workflow_execution(domain=domain, **parent)
    assert describe(client, domain, parent)["executionInfo"]["cancelRequested"] is True
    decide(client, domain, schedule("a1"))
    task = poll_activity(client, domain)
    client.terminate_workflow_execution(domain=domain, workflowId="parent", reason="r", details="d")
    terminated = last(client, domain, parent, "WorkflowExecutionTerminated")
    assert terminated == {
        "eventId": terminated["eventId"],
        "reason": "r",
        "details": "d",
        "childPolicy": "TERMINATE",
    }
    with pytest.raises(client.exceptions.UnknownResourceFault):
        client.respond_activity_task_completed(taskToken=task["taskToken"])
    for call in (client.signal_workflow_execution, client.request_cancel_workflow_execution):
        with pytest.raises(client.exceptions.UnknownResourceFault):
            call(
                domain=domain,
                **parent,
                **({"signalName": "s"} if call == client.signal_workflow_execution else {}),
            )
    with pytest.raises(client.exceptions.UnknownResourceFault):
        client.terminate_workflow_execution(domain=domain, **parent)
    assert client.count_pending_decision_tasks(domain=domain, taskList=TASK_LIST)["count"] == 0
