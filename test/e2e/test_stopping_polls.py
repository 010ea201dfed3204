"""Stopping a worker never strands a task a poll was handed (issue 10 item 1).

botoflow's executors return from ``start()`` once each poller is about to poll, and ``stop()``
lets that poll finish and handles its task. Against Amazon SWF that is also the only safe rule:
a poll cut short may still have been handed a task. awsflow.local promises (a header in every
answer) to answer at once a poll whose client half-closes its connection, so there a stop is
prompt; against an endpoint that makes no promise (``announce_poll_release=False``) the stop
waits for the poll and handles what it brings.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import flows
import pytest
from flowkit import TASK_LIST
from waiting import wait_until

from awsflow import (
    ActivityWorker,
    MultiprocessingActivityExecutor,
    MultiprocessingWorkflowExecutor,
    ThreadedActivityExecutor,
    ThreadedWorkflowExecutor,
    WorkflowWorker,
    workflow_starter,
)
from awsflow.local import LocalSWF, VirtualClock

DOMAIN = "stopping"


@pytest.fixture(params=[True, False], ids=["promising service", "service without a promise"])
def service(request: pytest.FixtureRequest) -> Iterator[LocalSWF]:
    with LocalSWF(clock=VirtualClock(), announce_poll_release=request.param) as swf:
        swf.client().register_domain(name=DOMAIN, workflowExecutionRetentionPeriodInDays="1")
        yield swf


def _workflow_worker(swf: LocalSWF, task_list: str = TASK_LIST) -> WorkflowWorker:
    return WorkflowWorker(None, "us-east-1", DOMAIN, task_list, flows.Purchase, client=swf.client())


def _activity_worker(swf: LocalSWF, task_list: str = TASK_LIST) -> ActivityWorker:
    return ActivityWorker(None, "us-east-1", DOMAIN, task_list, flows.Shop(), client=swf.client())


def _start_purchase(swf: LocalSWF, task_list: str = TASK_LIST) -> Any:
    # Each trial has a task list of its own, so its task is the only one waiting there.
    with workflow_starter(None, "us-east-1", DOMAIN, task_list, client=swf.client()):
        return flows.Purchase.buy("apple", 2).workflow_execution


def _stop_and_join(swf: LocalSWF, executor: Any) -> None:
    """stop() and join(). Against a service that made no promise, a poll a thread started after
    the task (a pool's poller loops on) is waited for: answer such polls empty as their timeout
    would, since the virtual clock does not move. A promising service needs no help."""
    executor.stop()
    joiner = threading.Thread(target=executor.join, args=(30,))
    joiner.start()
    deadline = time.monotonic() + 30
    while joiner.is_alive() and time.monotonic() < deadline:
        if not swf.announce_poll_release:
            swf.service.end_held_polls()
        joiner.join(0.05)
    assert not executor.is_running


def _event_types(swf: LocalSWF, execution: Any) -> list[str]:
    history = swf.client().get_workflow_execution_history(
        domain=DOMAIN, execution={"workflowId": execution.workflow_id, "runId": execution.run_id}
    )
    return [event["eventType"] for event in history["events"]]


@pytest.mark.parametrize("executor_class", [ThreadedWorkflowExecutor, MultiprocessingWorkflowExecutor])
def test_start_stop_join_of_a_workflow_executor_decides_the_task_that_was_waiting(
    service: LocalSWF, executor_class: type
) -> None:
    _activity_worker(service)  # registers the activity types the decision schedules
    trials = 5 if executor_class is ThreadedWorkflowExecutor else 2  # spawning processes is slow
    for trial in range(trials):
        task_list = f"trial-{trial}"
        worker = _workflow_worker(service, task_list)
        execution = _start_purchase(service, task_list)
        executor = executor_class(worker)
        executor.start()
        _stop_and_join(service, executor)
        assert _event_types(service, execution)[-2:] == ["DecisionTaskCompleted", "ActivityTaskScheduled"]


@pytest.mark.parametrize("executor_class", [ThreadedActivityExecutor, MultiprocessingActivityExecutor])
def test_start_stop_join_of_an_activity_executor_runs_the_task_that_was_waiting(
    service: LocalSWF, executor_class: type
) -> None:
    trials = 5 if executor_class is ThreadedActivityExecutor else 2
    for trial in range(trials):
        task_list = f"trial-{trial}"
        worker = _activity_worker(service, task_list)  # registers the activity types
        decider = _workflow_worker(service, task_list)
        execution = _start_purchase(service, task_list)
        assert decider.run_once()  # schedules Shop.price
        assert _event_types(service, execution)[-1] == "ActivityTaskScheduled"  # a task waits
        executor = executor_class(worker)
        executor.start(1, 4)
        _stop_and_join(service, executor)
        assert _event_types(service, execution)[-2:] == ["ActivityTaskCompleted", "DecisionTaskScheduled"]


def test_leaving_with_worker_ends_a_held_poll_at_once_where_the_service_promises_it() -> None:
    with LocalSWF(clock=VirtualClock()) as swf:
        swf.client().register_domain(name=DOMAIN, workflowExecutionRetentionPeriodInDays="1")
        with _workflow_worker(swf):
            assert swf.service.wait_for_pollers(1, timeout=10)
        # The virtual clock never moved: only the release can have ended the poll.
        assert swf.service.waiting_pollers() == 0


def test_a_stop_keeps_a_poll_the_service_made_no_promise_for_and_handles_its_task() -> None:
    with LocalSWF(clock=VirtualClock(), announce_poll_release=False) as swf:
        swf.client().register_domain(name=DOMAIN, workflowExecutionRetentionPeriodInDays="1")
        _activity_worker(swf)  # registers the activity types the decision schedules
        worker = _workflow_worker(swf)
        worker.identity = "stopping worker"
        worker.start()
        assert swf.service.wait_for_pollers(2, timeout=10)  # the shared list and the worker's own
        worker.stop()
        # The polls are still held (their 60 s have not passed on the virtual clock): a task
        # that comes now is handed to one, and the stopping worker decides it.
        assert swf.service.waiting_pollers() == 2
        execution = _start_purchase(swf)
        wait_until(lambda: swf.service.waiting_pollers() == 1, 10, "the shared list's poll handed its task")
        swf.service.end_held_polls()  # the own list's poll ends empty, as its timeout would end it
        worker.join(30)
        assert not worker.is_running
        history = swf.client().get_workflow_execution_history(
            domain=DOMAIN, execution={"workflowId": execution.workflow_id, "runId": execution.run_id}
        )["events"]
        started = [e for e in history if e["eventType"] == "DecisionTaskStarted"]
        assert [e["decisionTaskStartedEventAttributes"]["identity"] for e in started] == ["stopping worker"]
        assert history[-1]["eventType"] == "ActivityTaskScheduled"


def test_a_released_poll_takes_the_task_already_waiting_and_a_waiting_one_ends_empty() -> None:
    with LocalSWF(clock=VirtualClock()) as swf:
        swf.client().register_domain(name=DOMAIN, workflowExecutionRetentionPeriodInDays="1")
        worker = _workflow_worker(swf)
        worker.start()
        assert swf.service.wait_for_pollers(1, timeout=10)
        worker.stop()
        worker.join(10)
        assert not worker.is_running
        execution = _start_purchase(swf)
        wait_until(lambda: swf.service.waiting_pollers() == 0, what="no poll held")
        # Nobody took the task when the poll was released: it waits for the next worker.
        assert _event_types(swf, execution)[-1] == "DecisionTaskScheduled"
