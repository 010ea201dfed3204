"""Cancellation end to end, as botoflow 0.8 did it: workers on awsflow.local over HTTP.

Activity cancel requests (``yield future.cancel()``), a workflow that cancels itself or is asked
to from outside, the details it records, its cancellation_handler in any form, and a close
decision SWF refuses.
"""

from __future__ import annotations

from typing import Any

import flows
import pytest
from flowkit import TASK_LIST, Flow

from awsflow import (
    WorkflowDefinition,
    activities,
    activity,
    activity_options,
    execute,
    signal,
    workflow_starter,
    workflow_time,
)
from awsflow.core import CancelledError
from awsflow.exceptions import WorkflowCanceledError, WorkflowFailedError
from awsflow.options import workflow_options

cleanups: list[str] = []


@activities(schedule_to_start_timeout=60, start_to_close_timeout=60)
class Cleanup:
    @activity("1.0")
    def tidy(self, name: str) -> str:
        cleanups.append(name)
        return f"{name} tidied"


def attributes(event: dict[str, Any]) -> dict[str, Any]:
    return dict(event.get(event["eventType"][0].lower() + event["eventType"][1:] + "EventAttributes", {}))


def closing_decision(history: list[dict[str, Any]]) -> list[str]:
    """The events the decision task that closed the run recorded."""
    completed = attributes(history[-1])["decisionTaskCompletedEventId"]
    return [e["eventType"] for e in history if attributes(e).get("decisionTaskCompletedEventId") == completed]


def ids(instance: Any) -> dict[str, str]:
    return {
        "workflowId": instance.workflow_execution.workflow_id,
        "runId": instance.workflow_execution.run_id,
    }


class AwaitsItsCancel(WorkflowDefinition):
    @execute(version="1.0", execution_start_to_close_timeout=3600)
    def run(self, name: str) -> Any:
        work = flows.Shop.heartbeat_until_cancelled(name)
        yield workflow_time.sleep(5)
        answer = yield work.cancel()  # done once SWF recorded ActivityTaskCancelRequested
        try:
            yield work
        except CancelledError as error:
            return [answer, type(error).__name__]
        return "not canceled"


def test_yield_future_cancel_waits_for_the_request_and_the_activity_then_ends_canceled(flow: Flow) -> None:
    flow.workflow_worker(AwaitsItsCancel)
    flow.activity_worker(flows.Shop())
    flows.gate("chore")
    instance = AwaitsItsCancel.run("chore")
    assert flows.started["chore"].wait(10)
    flow.wait_for_event(instance.workflow_execution, "TimerStarted")
    flow.advance(5)
    assert instance.wait_for_completion(timeout=10) == [None, "ActivityTaskCanceledError"]


class CancelsItself(WorkflowDefinition):
    @execute(version="1.0", execution_start_to_close_timeout=3600)
    def run(self, first: str, second: str, details: Any) -> Any:
        flows.Shop.hold(first)
        flows.Shop.hold(second)
        yield workflow_time.sleep(5)
        self.cancel(details)


@pytest.mark.parametrize(("details", "recorded"), [("enough", "enough"), (None, "None"), (0, "0")])
def test_a_workflow_that_cancels_itself_asks_swf_to_cancel_its_open_activities_as_it_closes(
    flow: Flow, details: Any, recorded: str
) -> None:
    flow.workflow_worker(CancelsItself)
    flow.activity_worker(flows.Shop(), max_concurrent=2)
    flows.gate("one"), flows.gate("two")
    instance = CancelsItself.run("one", "two", details)
    assert flows.started["one"].wait(10) and flows.started["two"].wait(10)
    flow.advance(5)
    with pytest.raises(WorkflowCanceledError) as canceled:
        instance.wait_for_completion(timeout=10)
    assert canceled.value.details == recorded
    history = flow.history(instance.workflow_execution)
    assert closing_decision(history) == [
        "ActivityTaskCancelRequested",
        "ActivityTaskCancelRequested",
        "WorkflowExecutionCanceled",
    ]


class HoldsOn(WorkflowDefinition):
    @execute(version="1.0", execution_start_to_close_timeout=3600)
    def run(self, name: str) -> Any:
        return (yield flows.Shop.hold(name))  # never heartbeats: it cannot learn of a cancel


def test_a_cancel_request_while_a_silent_activity_runs_closes_the_run_canceled_at_once(flow: Flow) -> None:
    flow.workflow_worker(HoldsOn)
    flow.activity_worker(flows.Shop())
    flows.gate("silent")
    instance = HoldsOn.run("silent")
    assert flows.started["silent"].wait(10)
    flow.client.request_cancel_workflow_execution(domain=flow.domain, **ids(instance))
    with pytest.raises(WorkflowCanceledError) as canceled:
        instance.wait_for_completion(timeout=10)  # the activity still holds on
    assert canceled.value.details == ""
    history = flow.history(instance.workflow_execution)
    assert closing_decision(history) == ["ActivityTaskCancelRequested", "WorkflowExecutionCanceled"]
    assert "ActivityTaskCompleted" not in [e["eventType"] for e in history]


