"""The workers on a service that pages histories in a few events (``LocalSWF(page_size=...)``).

SWF documents 1000 events per page but has been seen paging decision tasks at 100; a worker
must stitch the pages of every poll together whatever their size. A workflow with parallel
activities, a timer, a signal and a child runs to its result on pages of 3 and 7 events,
decided by one sticky worker (which feeds its kept replay only the new events) and by a fresh
worker per step (each replaying the whole history cold).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import flows
import pytest
from flowkit import TASK_LIST, Flow

from awsflow import Future, WorkflowDefinition, execute, signal, workflow_options, workflow_time
from awsflow.local import LocalSWF, VirtualClock


class Errand(WorkflowDefinition):
    @execute(version="1.0", execution_start_to_close_timeout=7 * 86_400)
    def run(self, items: list[str]) -> Any:
        self.coupon: Future = Future()
        prices = yield [flows.Shop.price(item, quantity=2) for item in items]
        yield workflow_time.sleep(60)
        code = yield self.coupon
        with workflow_options(workflow_id=f"{self.workflow_execution.workflow_id}-child"):
            child = yield flows.Child.run(1)
        hours = yield child.workflow_result
        return [sum(prices), code, hours]

    @signal()
    def apply_coupon(self, code: str) -> None:
        if not self.coupon.done():
            self.coupon.set_result(code)


@pytest.fixture(params=[3, 7], ids=lambda size: f"page_size={size}")
def swf(request: pytest.FixtureRequest, clock: VirtualClock) -> Iterator[LocalSWF]:
    with LocalSWF(clock=clock, page_size=request.param) as service:
        yield service


def _child_of(flow: Flow, execution: Any) -> Any:
    started = flow.wait_for_event(execution, "ChildWorkflowExecutionStarted")
    child = started["childWorkflowExecutionStartedEventAttributes"]["workflowExecution"]
    return type(execution)(child["workflowId"], child["runId"])


def _run_errand(flow: Flow, fresh_worker: Any) -> tuple[Any, Any]:
    """Drive an Errand through every step; ``fresh_worker()`` is called before each one."""
    flow.activity_worker(flows.Shop())
    fresh_worker()
    instance = Errand.run(["apple", "pear", "apple", "pear", "apple"])
    execution = instance.workflow_execution
    flow.wait_for_event(execution, "TimerStarted")
    fresh_worker()
    flow.advance(60)
    flow.wait_for_event(execution, "TimerFired")
    flow.wait_for_event(execution, "DecisionTaskCompleted")
    fresh_worker()
    instance.apply_coupon("SAVE10")
    child = _child_of(flow, execution)
    flow.wait_for_event(child, "TimerStarted")
    flow.wait_for_event(execution, "ChildWorkflowExecutionStarted")
    for run in (execution, child):  # the hour's jump must not time out a task in flight
        flow.wait_until_decided(run)
    fresh_worker()
    flow.advance(3600)
    return instance, child


def test_a_sticky_worker_decides_right_on_small_pages(flow: Flow) -> None:
    worker = flow.workflow_worker(Errand, flows.Child, sticky_schedule_to_start_timeout=600)
    instance, _ = _run_errand(flow, lambda: worker)
    assert instance.wait_for_completion(timeout=20) == [6.0, "SAVE10", 1]
    scheduled = [
        e["decisionTaskScheduledEventAttributes"]["taskList"]["name"]
        for e in flow.history(instance.workflow_execution)
        if e["eventType"] == "DecisionTaskScheduled"
    ]
    assert scheduled[0] == TASK_LIST
    assert all(name.startswith(f"{TASK_LIST}-sticky-") for name in scheduled[1:]), scheduled
    assert len(flow.history(instance.workflow_execution)) > 7 * 4, "many pages per history"


def test_fresh_workers_replay_cold_and_decide_right_on_small_pages(flow: Flow) -> None:
    workers: list[Any] = []

    def fresh_worker() -> None:
        # The previous worker stops: its kept replays go with it, so the next decision task
        # is decided by replaying the whole history.
        if workers:
            workers[-1].stop()
            workers[-1].join()
        # Routing off: each worker's tasks come from the shared list at once, not after the
        # timeout the stopped worker's routed tasks would wait (the subject here is cold replay).
        worker = flow.workflow_worker(Errand, flows.Child, enter=False, sticky_schedule_to_start_timeout=None)
        worker.identity = f"cold worker {len(workers)}"
        workers.append(worker)
        worker.start()

    try:
        instance, child = _run_errand(flow, fresh_worker)
        assert instance.wait_for_completion(timeout=20) == [6.0, "SAVE10", 1]
    finally:
        workers[-1].stop()
        workers[-1].join()
    deciders = {
        e["decisionTaskStartedEventAttributes"]["identity"]
        for e in flow.history(instance.workflow_execution)
        if e["eventType"] == "DecisionTaskStarted"
    }
    assert len(deciders) >= 3, "several workers, each starting cold, decided the run"
    assert flow.event_types(child)[-1] == "WorkflowExecutionCompleted"
