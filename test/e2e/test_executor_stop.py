"""``start(); stop(); join()`` handles the task a poll in flight brings (botoflow's executors did).

A stop never abandons a poll SWF may answer with a task. Against awsflow.local, which promises
(``x-awsflow-poll-close``) that a half-closed poll is answered at once, polls are half-closed and
their answers read; against an endpoint that promises nothing (``announce_poll_close=False``
emulates one, as Amazon SWF) the worker waits for them. Either way the waiting task is handled,
every time — and leaving ``with worker:`` stays fast against awsflow.local.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import flows
import pytest
from flowkit import TASK_LIST
from waiting import wait_until

from awsflow import (
    ActivityWorker,
    MultiprocessingWorkflowExecutor,
    ThreadedActivityExecutor,
    ThreadedWorkflowExecutor,
    WorkflowWorker,
    workflow_starter,
)
from awsflow.local import LocalSWF, VirtualClock

TRIALS = 5
MP_TRIALS = 3  # a process costs about half a second to start


@pytest.fixture(params=[True, False], ids=["poll-close-promised", "no-promise"])
def service(request: pytest.FixtureRequest, clock: VirtualClock) -> Iterator[LocalSWF]:
    with LocalSWF(clock=clock, announce_poll_close=request.param) as swf:
        swf.client().register_domain(name="d", workflowExecutionRetentionPeriodInDays="1")
        ActivityWorker(None, "us-east-1", "d", TASK_LIST, flows.Shop(), client=swf.client())  # registers
        yield swf


def _event_types(swf: LocalSWF, instance: Any) -> list[str]:
    execution = instance.workflow_execution
    page = swf.client().get_workflow_execution_history(
        domain="d", execution={"workflowId": execution.workflow_id, "runId": execution.run_id}
    )
    return [event["eventType"] for event in page["events"]]


def _decided(swf: LocalSWF, instance: Any, timeout: float = 10.0) -> bool:
    """Whether the instance's first decision task is decided (waiting up to ``timeout`` for it)."""
    try:
        wait_until(lambda: "DecisionTaskCompleted" in _event_types(swf, instance), timeout, "the decision")
    except AssertionError:
        return False
    return True


def _join(executor: Any, swf: LocalSWF) -> None:
    """Join a stopped executor. A poller that polled again before it saw the stop holds a poll
    the service answers only at its timeout (against an endpoint that promises nothing, the
    stop rightly waits for it): the virtual clock is moved there, as time would."""
    executor.join(timeout=5)
    if executor.is_running and swf.service.waiting_pollers():
        swf.clock.advance(60)
    executor.join(timeout=30)
    assert not executor.is_running


def _start_purchase(swf: LocalSWF) -> Any:
    with workflow_starter(None, "us-east-1", "d", TASK_LIST, client=swf.client()):
        return flows.Purchase.buy("apple", 1)


def test_the_threaded_workflow_executor_decides_the_waiting_task_every_time(service: LocalSWF) -> None:
    worker = WorkflowWorker(None, "us-east-1", "d", TASK_LIST, flows.Purchase, client=service.client())
    decided = 0
    for _ in range(TRIALS):
        instance = _start_purchase(service)
        executor = ThreadedWorkflowExecutor(worker)
        executor.start()
        executor.stop()
        decided += _decided(service, instance)
        _join(executor, service)
    assert decided == TRIALS


def test_the_threaded_activity_executor_runs_the_waiting_activity_every_time(service: LocalSWF) -> None:
    decider = WorkflowWorker(None, "us-east-1", "d", TASK_LIST, flows.Purchase, client=service.client())
    worker = ActivityWorker(None, "us-east-1", "d", TASK_LIST, flows.Shop(), client=service.client())
    client = service.client()
    instances, ran = [], 0
    for trial in range(1, TRIALS + 1):
        instances.append(_start_purchase(service))
        while not client.count_pending_activity_tasks(domain="d", taskList={"name": TASK_LIST})["count"]:
            assert decider.run_once()  # decision tasks are waiting until one schedules an activity
        executor = ThreadedActivityExecutor(worker)
        executor.start(1, 4)
        executor.stop()
        executor.join(timeout=5)  # a running task is waited for, the pool too
        completed = sum(_event_types(service, i).count("ActivityTaskCompleted") for i in instances)
        ran += completed == trial
        _join(executor, service)
    assert ran == TRIALS


def test_the_multiprocessing_workflow_executor_decides_the_waiting_task_every_time(service: LocalSWF) -> None:
    worker = WorkflowWorker(None, "us-east-1", "d", TASK_LIST, flows.Purchase, client=service.client())
    decided = 0
    for _ in range(MP_TRIALS):
        instance = _start_purchase(service)
        executor = MultiprocessingWorkflowExecutor(worker)
        executor.start()  # returns once the process is about to poll
        executor.stop()
        decided += _decided(service, instance, timeout=30)
        _join(executor, service)
    assert decided == MP_TRIALS


def test_leaving_with_worker_is_prompt_against_awsflow_local(clock: VirtualClock) -> None:
    with LocalSWF(clock=clock) as swf:
        swf.client().register_domain(name="d", workflowExecutionRetentionPeriodInDays="1")
        worker = WorkflowWorker(None, "us-east-1", "d", TASK_LIST, flows.Purchase, client=swf.client())
        for _ in range(3):
            with worker:
                assert swf.service.wait_for_pollers(1, timeout=10)  # a poll is held: no task
                began = time.monotonic()
            assert time.monotonic() - began < 1.0
            assert not worker.is_running


def test_without_the_promise_a_stop_waits_for_the_poll_in_flight_to_end(clock: VirtualClock) -> None:
    with LocalSWF(clock=clock, poll_timeout=60, announce_poll_close=False) as swf:
        swf.client().register_domain(name="d", workflowExecutionRetentionPeriodInDays="1")
        worker = WorkflowWorker(None, "us-east-1", "d", TASK_LIST, flows.Purchase, client=swf.client())
        worker.start()
        assert swf.service.wait_for_pollers(1, timeout=10)
        worker.stop()
        worker.join(timeout=0.2)
        assert worker.is_running and swf.service.waiting_pollers() == 1  # not cut off
        instance = _start_purchase(swf)  # the held poll takes this task, and decides it
        worker.join(timeout=30)
        assert not worker.is_running
        assert "DecisionTaskCompleted" in _event_types(swf, instance)
