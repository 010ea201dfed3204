"""Queries by replay, end to end: the answer comes from the history, and nothing is written to it."""

from __future__ import annotations

from typing import Any

import flows
import pytest
from flowkit import TASK_LIST, Flow, wait_until

from awsflow import (
    Future,
    WorkflowDefinition,
    execute,
    query,
    query_workflow,
    signal,
    workflow,
    workflow_starter,
)
from awsflow.exceptions import NondeterminismError, QueryError, WorkflowDefinitionError


class Cart(WorkflowDefinition):
    @execute(version="1.0", execution_start_to_close_timeout=3600)
    def run(self) -> Any:
        self.items: list[str] = []
        self.total: float | None = None
        self.checked_out = Future()
        yield self.checked_out
        self.total = yield flows.Shop.price("apple", quantity=len(self.items))
        return self.contents()  # a query called in workflow code: the plain method

    @signal()
    def add(self, item: str) -> None:
        self.items.append(item)

    @signal()
    def checkout(self) -> None:
        self.checked_out.set_result(None)

    @query
    def contents(self) -> list[str]:
        return list(self.items)

    @query()
    def summary(self, label: str, *, currency: str = "EUR") -> str:
        return f"{label}: {len(self.items)} items, total {self.total} {currency}"


@workflow(name="Cart")
class CartRewritten(WorkflowDefinition):
    """Cart 1.0 changed incompatibly: it schedules an activity before waiting."""

    @execute(version="1.0", execution_start_to_close_timeout=3600)
    def run(self) -> Any:
        self.items: list[str] = []
        yield flows.Shop.price("pear")

    @query
    def contents(self) -> list[str]:
        return list(self.items)


def signal_handled(flow: Flow, execution: Any, signals: int) -> bool:
    """True once ``signals`` signals are in the history and a decision task completed after them."""
    history = flow.history(execution)
    received = [e["eventId"] for e in history if e["eventType"] == "WorkflowExecutionSignaled"]
    if len(received) < signals:
        return False
    return any(
        e["eventType"] == "DecisionTaskCompleted"
        and e["decisionTaskCompletedEventAttributes"]["startedEventId"] > received[-1]
        for e in history
    )


def test_a_query_on_an_open_execution_sees_the_state_its_signals_made_and_writes_nothing(
    flow: Flow,
) -> None:
    flow.workflow_worker(Cart)
    cart = Cart.run()
    flow.wait_for_event(cart.workflow_execution, "DecisionTaskCompleted")
    assert cart.contents() == []
    cart.add("apple")
    cart.add("pear")
    wait_until(lambda: signal_handled(flow, cart.workflow_execution, 2), 10, "the signals handled")
    before = flow.history(cart.workflow_execution)
    assert cart.contents() == ["apple", "pear"]
    assert cart.summary("cart", currency="USD") == "cart: 2 items, total None USD"
    assert flow.history(cart.workflow_execution) == before


def test_a_query_on_a_closed_execution_sees_its_final_state(flow: Flow) -> None:
    flow.workflow_worker(Cart)
    flow.activity_worker(flows.Shop())
    cart = Cart.run()
    flow.wait_for_event(cart.workflow_execution, "DecisionTaskCompleted")
    cart.add("apple")
    cart.add("apple")
    cart.checkout()
    assert cart.wait_for_completion(timeout=10) == ["apple", "apple"]
    before = flow.history(cart.workflow_execution)
    assert cart.summary("done") == "done: 2 items, total 1.0 EUR"
    with workflow_starter(None, "us-east-1", flow.domain, TASK_LIST, client=flow.swf.client()) as starter:
        assert query_workflow(starter, Cart, cart.workflow_execution, "contents") == ["apple", "apple"]
    assert flow.history(cart.workflow_execution) == before


def test_a_query_before_any_decision_task_completed_is_a_query_error(flow: Flow) -> None:
    flow.workflow_worker(Cart, enter=False)  # registers the type; nobody polls its task list
    with workflow_starter(None, "us-east-1", flow.domain, TASK_LIST, client=flow.swf.client()):
        cart = Cart.run()
    with pytest.raises(QueryError, match=r"no completed decision task yet"):
        cart.contents()


def test_a_query_whose_replay_diverges_raises_nondeterminism_error(flow: Flow) -> None:
    worker = flow.workflow_worker(Cart)
    cart = Cart.run()
    flow.wait_for_event(cart.workflow_execution, "DecisionTaskCompleted")
    with pytest.raises(NondeterminismError, match=r"Shop\.price"):
        query_workflow(worker, CartRewritten, cart.workflow_execution, "contents")


def test_only_query_methods_of_the_executions_workflow_can_be_queried(flow: Flow) -> None:
    worker = flow.workflow_worker(Cart)
    cart = Cart.run()
    with pytest.raises(WorkflowDefinitionError, match=r"Cart\.add is not a @query method"):
        query_workflow(worker, Cart, cart.workflow_execution, "add")
    with pytest.raises(WorkflowDefinitionError, match=r"runs workflow Cart 1\.0, which Rounds does not"):
        query_workflow(worker, Rounds, cart.workflow_execution, "reached")


def test_a_query_follows_continue_as_new_to_the_newest_run(flow: Flow) -> None:
    flow.workflow_worker(Rounds)
    rounds = Rounds.run(0)

    def reached() -> int | None:
        try:
            return int(rounds.reached())
        except QueryError:  # the newest run's first decision task has not completed yet
            return None

    wait_until(lambda: reached() == 2, 10, "the third run's first decision task")
    first_run = flow.history(rounds.workflow_execution)
    assert first_run[-1]["eventType"] == "WorkflowExecutionContinuedAsNew"


class Rounds(WorkflowDefinition):
    @execute(version="1.0", execution_start_to_close_timeout=3600)
    def run(self, round_number: int) -> Any:
        self.round_number = round_number
        if round_number < 2:
            self.run(round_number + 1)
            return None
        yield Future()  # the last run waits for ever

    @query
    def reached(self) -> int:
        return self.round_number


def test_query_must_decorate_a_plain_method() -> None:
    with pytest.raises(WorkflowDefinitionError, match=r"must be a plain method"):

        class Waits(WorkflowDefinition):
            @query
            def wait(self) -> Any:
                yield Future()
