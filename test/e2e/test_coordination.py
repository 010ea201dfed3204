"""Signals, cancellation, child workflows and continue-as-new, end to end."""

from __future__ import annotations

import json
from typing import Any

import flows
import pytest
from flowkit import Flow, wait_until

from awsflow import workflow_options
from awsflow.exceptions import WorkflowCanceledError
from awsflow.workflow_execution import WorkflowExecution


def test_signals_sent_from_outside_reach_the_workflow_in_order(flow: Flow) -> None:
    flow.workflow_worker(flows.Signals)
    instance = flows.Signals.run(3)
    flow.wait_for_event(instance.workflow_execution, "DecisionTaskCompleted")
    for value in ("a", "b", "c"):
        instance.deliver(value)
    assert instance.wait_for_completion(timeout=10) == ["a", "b", "c"]


def test_signals_in_other_clients_encodings_are_recorded_and_skipped_without_wedging_the_run(
    flow: Flow,
) -> None:
    flow.workflow_worker(flows.Signals)
    instance = flows.Signals.run(1)
    ids = _ids(instance)
    flow.wait_for_event(instance.workflow_execution, "DecisionTaskCompleted")
    for raw in ('"a plain JSON string"', "not JSON at all", '{"unexpected": "object"}'):
        flow.client.signal_workflow_execution(domain=flow.domain, signalName="deliver", input=raw, **ids)
    instance.deliver("valid")
    assert instance.wait_for_completion(timeout=10) == ["valid"]
    history = flow.history(instance.workflow_execution)
    assert not [e for e in history if e["eventType"] in ("DecisionTaskTimedOut", "DecisionTaskFailed")]
    recorded = [
        json.loads(e["markerRecordedEventAttributes"]["details"])
        for e in history
        if e["eventType"] == "MarkerRecorded"
        and e["markerRecordedEventAttributes"]["markerName"] == "awsflow.malformed-signal"
    ]
    assert [marker["input"] for marker in recorded] == [
        '"a plain JSON string"',
        "not JSON at all",
        '{"unexpected": "object"}',
    ]
    assert all(marker["signalName"] == "deliver" for marker in recorded)


def test_an_activity_can_signal_another_workflow(flow: Flow) -> None:
    flow.workflow_worker(flows.SignalsItself, flows.Signals)
    flow.activity_worker(flows.Shop())
    instance = flows.SignalsItself.run()
    assert instance.wait_for_completion(timeout=10) == ["from an activity"]


def test_cancelling_an_execution_requests_the_cancel_of_its_activity_and_closes_it_canceled(
    flow: Flow,
) -> None:
    flow.workflow_worker(flows.CancelMe)
    flow.activity_worker(flows.Shop())
    flows.gate("job")
    instance = flows.CancelMe.run("job")
    assert flows.started["job"].wait(10)
    flow.client.request_cancel_workflow_execution(domain=flow.domain, **_ids(instance))
    with pytest.raises(WorkflowCanceledError):
        instance.wait_for_completion(timeout=10)
    types = flow.event_types(instance.workflow_execution)
    # botoflow's rule: in the decision task that sees the request, whatever the activity does.
    assert types[-3:] == ["DecisionTaskCompleted", "ActivityTaskCancelRequested", "WorkflowExecutionCanceled"]


def test_a_workflow_cancels_its_own_activity_and_sees_cancelled_error(flow: Flow) -> None:
    flow.workflow_worker(flows.CancelsItsActivity)
    flow.activity_worker(flows.Shop())
    flows.gate("chore")
    instance = flows.CancelsItsActivity.run("chore")
    assert flows.started["chore"].wait(10)
    flow.wait_for_event(instance.workflow_execution, "TimerStarted")
    flow.advance(5)
    assert instance.wait_for_completion(timeout=10) == "cancelled: ActivityTaskCanceledError"


@pytest.mark.parametrize(
    ("policy", "child_close"),
    [("TERMINATE", "TERMINATED"), ("REQUEST_CANCEL", None), ("ABANDON", None)],
)
def test_terminating_a_parent_applies_its_child_policy(
    flow: Flow, policy: str, child_close: str | None
) -> None:
    flow.workflow_worker(flows.ParentWithPolicy, flows.Child)
    with workflow_options(child_policy=policy):  # what SWF does to its children when it closes
        parent = flows.ParentWithPolicy.run(policy)
    started = flow.wait_for_event(parent.workflow_execution, "ChildWorkflowExecutionStarted")
    child = started["childWorkflowExecutionStartedEventAttributes"]["workflowExecution"]
    flow.client.terminate_workflow_execution(domain=flow.domain, **_ids(parent))

    def child_info() -> dict[str, Any]:
        return dict(
            flow.client.describe_workflow_execution(domain=flow.domain, execution=child)["executionInfo"]
        )

    if policy == "TERMINATE":
        wait_until(lambda: child_info()["executionStatus"] == "CLOSED", what="the child to close")
        assert child_info()["closeStatus"] == child_close
    elif policy == "REQUEST_CANCEL":
        # The child's workflow code sees the cancel request and cancels itself (its timer first).
        wait_until(lambda: child_info()["executionStatus"] == "CLOSED", what="the child to cancel")
        assert child_info()["closeStatus"] == "CANCELED"
    else:
        flow.wait_for_event(WorkflowExecution(child["workflowId"], child["runId"]), "TimerStarted")
        flow.advance(3600)  # the abandoned child carries on and finishes its hour
        wait_until(lambda: child_info()["executionStatus"] == "CLOSED", what="the child to finish")
        assert child_info()["closeStatus"] == "COMPLETED"


def test_a_parent_gets_its_childs_result(flow: Flow) -> None:
    flow.workflow_worker(flows.ParentWithPolicy, flows.Child)
    parent = flows.ParentWithPolicy.run("TERMINATE")
    started = flow.wait_for_event(parent.workflow_execution, "ChildWorkflowExecutionStarted")
    child = started["childWorkflowExecutionStartedEventAttributes"]["workflowExecution"]
    flow.wait_for_event(WorkflowExecution(child["workflowId"], child["runId"]), "TimerStarted")
    flow.advance(3600)
    assert parent.wait_for_completion(timeout=10) == 1


def test_continue_as_new_runs_on_and_waiting_follows_to_the_last_run(flow: Flow) -> None:
    flow.workflow_worker(flows.Countdown)
    flow.activity_worker(flows.Shop())
    instance = flows.Countdown.run(2)
    assert instance.wait_for_completion(timeout=10) == "lift-off"
    closed = flow.client.list_closed_workflow_executions(
        domain=flow.domain,
        startTimeFilter={"oldestDate": 0},
        executionFilter={"workflowId": instance.workflow_execution.workflow_id},
    )
    assert sorted(info["closeStatus"] for info in closed["executionInfos"]) == [
        "COMPLETED",
        "CONTINUED_AS_NEW",
        "CONTINUED_AS_NEW",
    ]


def _ids(instance: Any) -> dict[str, str]:
    return {
        "workflowId": instance.workflow_execution.workflow_id,
        "runId": instance.workflow_execution.run_id,
    }
