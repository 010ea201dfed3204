"""Failing decisions, end to end: recorded in the history, retried with a growing interval, and
carried on by fixed code without anyone doing anything (awsflow.decision_failures)."""

from __future__ import annotations

import inspect
from typing import Any

import flows
from flowkit import TASK_LIST, Flow
from waiting import wait_until

from awsflow import (
    ActivityWorker,
    WorkflowDefinition,
    WorkflowWorker,
    activities,
    activity,
    execute,
    workflow,
    workflow_starter,
    workflow_time,
)
from awsflow.decider import replay_decision
from awsflow.decision_failures import FAILURE_MARKER, current_failure, is_retry_timer, retry_interval
from awsflow.local import LocalSWF, VirtualClock
from awsflow.workflow_execution import WorkflowExecution


@activities(schedule_to_start_timeout=60, start_to_close_timeout=60)
class Other:
    @activity("1.0")
    def quote(self, item: str) -> float:
        return 9.0


@workflow(name="Versioned")
class VersionedEdited(WorkflowDefinition):
    """flows.Versioned 1.0 after an incompatible edit: its first activity is another one."""

    @execute(version="1.0", execution_start_to_close_timeout=36_000)
    def run(self) -> Any:
        first = yield Other.quote("apple")  # diverges: the history scheduled Shop.price here
        yield workflow_time.sleep(60)
        second = yield flows.Shop.price("pear")
        return first + second


EDITED_LINE = inspect.getsourcelines(VersionedEdited.run)[1] + 2  # after @execute and def


def _failures(flow: Flow, execution: Any) -> int:
    return _failures_in(flow.history(execution))


def _wait_for_failures(flow: Flow, execution: Any, count: int) -> None:
    wait_until(lambda: _failures(flow, execution) >= count, 10, f"{count} failure markers")


def _open_decision_tasks(flow: Flow, execution: Any) -> int:
    ids = {"workflowId": execution.workflow_id, "runId": execution.run_id}
    info = flow.client.describe_workflow_execution(domain=flow.domain, execution=ids)
    return int(info["openCounts"]["openDecisionTasks"])


def test_changed_code_is_recorded_retried_with_backoff_and_fixed_code_finishes(flow: Flow) -> None:
    flow.activity_worker(flows.Shop(), Other())
    with flow.workflow_worker(flows.Versioned, enter=False):
        instance = flows.Versioned.run()
        execution = instance.workflow_execution
        flow.wait_for_event(execution, "TimerStarted")
    assert current_failure(flow.history(execution)) is None

    with flow.workflow_worker(VersionedEdited, enter=False):  # the bad deploy
        flow.advance(60)  # the workflow's timer fires: a decision task the edited code cannot replay
        flow.sticky_fallback(execution)  # it was routed to the stopped worker: it comes back
        _wait_for_failures(flow, execution, 1)
        failure = current_failure(flow.history(execution))
        assert failure is not None
        assert failure.error_type == "awsflow.exceptions.NondeterminismError"
        assert "Shop.price 1.0 (id '1')" in failure.message and "Other.quote" in failure.message
        assert (failure.source_file, failure.source_line) == (__file__, EDITED_LINE)
        assert "NondeterminismError" in failure.stack
        assert failure.attempts == 1 and failure.since is not None
        assert failure.next_retry_at is not None
        assert (failure.next_retry_at - failure.since).total_seconds() == retry_interval(1) == 10
        assert f"NondeterminismError at {__file__}:{EDITED_LINE}" in failure.summary()

        # Retried once per growing interval, a handful of events each time; nothing in between.
        for attempt in range(2, 6):
            wait_until(lambda: _open_decision_tasks(flow, execution) == 0, 10, "the failure answered")
            before = len(flow.history(execution))
            interval = retry_interval(attempt - 1)
            flow.advance(interval - 1)  # past any decision task timeout (10 s), short of the retry
            assert _open_decision_tasks(flow, execution) == 0
            assert len(flow.history(execution)) == before
            flow.advance(1)
            _wait_for_failures(flow, execution, attempt)
            wait_until(lambda: _open_decision_tasks(flow, execution) == 0, 10, "the failure answered")
            assert len(flow.history(execution)) - before == 6  # Timer fired, DT x3, marker, timer
        again = current_failure(flow.history(execution))
        assert again is not None and again.attempts == 5 and again.since == failure.since
        assert _start_to_close_timeouts(flow, execution) == 0

    with flow.workflow_worker(flows.Versioned, enter=False):  # the fix: the original code, again
        flow.advance(retry_interval(5))  # the next retry brings it a decision task; no one acts
        assert instance.wait_for_completion(timeout=10) == 0.5 + 0.75
    history = flow.history(execution)
    assert current_failure(history) is None
    # The history, failures and all, replays deterministically with the fixed code.
    decided = replay_decision(
        {("Versioned", "1.0"): _entry(flows.Versioned)},
        WorkflowExecution(execution.workflow_id, execution.run_id),
        "e2e",
        history,
    )
    assert decided.decisions == []


