"""WorkflowTestingContext is a WorkflowRuntime: workflow code under test calls it as it calls a replay."""

from __future__ import annotations

from typing import Any
from unittest import mock

import pytest

from awsflow import WorkflowDefinition, activities, activity, execute, workflow_time
from awsflow.context import DecisionContext, get_context
from awsflow.core import Future
from awsflow.exceptions import NotInWorkflowError
from awsflow.test import WorkflowTestingContext


@activities(schedule_to_start_timeout=60, start_to_close_timeout=60)
class Prices:
    @activity("1.0")
    def price(self, item: str) -> float:
        raise NotImplementedError("the real one calls a service")


class Basket(WorkflowDefinition):
    @execute(version="1.0", execution_start_to_close_timeout=60)
    def total(self, *items: str) -> Any:
        prices = yield [Prices.price(item) for item in items]
        return sum(prices)


class Napping(WorkflowDefinition):
    @execute(version="1.0", execution_start_to_close_timeout=60)
    def run(self) -> Any:
        yield workflow_time.sleep(5)


def test_the_testing_context_is_the_decision_context_and_its_own_runtime() -> None:
    with WorkflowTestingContext() as context:
        assert get_context() is context
        assert isinstance(context, DecisionContext) and context.runtime is context
        assert not context.runtime.is_replaying()


def test_an_activity_patched_inside_the_block_is_the_stub_the_workflow_calls() -> None:
    stubbed: dict[str, Future] = {"apple": Future(), "pear": Future()}
    with WorkflowTestingContext() as context, mock.patch.object(Prices, "price", lambda item: stubbed[item]):
        result = Basket(None).total("apple", "pear")
        context.execute_all_tasks()
        stubbed["apple"].set_result(1.5)
        stubbed["pear"].set_result(2.0)
    assert result.result() == 3.5


def test_a_timer_under_the_testing_context_asks_for_a_stub_naming_the_helper() -> None:
    with WorkflowTestingContext():
        future = Napping(None).run()
    with pytest.raises(NotInWorkflowError, match=r"workflow_time\.sleep needs a workflow execution.*Stub it"):
        future.result()
