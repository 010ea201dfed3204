"""Execution handles, end to end: what starting a workflow returns, and get_workflow, act on and
read an execution over HTTP; inside workflow code the instance keeps botoflow's meanings."""

from __future__ import annotations

import datetime as dt
from typing import Any

import flows
import pytest
from flowkit import TASK_LIST, Flow, wait_until

import awsflow
from awsflow import WorkflowDefinition, workflow_starter
from awsflow.exceptions import WorkflowCanceledError, WorkflowTerminatedError
from awsflow.handles import ExecutionStatus, TaskState, UndecodablePayload, WorkflowHandle, client_caller
from awsflow.swf_exceptions import UnknownResourceError


def test_the_started_instance_signals_describes_reads_and_waits(flow: Flow) -> None:
    flow.workflow_worker(flows.Signals)
    run = flows.Signals.run(2)
    flow.wait_for_event(run.workflow_execution, "DecisionTaskCompleted")
    run.signal("deliver", "a")
    described = run.describe()
    assert described.status is ExecutionStatus.OPEN
    assert described.workflow_type == ("Signals", "1.0")
    assert described.execution == run.workflow_execution
    assert described.closed_at is None and described.open_counts.activity_tasks == 0
    assert described.pending_activities == () and described.decision_failure is None
    run.deliver("b")  # the @signal method still sends the signal
    assert run.result(timeout=10) == ["a", "b"]
    closed = run.describe()
    assert closed.status is ExecutionStatus.COMPLETED and closed.closed_at is not None
    assert closed.closed_at >= closed.started_at and closed.pending_decision is None
    events = list(run.history(decode=True))
    assert [e.event_id for e in events] == list(range(1, len(events) + 1))
    assert events[0].event_type == "WorkflowExecutionStarted"
    assert events[0].decoded["input"] == [(2,), {}]
    assert events[-1].decoded["result"] == ["a", "b"]
    assert isinstance(events[-1].timestamp, dt.datetime) and events[-1].timestamp.tzinfo is not None
    signaled = [e.decoded["input"] for e in events if e.event_type == "WorkflowExecutionSignaled"]
    assert signaled == [[("a",), {}], [("b",), {}]]
    newest_first = run.history(reverse=True)
    assert next(newest_first).event_type == "WorkflowExecutionCompleted"
    assert next(iter(run.history())).decoded == {}  # decoding only on request


def test_request_cancel_and_terminate_close_the_execution(flow: Flow) -> None:
    flow.workflow_worker(flows.Signals)
    first = flows.Signals.run(5)
    second = flows.Signals.run(5)
    first.request_cancel()
    with pytest.raises(WorkflowCanceledError):
        first.result(timeout=10)
    second.terminate(reason="operator said so", details="ticket 7")
    with pytest.raises(WorkflowTerminatedError):
        second.wait_for_completion(timeout=10)
    last = next(second.history(reverse=True))
    assert last.event_type == "WorkflowExecutionTerminated"
    assert last.attributes["reason"] == "operator said so" and last.attributes["details"] == "ticket 7"
    assert second.describe().status is ExecutionStatus.TERMINATED


def test_get_workflow_finds_the_run_by_workflow_id_and_reads_pending_activities(flow: Flow) -> None:
    flow.workflow_worker(flows.Gated)
    flow.activity_worker(flows.Shop())
    flows.gate("held")
    run = flows.Gated.run("held", False)
    flows.started["held"].wait(10)
    handle = awsflow.get_workflow(flow.domain, run.workflow_execution.workflow_id, client=flow.client)
    assert handle.run_id == run.workflow_execution.run_id
    described = handle.describe()
    (activity,) = described.pending_activities
    assert activity.state is TaskState.STARTED and activity.activity_type == ("Shop.hold", "1.0")
    assert activity.started_at is not None and activity.worker_identity
    assert described.open_counts.activity_tasks == 1
    flows.gates["held"].set()
    assert handle.result(timeout=10) == "held released"
    assert handle.describe().status is ExecutionStatus.COMPLETED