def _entry(definition: type) -> Any:
    from awsflow.utils import extract_workflows_dict

    return extract_workflows_dict([definition])[("Versioned", "1.0")]


class Unrelated(WorkflowDefinition):
    @execute(version="1.0", execution_start_to_close_timeout=60)
    def run(self) -> Any:
        return None


def _workflow_timer_started(flow: Flow, execution: Any) -> bool:
    return any(
        event["eventType"] == "TimerStarted"
        and not is_retry_timer(event["timerStartedEventAttributes"]["timerId"])
        for event in flow.history(execution)
    )


def test_a_worker_without_the_workflow_type_records_why_and_one_with_it_carries_on(flow: Flow) -> None:
    flow.activity_worker(flows.Shop())
    fixed = flow.workflow_worker(flows.Versioned, enter=False)  # registers the type; polls later
    with workflow_starter(None, "us-east-1", flow.domain, TASK_LIST, client=flow.swf.client()):
        instance = flows.Versioned.run()
    execution = instance.workflow_execution
    with flow.workflow_worker(Unrelated, enter=False):  # a worker deployed without it
        _wait_for_failures(flow, execution, 1)
    failure = current_failure(flow.history(execution))
    assert failure is not None
    assert failure.error_type == "awsflow.exceptions.WorkflowDefinitionError"
    assert "This worker has no workflow Versioned version 1.0" in failure.message
    with fixed:
        flow.advance(retry_interval(1))
        wait_until(lambda: _workflow_timer_started(flow, execution), 10, "the workflow's own timer")
        flow.advance(60)
        assert instance.wait_for_completion(timeout=10) == 0.5 + 0.75
    assert _failures(flow, execution) == 1


def test_service_trouble_while_deciding_is_not_recorded_as_the_workflows_failure() -> None:
    clock = VirtualClock()
    # The first history read fails: the worker that reads it (a cold replay) cannot decide.
    with LocalSWF(clock=clock, faults="GetWorkflowExecutionHistory:500@nth=1") as swf:
        client = swf.client()
        client.register_domain(name="trouble", workflowExecutionRetentionPeriodInDays="1")
        first = WorkflowWorker(None, "us-east-1", "trouble", TASK_LIST, flows.Versioned, client=swf.client())
        second = WorkflowWorker(None, "us-east-1", "trouble", TASK_LIST, flows.Versioned, client=swf.client())
        shop = ActivityWorker(None, "us-east-1", "trouble", TASK_LIST, flows.Shop(), client=swf.client())
        with workflow_starter(None, "us-east-1", "trouble", TASK_LIST, client=client):
            instance = flows.Versioned.run()
        ids = {
            "workflowId": instance.workflow_execution.workflow_id,
            "runId": instance.workflow_execution.run_id,
        }
        assert first.run_once()  # the first decision task: its events start at 1, nothing to read
        assert shop.run_once()  # the activity completes: a second decision task
        assert second.run_once()  # knows nothing of the run: reads the history, which fails
        assert second.stats.tasks_failed == 1
        info = client.describe_workflow_execution(domain="trouble", execution=ids)
        assert info["openCounts"]["openDecisionTasks"] == 1  # left unanswered, to time out
        events = client.get_workflow_execution_history(domain="trouble", execution=ids)["events"]
        assert [e["eventType"] for e in events][-1] == "DecisionTaskStarted"
        assert current_failure(events) is None
        clock.advance(int(info["executionConfiguration"]["taskStartToCloseTimeout"]))
        assert second.run_once()  # the task SWF scheduled again; the history reads now
        clock.advance(60)
        assert second.run_once() and shop.run_once() and second.run_once()
        info = client.describe_workflow_execution(domain="trouble", execution=ids)
        assert info["executionInfo"]["closeStatus"] == "COMPLETED"
        events = client.get_workflow_execution_history(domain="trouble", execution=ids)["events"]
        assert "DecisionTaskTimedOut" in [e["eventType"] for e in events]
        assert _failures_in(events) == 0


def _failures_in(events: list[dict[str, Any]]) -> int:
    return sum(
        1
        for event in events
        if event["eventType"] == "MarkerRecorded"
        and event["markerRecordedEventAttributes"]["markerName"] == FAILURE_MARKER
    )


def _start_to_close_timeouts(flow: Flow, execution: Any) -> int:
    """Decision tasks that timed out being decided (not the deploy's one routed to a stopped worker)."""
    return sum(
        1
        for e in flow.history(execution)
        if e["eventType"] == "DecisionTaskTimedOut"
        and e["decisionTaskTimedOutEventAttributes"]["timeoutType"] == "START_TO_CLOSE"
    )
