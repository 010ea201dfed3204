"""async workflows, wait_condition, external executions and long histories, end to end."""

from __future__ import annotations

import logging

import feature_flows as ff
import flows
import pytest
from flowkit import Flow

from awsflow.exceptions import AsyncioInWorkflowError, WorkflowCanceledError, WorkflowFailedError


# -- async def workflows ------------------------------------------------------------------------
def test_an_async_workflow_of_activities_returns_its_result(flow: Flow) -> None:
    flow.workflow_worker(ff.AsyncPurchase)
    flow.activity_worker(flows.Shop())
    instance = ff.AsyncPurchase.buy("pear", 4)
    assert instance.wait_for_completion(timeout=10) == "receipt for 3.0"


def test_an_async_workflows_activity_failure_fails_it_with_the_original_exception(flow: Flow) -> None:
    flow.workflow_worker(ff.AsyncPurchase)
    flow.activity_worker(flows.Shop())
    instance = ff.AsyncPurchase.buy("apple", 1000)
    with pytest.raises(WorkflowFailedError) as info:
        instance.wait_for_completion(timeout=10)
    assert isinstance(info.value.cause, flows.PaymentDeclined)
    assert "in buy" in "".join(info.value.format_exc())


def test_an_async_workflow_awaits_parallel_activities_a_timer_and_a_signal(flow: Flow) -> None:
    flow.workflow_worker(ff.AsyncBasket)
    flow.activity_worker(flows.Shop())
    instance = ff.AsyncBasket.run(["apple", "pear"])
    flow.wait_for_event(instance.workflow_execution, "TimerStarted")
    flow.advance(3600)
    flow.wait_for_event(instance.workflow_execution, "TimerFired")
    instance.apply_coupon("SAVE10")
    assert instance.wait_for_completion(timeout=10) == [1.25, 3600, "SAVE10"]


def test_asyncio_gather_in_an_async_workflow_fails_it_naming_all_future(flow: Flow) -> None:
    flow.workflow_worker(ff.AsyncGather)  # decides in the worker's thread, where asyncio had no loop
    flow.activity_worker(flows.Shop())
    instance = ff.AsyncGather.run(["apple", "pear"])
    with pytest.raises(WorkflowFailedError) as info:
        instance.wait_for_completion(timeout=10)
    assert isinstance(info.value.cause, AsyncioInWorkflowError)
    assert str(info.value.cause).startswith("asyncio.gather cannot run in workflow code")
    assert "AllFuture(*futures)" in str(info.value.cause)
    assert "DecisionTaskTimedOut" not in flow.event_types(instance.workflow_execution)


# -- wait_condition -----------------------------------------------------------------------------
def test_wait_condition_wakes_when_signals_make_it_true(flow: Flow) -> None:
    flow.workflow_worker(ff.Approval)
    instance = ff.Approval.run(2, None)
    flow.wait_for_event(instance.workflow_execution, "DecisionTaskCompleted")
    instance.approve("ana")
    instance.approve("bo")
    assert instance.wait_for_completion(timeout=10) == [True, ["ana", "bo"]]


def test_wait_condition_with_a_timeout_is_false_when_the_durable_timer_fires_first(flow: Flow) -> None:
    flow.workflow_worker(ff.Approval)
    instance = ff.Approval.run(2, 86_400)
    flow.wait_for_event(instance.workflow_execution, "TimerStarted")
    instance.approve("ana")
    flow.wait_for_event(instance.workflow_execution, "WorkflowExecutionSignaled")
    flow.advance(86_400)
    assert instance.wait_for_completion(timeout=10) == [False, ["ana"]]


def test_wait_condition_met_before_its_timeout_cancels_the_timer(flow: Flow) -> None:
    flow.workflow_worker(ff.Approval)
    instance = ff.Approval.run(1, 86_400)
    flow.wait_for_event(instance.workflow_execution, "TimerStarted")
    instance.approve("ana")
    assert instance.wait_for_completion(timeout=10) == [True, ["ana"]]
    assert "TimerCanceled" in flow.event_types(instance.workflow_execution)


# -- external executions ------------------------------------------------------------------------
def test_a_workflow_signals_an_execution_it_did_not_start(flow: Flow) -> None:
    flow.workflow_worker(ff.Approval, ff.Messenger)
    target = ff.Approval.run(1, None)
    execution = target.workflow_execution
    messenger = ff.Messenger.run(execution.workflow_id, execution.run_id, "signal")
    assert messenger.wait_for_completion(timeout=10) == "delivered"
    assert target.wait_for_completion(timeout=10) == [True, ["messenger"]]
    types = flow.event_types(messenger.workflow_execution)
    assert (
        "SignalExternalWorkflowExecutionInitiated" in types and "ExternalWorkflowExecutionSignaled" in types
    )