class LetsAnUnstartedActivityCancelIt(WorkflowDefinition):
    @execute(version="1.0", execution_start_to_close_timeout=3600)
    def run(self) -> Any:
        with activity_options(task_list="nobody-polls-this"):
            work = Cleanup.tidy("never")
        yield workflow_time.sleep(5)
        work.cancel()  # not started: SWF cancels it at once
        yield work  # ActivityTaskCanceledError escapes: the workflow is canceled by it


def test_a_workflow_canceled_by_an_activity_canceled_before_it_started_records_why(flow: Flow) -> None:
    flow.workflow_worker(LetsAnUnstartedActivityCancelIt)
    flow.activity_worker(Cleanup())  # registers the activity type; polls another task list
    instance = LetsAnUnstartedActivityCancelIt.run()
    flow.wait_for_event(instance.workflow_execution, "TimerStarted")
    flow.advance(5)
    with pytest.raises(WorkflowCanceledError) as canceled:
        instance.wait_for_completion(timeout=10)
    assert canceled.value.details == "Activity was cancelled before being picked up by activity worker"


class PlainHandler(WorkflowDefinition):
    @execute(version="1.0", execution_start_to_close_timeout=3600)
    def run(self) -> Any:
        yield workflow_time.sleep(600)

    def cancellation_handler(self) -> None:
        cleanups.append("plain")


class GeneratorHandler(PlainHandler):
    def cancellation_handler(self) -> Any:
        yield Cleanup.tidy("generator")


class AsyncHandler(PlainHandler):
    async def cancellation_handler(self) -> None:
        await Cleanup.tidy("async")


@pytest.mark.parametrize(
    ("definition", "name"),
    [(PlainHandler, "plain"), (GeneratorHandler, "generator"), (AsyncHandler, "async")],
)
def test_a_cancellation_handler_of_any_form_runs_once_and_the_run_closes_canceled(
    flow: Flow, definition: Any, name: str
) -> None:
    cleanups.clear()
    flow.workflow_worker(definition)
    flow.activity_worker(Cleanup())
    instance = definition.run()
    flow.wait_for_event(instance.workflow_execution, "TimerStarted")
    flow.client.request_cancel_workflow_execution(domain=flow.domain, **ids(instance))
    with pytest.raises(WorkflowCanceledError):
        instance.wait_for_completion(timeout=10)
    assert cleanups == [name]


class CancelsAtOnce(WorkflowDefinition):
    @execute(version="1.0", execution_start_to_close_timeout=3600)
    def run(self) -> Any:
        self.cancel("bye")
        yield workflow_time.sleep(1)

    @signal()
    def poke(self) -> None:
        pass


def test_a_cancel_swf_refused_for_a_signal_that_came_meanwhile_is_decided_again(flow: Flow) -> None:
    worker = flow.workflow_worker(CancelsAtOnce, enter=False)  # registers the type; not polling yet
    with workflow_starter(None, "us-east-1", flow.domain, TASK_LIST, client=flow.swf.client()):
        instance = CancelsAtOnce.run()
    # The first decision task answered by hand, racing a signal: SWF refuses the close.
    task = flow.client.poll_for_decision_task(domain=flow.domain, taskList={"name": TASK_LIST})
    flow.client.signal_workflow_execution(
        domain=flow.domain, signalName="poke", input="[[], {}]", **ids(instance)
    )
    flow.client.respond_decision_task_completed(
        taskToken=task["taskToken"],
        decisions=[
            {
                "decisionType": "CancelWorkflowExecution",
                "cancelWorkflowExecutionDecisionAttributes": {"details": "bye"},
            }
        ],
    )
    flow.wait_for_event(instance.workflow_execution, "CancelWorkflowExecutionFailed")
    assert worker.run_once()  # replays that decision, then decides the close again
    with pytest.raises(WorkflowCanceledError) as canceled:
        instance.wait_for_completion(timeout=10)
    assert canceled.value.details == "bye"


class ContinuesAsAMissingVersion(WorkflowDefinition):
    @execute(version="1.0", execution_start_to_close_timeout=3600)
    def run(self) -> Any:
        yield workflow_time.sleep(1)
        with workflow_options(version="9.9"):  # never registered
            self.run()


def test_a_continue_as_new_swf_cannot_accept_fails_the_run_with_swfs_reason(flow: Flow) -> None:
    flow.workflow_worker(ContinuesAsAMissingVersion)
    instance = ContinuesAsAMissingVersion.run()
    flow.wait_for_event(instance.workflow_execution, "TimerStarted")
    flow.advance(1)
    with pytest.raises(WorkflowFailedError) as failed:
        instance.wait_for_completion(timeout=10)
    assert "WORKFLOW_TYPE_DOES_NOT_EXIST" in str(failed.value.cause)
    types = flow.event_types(instance.workflow_execution)
    assert types.count("ContinueAsNewWorkflowExecutionFailed") == 1
