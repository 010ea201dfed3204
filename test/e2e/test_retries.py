"""Retry policies over HTTP: backoff timers on the virtual clock, surviving a decider restart."""

from __future__ import annotations

from typing import Any

from flowkit import Flow
from waiting import wait_until

from awsflow import RetryPolicy, WorkflowDefinition, activities, activity, execute, workflow_options
from awsflow.exceptions import ActivityTaskFailedError, ChildWorkflowFailedError

failures_left: dict[str, int] = {}


@activities(schedule_to_start_timeout=60, start_to_close_timeout=60)
class Inventory:
    @activity("1.0", retry_policy=RetryPolicy(initial_interval=30, backoff_coefficient=4))
    def reserve(self, sku: str) -> str:
        if failures_left.get(sku, 0) > 0:
            failures_left[sku] -= 1
            raise ConnectionError(f"warehouse for {sku} unreachable")
        return f"{sku} reserved"


class OutOfStock(Exception):
    pass


outcomes: dict[str, list[Exception]] = {}


@activities(schedule_to_start_timeout=60, start_to_close_timeout=60)
class Warehouse:
    @activity(
        "1.0",
        retry_policy=RetryPolicy(
            initial_interval=10, retryable=(OSError,), non_retryable=(ConnectionAbortedError,)
        ),
    )
    def pick(self, sku: str) -> str:
        if outcomes.get(sku):
            raise outcomes[sku].pop(0)
        return f"{sku} picked"


class Pick(WorkflowDefinition):
    @execute(version="1.0", execution_start_to_close_timeout=3600)
    def run(self, sku: str) -> Any:
        try:
            return (yield Warehouse.pick(sku))
        except ActivityTaskFailedError as error:
            return f"gave up after {error.attempts}: {error.cause!r}"


class Reserve(WorkflowDefinition):
    @execute(version="1.0", execution_start_to_close_timeout=3600)
    def run(self, sku: str) -> Any:
        return (yield Inventory.reserve(sku))


class Picky(WorkflowDefinition):
    @execute(version="1.0", execution_start_to_close_timeout=600)
    def run(self, sku: str) -> Any:
        if failures_left.get(sku, 0) > 0:
            failures_left[sku] -= 1
            raise LookupError(f"{sku} not in stock yet")
        return (yield Inventory.reserve(sku))


class Orders(WorkflowDefinition):
    @execute(version="1.0", execution_start_to_close_timeout=3600)
    def run(self, sku: str) -> Any:
        with workflow_options(retry_policy=RetryPolicy(initial_interval=10, maximum_attempts=2)):
            child = yield Picky.run(sku)
        try:
            return (yield child.workflow_result)
        except ChildWorkflowFailedError as error:
            return f"gave up after {error.attempts}: {error.cause!r}"


def attributes_of(events: list[dict[str, Any]], event_type: str) -> list[dict[str, Any]]:
    key = event_type[0].lower() + event_type[1:] + "EventAttributes"
    return [event[key] for event in events if event["eventType"] == event_type]


def test_retries_wait_on_durable_timers_and_survive_a_decider_restart_mid_backoff(flow: Flow) -> None:
    failures_left["bolt"] = 2
    flow.activity_worker(Inventory())
    first = flow.workflow_worker(Reserve, enter=False)
    with first:
        instance = Reserve.run("bolt")
        flow.wait_for_event(instance.workflow_execution, "TimerStarted")
    # The decider is gone, mid-backoff: the timer fires with nobody deciding.
    flow.advance(30)
    flow.wait_for_event(instance.workflow_execution, "TimerFired")
    flow.workflow_worker(Reserve)  # a new decider, with nothing in memory, replays the history
    flow.sticky_fallback(instance.workflow_execution)  # once the task routed to the old one is back

    def second_timer_started() -> bool:
        return len(attributes_of(flow.history(instance.workflow_execution), "TimerStarted")) == 2

    wait_until(second_timer_started, 10, "the second backoff timer")
    flow.advance(120)
    assert instance.wait_for_completion(timeout=10) == "bolt reserved"
    history = flow.history(instance.workflow_execution)
    assert [a["activityId"] for a in attributes_of(history, "ActivityTaskScheduled")] == [
        "1-attempt-1",
        "1-attempt-2",
        "1-attempt-3",
    ]
    assert [(t["timerId"], t["startToFireTimeout"]) for t in attributes_of(history, "TimerStarted")] == [
        ("1-backoff-2", "30"),
        ("1-backoff-3", "120"),
    ]


def test_a_child_workflow_is_retried_and_its_last_failure_reaches_the_parent(flow: Flow) -> None:
    failures_left["nut"] = 5
    flow.activity_worker(Inventory())
    flow.workflow_worker(Orders, Picky)
    instance = Orders.run("nut")
    flow.wait_for_event(instance.workflow_execution, "TimerStarted")
    flow.advance(10)
    assert instance.wait_for_completion(timeout=10) == "gave up after 2: LookupError('nut not in stock yet')"
    history = flow.history(instance.workflow_execution)
    child_ids = [a["workflowId"] for a in attributes_of(history, "StartChildWorkflowExecutionInitiated")]
    assert [child_id.rsplit("-", 1)[1] for child_id in child_ids] == ["1", "2"]
    assert all("-attempt-" in child_id for child_id in child_ids)


def test_an_allow_list_retries_the_failures_it_names_and_gives_up_at_once_on_the_others(flow: Flow) -> None:
    outcomes["crate"] = [ConnectionResetError("scanner offline"), OutOfStock("no crates left")]
    outcomes["pallet"] = [TimeoutError("forklift late"), ConnectionAbortedError("dock closed")]
    flow.activity_worker(Warehouse())
    flow.workflow_worker(Pick)
    crate, pallet = Pick.run("crate"), Pick.run("pallet")
    for instance in (crate, pallet):
        flow.wait_for_event(instance.workflow_execution, "TimerStarted")
    flow.advance(10)
    # OSError is allowed: retried once; OutOfStock is not in the allow-list: no second timer.
    assert crate.wait_for_completion(timeout=10) == "gave up after 2: OutOfStock('no crates left')"
    # ConnectionAbortedError is an OSError, but the deny-list wins.
    assert pallet.wait_for_completion(timeout=10) == "gave up after 2: ConnectionAbortedError('dock closed')"
    for instance in (crate, pallet):
        history = flow.history(instance.workflow_execution)
        assert len(attributes_of(history, "ActivityTaskScheduled")) == 2
        assert len(attributes_of(history, "TimerStarted")) == 1