def test_a_decision_task_that_keeps_timing_out_is_described_as_failing(flow: Flow) -> None:
    with workflow_starter(None, "us-east-1", flow.domain, TASK_LIST, client=flow.client):
        flow.workflow_worker(flows.Signals, enter=False)  # registers the type only
        run = flows.Signals.run(1)
    handle = awsflow.get_workflow(flow.domain, run.workflow_execution.workflow_id, client=flow.client)
    described = handle.describe()
    assert described.pending_decision is not None
    assert described.pending_decision.state is TaskState.SCHEDULED
    assert described.task_start_to_close_timeout is not None
    for attempt in (1, 2):  # a decider takes the task and never answers
        flow.client.poll_for_decision_task(domain=flow.domain, taskList={"name": TASK_LIST})
        flow.advance(int(described.task_start_to_close_timeout) + 1)
        wait_until(lambda n=attempt: _timed_out(handle) == n, 10, f"decision time-out {attempt}")
    failure = handle.describe().decision_failure
    assert failure is not None and failure.attempts == 2 and failure.error_type == "DecisionTaskTimedOut"
    assert "timed out" in failure.message


def _timed_out(handle: Any) -> int:
    failure = handle.describe().decision_failure
    return 0 if failure is None else int(failure.attempts)


def test_unknown_executions_and_handles_without_a_definition_say_so(flow: Flow) -> None:
    handle = awsflow.get_workflow(flow.domain, "no-such-workflow", client=flow.client)
    with pytest.raises(UnknownResourceError, match="no-such-workflow"):
        handle.describe()
    with pytest.raises(UnknownResourceError):
        handle.signal("deliver", 1)
    with pytest.raises(TypeError, match="definition=YourWorkflow"):
        handle.query("contents")


def test_an_instance_not_returned_by_a_start_has_no_handle() -> None:
    with pytest.raises(TypeError, match="returned by starting a workflow"):
        flows.Signals().describe()


def test_undecodable_payloads_are_reported_with_their_text(flow: Flow) -> None:
    flow.client.register_workflow_type(
        domain=flow.domain,
        name="Foreign",
        version="1",
        defaultTaskList={"name": "x"},
        defaultExecutionStartToCloseTimeout="60",
        defaultTaskStartToCloseTimeout="10",
        defaultChildPolicy="TERMINATE",
    )
    flow.client.start_workflow_execution(
        domain=flow.domain,
        workflowId="foreign",
        workflowType={"name": "Foreign", "version": "1"},
        input="{not json",
    )
    (started, *_) = awsflow.get_workflow(flow.domain, "foreign", client=flow.client).history(decode=True)
    payload = started.decoded["input"]
    assert isinstance(payload, UndecodablePayload) and payload.text == "{not json"


class Spy(WorkflowDefinition):
    """Workflow code calling a handle method on its child: refused, the botoflow way."""

    @awsflow.execute(version="1.0", execution_start_to_close_timeout=60)
    def run(self) -> Any:
        child = yield flows.Child.run(0)
        try:
            child.describe()
        except TypeError as error:
            return str(error)
        return "described"


def test_in_workflow_code_the_handle_methods_are_refused(flow: Flow) -> None:
    flow.workflow_worker(Spy, flows.Child)
    assert "outside workflow code" in Spy.run().result(timeout=10)


def test_history_fetches_each_page_only_when_the_iteration_reaches_it(flow: Flow) -> None:
    flow.workflow_worker(flows.Signals)
    run = flows.Signals.run(1)
    run.signal("deliver", "x")
    run.result(timeout=10)
    calls: list[str] = []
    caller = client_caller(flow.client)

    def counting(operation: str, request: dict[str, Any]) -> Any:
        calls.append(operation)
        return caller(operation, {**request, "maximumPageSize": 3})

    handle = WorkflowHandle(counting, flow.domain, *run.workflow_execution)
    events = handle.history()
    assert calls == []
    first = next(events)
    assert first.event_id == 1 and calls == ["GetWorkflowExecutionHistory"]
    rest = list(events)
    total = 1 + len(rest)
    assert [e.event_id for e in rest] == list(range(2, total + 1))
    assert len(calls) == -(-total // 3)  # one request per page of 3


def test_a_worker_or_starter_looks_executions_up_by_workflow_id(flow: Flow) -> None:
    worker = flow.workflow_worker(flows.Signals)
    run = flows.Signals.run(1)
    with workflow_starter(None, "us-east-1", flow.domain, TASK_LIST, client=flow.client) as starter:
        handle = starter.get_workflow(run.workflow_execution.workflow_id, definition=flows.Signals)
    handle.signal("deliver", "found")
    assert worker.get_workflow(run.workflow_execution.workflow_id).result(timeout=10) == ["found"]
    assert handle.run_id == run.workflow_execution.run_id
