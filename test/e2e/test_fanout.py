"""awsflow.fanout over HTTP: 2,000 inputs under a limit of 50, read back from the histories."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from flowkit import TASK_LIST, Flow

from awsflow import (
    ActivityWorker,
    FanoutError,
    ThreadedActivityExecutor,
    WorkflowDefinition,
    activities,
    activity,
    execute,
    fanout,
    get_context,
)
from awsflow.data_converter import JSONDataConverter
from awsflow.exceptions import ActivityTaskFailedError
from awsflow.workflow_execution import WorkflowExecution

OPENS = {"ActivityTaskScheduled", "StartChildWorkflowExecutionInitiated"}
CLOSES = {
    "ActivityTaskCompleted",
    "ActivityTaskFailed",
    "ActivityTaskTimedOut",
    "ActivityTaskCanceled",
    "ChildWorkflowExecutionCompleted",
    "ChildWorkflowExecutionFailed",
    "ChildWorkflowExecutionTimedOut",
    "ChildWorkflowExecutionCanceled",
    "ChildWorkflowExecutionTerminated",
}

# The failing-input test holds its activities here until the fan-out has stopped.
release = threading.Event()


@activities(schedule_to_start_timeout=300, start_to_close_timeout=300)
class Work:
    @activity("1.0")
    def double(self, n: int) -> int:
        return 2 * n

    @activity("1.0", heartbeat_timeout=60)
    def check(self, n: int) -> int:
        if n == 13:
            raise ValueError(f"input {n} is unlucky")
        while not release.wait(0.2):  # until cancelled: heartbeat raises once SWF asks
            get_context().heartbeat()
        return n


class DoubleAll(WorkflowDefinition):
    @execute(version="1.0", execution_start_to_close_timeout=3600)
    def run(self, count: int, batch_size: int | None) -> Any:
        return (yield fanout(Work.double, range(count), max_concurrency=50, batch_size=batch_size))


class RampedDoubles(WorkflowDefinition):
    @execute(version="1.0", execution_start_to_close_timeout=3600)
    def run(self) -> Any:
        return (yield fanout(Work.double, range(30), max_concurrency=10, ramp_up=90))


class CheckAll(WorkflowDefinition):
    @execute(version="1.0", execution_start_to_close_timeout=3600)
    def run(self) -> Any:
        try:
            yield fanout(Work.check, range(40), max_concurrency=20)
        except FanoutError as error:
            assert isinstance(error.cause, ActivityTaskFailedError)
            return [error.index, error.input, str(error.cause.cause), error.stopped]
        return "no failure"


@pytest.fixture
def pool(flow: Flow) -> Iterator[None]:
    with activity_pool(flow):
        yield


@contextlib.contextmanager
def activity_pool(flow: Flow) -> Iterator[None]:
    """An activity worker running many activities at once in threads."""
    worker = ActivityWorker(None, "us-east-1", flow.domain, TASK_LIST, Work(), client=flow.swf.client())
    executor = ThreadedActivityExecutor(worker)
    executor.start(pollers=4, workers=24)
    try:
        yield
    finally:
        release.set()
        executor.stop()
        executor.join()
        release.clear()


def max_open(history: list[dict[str, Any]]) -> int:
    """The most activities and child workflows open at once, event by event."""
    open_now = highest = 0
    for event in history:
        if event["eventType"] in OPENS:
            open_now += 1
        elif event["eventType"] in CLOSES:
            open_now -= 1
        highest = max(highest, open_now)
    return highest


def test_two_thousand_inputs_never_have_more_than_fifty_open_and_come_back_in_order(
    flow: Flow, pool: None
) -> None:
    flow.workflow_worker(DoubleAll)
    instance = DoubleAll.run(2_000, None)
    assert instance.wait_for_completion(timeout=120) == [2 * n for n in range(2_000)]
    history = flow.history(instance.workflow_execution)
    assert max_open(history) == 50
    assert sum(e["eventType"] == "ActivityTaskScheduled" for e in history) == 2_000
    assert len(history) < 0.8 * 25_000


def test_a_batched_fanout_keeps_the_limit_across_its_child_workflows(flow: Flow, pool: None) -> None:
    flow.workflow_worker(DoubleAll)
    instance = DoubleAll.run(600, 150)  # four batches of 150, sharing the limit of 50
    assert instance.wait_for_completion(timeout=60) == [2 * n for n in range(600)]
    parent = flow.history(instance.workflow_execution)
    batches = [
        e["childWorkflowExecutionStartedEventAttributes"]["workflowExecution"]
        for e in parent
        if e["eventType"] == "ChildWorkflowExecutionStarted"
    ]
    assert len(batches) == 4 and max_open(parent) == 4
    shares = []
    for batch in batches:
        history = flow.history(WorkflowExecution(batch["workflowId"], batch["runId"]))
        spec = flow_input(history)
        shares.append(spec["max_concurrency"])
        assert max_open(history) == spec["max_concurrency"]  # each batch reaches its share, no more
    assert sum(shares) == 50  # and all four were open together


def test_a_failing_input_stops_the_fanout_and_cancels_the_rest(flow: Flow, pool: None) -> None:
    flow.workflow_worker(CheckAll)
    instance = CheckAll.run()
    assert instance.wait_for_completion(timeout=30) == [13, 13, "input 13 is unlucky", True]
    types = [e["eventType"] for e in flow.history(instance.workflow_execution)]
    assert types.count("ActivityTaskScheduled") < 40  # inputs after the failure never started
    assert types.count("ActivityTaskCancelRequested") >= 1
    assert types.count("ActivityTaskScheduled") == types.count("ActivityTaskCanceled") + types.count(
        "ActivityTaskCompleted"
    ) + types.count("ActivityTaskFailed")  # every one closed before the workflow did


def flow_input(history: list[dict[str, Any]]) -> dict[str, Any]:
    args, _ = JSONDataConverter().loads(history[0]["workflowExecutionStartedEventAttributes"]["input"])
    spec: dict[str, Any] = args[0]
    return spec


def test_a_ramping_fanout_survives_a_decider_restart_and_ramps_by_the_clock(flow: Flow) -> None:
    flow.activity_worker(Work(), enter=False)  # registers the activity types; polls nothing yet
    with flow.workflow_worker(RampedDoubles, enter=False):
        instance = RampedDoubles.run()
        flow.wait_for_event(instance.workflow_execution, "TimerStarted")  # one scheduled, the limit 1
    flow.advance(90)  # the ramp is over while no decider runs
    flow.wait_for_event(instance.workflow_execution, "TimerFired")
    flow.workflow_worker(RampedDoubles)
    flow.sticky_fallback(instance.workflow_execution)  # routed to the stopped decider
    with activity_pool(flow):
        assert instance.wait_for_completion(timeout=30) == [2 * n for n in range(30)]
    history = flow.history(instance.workflow_execution)
    assert max_open(history) == 10
    timers = [
        e["timerStartedEventAttributes"]["startToFireTimeout"]
        for e in history
        if e["eventType"] == "TimerStarted"
    ]
    assert timers == ["10"]  # one step of 90 s / 9; after the restart the limit is already 10


def test_a_generic_workflow_worker_serves_the_batches_too(flow: Flow, pool: None) -> None:
    from awsflow import GenericWorkflowWorker
    from awsflow.workers.workflow_worker import get_workflow_entrypoint

    def lookup(name: str, version: str) -> Any:
        return get_workflow_entrypoint(DoubleAll, name, version)  # KeyError for anything else

    worker = GenericWorkflowWorker(
        None, "us-east-1", flow.domain, TASK_LIST, lookup, client=flow.swf.client()
    )
    flow.workflow_worker(DoubleAll, enter=False)  # registers DoubleAll; the generic worker decides
    with worker:
        instance = DoubleAll.run(20, 10)
        assert instance.wait_for_completion(timeout=30) == [2 * n for n in range(20)]
    types = flow.event_types(instance.workflow_execution)
    assert types.count("ChildWorkflowExecutionCompleted") == 2
