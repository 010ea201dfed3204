"""Manual activities, payload limits, the executors, and unit-testing workflow code."""

from __future__ import annotations

from typing import Any

import flows
import pytest
from flowkit import TASK_LIST, Flow, wait_until

from awsflow import (
    ActivityWorker,
    MultiprocessingActivityExecutor,
    ThreadedActivityExecutor,
    WorkflowDefinition,
    execute,
    workflow_time,
)
from awsflow.core import CancelledError, Future, coroutine
from awsflow.exceptions import PayloadTooLargeError
from awsflow.manual_activity_completion_client import ManualActivityCompletionClient
from awsflow.test import WorkflowTestingContext


def test_a_manual_activity_is_completed_later_by_its_token(flow: Flow) -> None:
    flows.Approvals.tokens.clear()
    flow.workflow_worker(flows.NeedsApproval)
    flow.activity_worker(flows.Approvals())
    first, second = flows.NeedsApproval.run(10.0), flows.NeedsApproval.run(99.0)
    wait_until(lambda: len(flows.Approvals.tokens) == 2, what="both approvals to be asked for")
    approvals = ManualActivityCompletionClient(flow.swf.client())
    approvals.record_heartbeat("still thinking", flows.Approvals.tokens[first.workflow_execution.workflow_id])
    approvals.complete("approved", flows.Approvals.tokens[first.workflow_execution.workflow_id])
    approvals.fail(RuntimeError("over budget"), flows.Approvals.tokens[second.workflow_execution.workflow_id])
    assert first.wait_for_completion(timeout=10) == "approved"
    assert second.wait_for_completion(timeout=10) == "rejected: over budget"


def test_a_workflow_input_over_the_limit_fails_before_anything_is_sent(flow: Flow) -> None:
    flow.workflow_worker(flows.Purchase)
    with pytest.raises(
        PayloadTooLargeError, match=r"input of workflow Purchase is 400\d\d characters"
    ) as info:
        flows.Purchase.buy("x" * 40_000, 1)
    assert info.value.limit == 32_768
    assert (
        flow.client.count_open_workflow_executions(domain=flow.domain, startTimeFilter={"oldestDate": 0})[
            "count"
        ]
        == 0
    )


def test_an_activity_input_over_the_limit_raises_in_the_workflow_code(flow: Flow) -> None:
    flow.workflow_worker(flows.TooBig)
    flow.activity_worker(flows.Shop(), enter=False)
    instance = flows.TooBig.run()
    message = instance.wait_for_completion(timeout=10)
    assert "input of activity Shop.charge is" in message and "at most 32768" in message


def test_the_threaded_activity_executor_runs_activities_in_a_pool(flow: Flow) -> None:
    flow.workflow_worker(flows.Identify)
    worker = ActivityWorker(None, "us-east-1", flow.domain, TASK_LIST, flows.Shop(), client=flow.swf.client())
    executor = ThreadedActivityExecutor(worker)
    executor.start(pollers=2, workers=3)
    try:
        instance = flows.Identify.run()
        assert len(instance.wait_for_completion(timeout=10)) == 6
    finally:
        executor.stop()
        executor.join()
    assert not executor.is_running


def test_the_multiprocessing_activity_executor_runs_activities_in_other_processes(flow: Flow) -> None:
    flow.workflow_worker(flows.Purchase)
    worker = ActivityWorker(None, "us-east-1", flow.domain, TASK_LIST, flows.Shop(), client=flow.swf.client())
    executor = MultiprocessingActivityExecutor(worker)
    executor.start(pollers=2)
    try:
        instance = flows.Purchase.buy("apple", 2)
        assert instance.wait_for_completion(timeout=30) == "receipt for 1.0"
    finally:
        executor.stop()
        executor.join(timeout=30)
    assert not executor.is_running
    identities = {
        e["activityTaskStartedEventAttributes"]["identity"]
        for e in flow.history(instance.workflow_execution)
        if e["eventType"] == "ActivityTaskStarted"
    }
    assert all(identity.endswith(("-0", "-1")) for identity in identities)  # the child processes


def test_workflow_code_runs_under_workflow_testing_context_with_stubbed_activities(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    prices = {"apple": Future(), "pear": Future()}

    @coroutine
    def fake_price(item: str, quantity: int = 1) -> Any:
        return (yield prices[item])

    class Basket(flows.WorkflowDefinition):
        @flows.execute(version="1.0", execution_start_to_close_timeout=60)
        def total(self) -> Any:
            a, b = yield [fake_price("apple"), fake_price("pear")]
            return a + b

    with WorkflowTestingContext():
        result = Basket(None).total()
    assert not result.done()
    with WorkflowTestingContext() as context:
        result = Basket(None).total()
        context.execute_all_tasks()
        prices["apple"].set_result(1.0)
        prices["pear"].set_result(2.0)
    assert result.result() == 3.0


def test_calling_a_real_activity_under_workflow_testing_context_asks_for_a_stub() -> None:
    class Direct(flows.WorkflowDefinition):
        @flows.execute(version="1.0", execution_start_to_close_timeout=60)
        def run(self) -> Any:
            return (yield flows.Shop.price("apple"))

    with WorkflowTestingContext():
        future = Direct(None).run()
    with pytest.raises(NotImplementedError, match=r"Shop\.price must be stubbed"):
        future.result()


class ApprovalWithADeadline(WorkflowDefinition):
    @execute(version="1.0", execution_start_to_close_timeout=3600)
    def run(self, amount: float) -> Any:
        approval = flows.Approvals.approve(amount)
        yield workflow_time.sleep(60)
        yield approval.cancel()  # too late: withdraw the request
        try:
            return (yield approval)
        except CancelledError:
            return "withdrawn"


def test_a_manual_activitys_heartbeat_says_when_its_cancel_was_requested(flow: Flow) -> None:
    from awsflow.exceptions import ActivityCancelledError

    flows.Approvals.tokens.clear()
    flow.workflow_worker(ApprovalWithADeadline)
    flow.activity_worker(flows.Approvals())
    instance = ApprovalWithADeadline.run(10.0)
    wait_until(lambda: len(flows.Approvals.tokens) == 1, what="the approval to be asked for")
    token = flows.Approvals.tokens[instance.workflow_execution.workflow_id]
    flow.wait_for_event(instance.workflow_execution, "TimerStarted")
    flow.advance(60)
    flow.wait_for_event(instance.workflow_execution, "ActivityTaskCancelRequested")
    approvals = ManualActivityCompletionClient(flow.swf.client())
    with pytest.raises(ActivityCancelledError):
        approvals.record_heartbeat("still thinking", token)
    approvals.cancel("withdrawn", token)
    assert instance.wait_for_completion(timeout=10) == "withdrawn"