def test_a_workflow_cancels_an_execution_it_did_not_start(flow: Flow) -> None:
    flow.workflow_worker(ff.Approval, ff.Messenger)
    target = ff.Approval.run(1, None)
    messenger = ff.Messenger.run(target.workflow_execution.workflow_id, None, "cancel")
    assert messenger.wait_for_completion(timeout=10) == "delivered"
    with pytest.raises(WorkflowCanceledError):
        target.wait_for_completion(timeout=10)
    assert "ExternalWorkflowExecutionCancelRequested" in flow.event_types(messenger.workflow_execution)


@pytest.mark.parametrize(
    ("action", "error"),
    [
        ("signal", "SignalExternalWorkflowExecutionFailedError"),
        ("cancel", "RequestCancelExternalWorkflowExecutionFailedError"),
    ],
)
def test_acting_on_an_unknown_or_closed_execution_raises_swfs_cause(
    flow: Flow, action: str, error: str
) -> None:
    flow.workflow_worker(ff.Approval, ff.Messenger)
    unknown = ff.Messenger.run("no-such-workflow", None, action)
    assert unknown.wait_for_completion(timeout=10) == [error, "UNKNOWN_EXTERNAL_WORKFLOW_EXECUTION"]
    closed = ff.Approval.run(0, None)
    assert closed.wait_for_completion(timeout=10) == [True, []]
    execution = closed.workflow_execution
    late = ff.Messenger.run(execution.workflow_id, execution.run_id, action)
    assert late.wait_for_completion(timeout=10) == [error, "UNKNOWN_EXTERNAL_WORKFLOW_EXECUTION"]


# -- long histories -----------------------------------------------------------------------------
def test_a_workflow_continues_as_new_before_the_history_cap_with_a_warning_at_80_percent(
    flow: Flow, caplog: pytest.LogCaptureFixture
) -> None:
    flow.workflow_worker(ff.Marathon)
    with caplog.at_level(logging.WARNING, logger="awsflow.decider"):
        instance = ff.Marathon.run(1, 21_000)
        run_number, rounds, length = instance.wait_for_completion(timeout=120)
    first = flow.history(instance.workflow_execution)
    assert first[-1]["eventType"] == "WorkflowExecutionContinuedAsNew"
    assert 21_000 <= len(first) < 25_000  # it stopped before SWF's cap
    assert run_number == 2 and rounds > 100 and length >= 21_000
    warnings = [r.getMessage() for r in caplog.records if "past 80% of SWF's limit" in r.getMessage()]
    assert len(warnings) == 2  # once for each run, as it crossed 20,000 events


def test_a_step_of_more_than_100_decisions_reaches_swf_in_parts(flow: Flow) -> None:
    flow.workflow_worker(ff.Wide)
    flow.activity_worker(flows.Shop())
    instance = ff.Wide.run(250)
    assert instance.wait_for_completion(timeout=30) == 0.5 * sum(range(250))
    history = flow.history(instance.workflow_execution)
    per_task: dict[int, int] = {}
    for event in history:
        if event["eventType"] == "ActivityTaskScheduled":
            completed = event["activityTaskScheduledEventAttributes"]["decisionTaskCompletedEventId"]
            per_task[completed] = per_task.get(completed, 0) + 1
    assert sorted(per_task.values(), reverse=True) == [99, 99, 52]


def test_a_step_whose_decisions_exceed_swfs_1_mb_request_reaches_swf_in_parts(flow: Flow) -> None:
    flow.workflow_worker(ff.Bulky)
    flow.activity_worker(ff.Measure())
    instance = ff.Bulky.run(40, 30_000)  # 40 inputs of 30 KB: 1.2 MB, over the service's 1 MB limit
    assert instance.wait_for_completion(timeout=30) == 40 * 30_003
    types = flow.event_types(instance.workflow_execution)
    assert types.count("TimerStarted") == 1 and types.count("ActivityTaskScheduled") == 40


def test_external_workflow_signals_and_cancels_from_outside_workflow_code_too(flow: Flow) -> None:
    from awsflow import ExternalWorkflow
    from awsflow.swf_exceptions import UnknownResourceError

    flow.workflow_worker(ff.Approval)
    signalled, cancelled = ff.Approval.run(1, None), ff.Approval.run(1, None)
    assert ExternalWorkflow(signalled.workflow_execution.workflow_id).signal("approve", "ops") is None
    assert signalled.wait_for_completion(timeout=10) == [True, ["ops"]]
    ExternalWorkflow(*cancelled.workflow_execution).request_cancel()
    with pytest.raises(WorkflowCanceledError):
        cancelled.wait_for_completion(timeout=10)
    with pytest.raises(UnknownResourceError):
        ExternalWorkflow("no-such-workflow").request_cancel()
