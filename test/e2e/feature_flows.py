"""Workflows of the end-to-end tests of awsflow's own features (beyond botoflow's)."""

from __future__ import annotations

import asyncio
from typing import Any

from flows import PaymentDeclined, Shop

import awsflow
from awsflow import WorkflowDefinition, activities, activity, execute, signal, workflow_time
from awsflow.core import AllFuture
from awsflow.exceptions import (
    ActivityTaskFailedError,
    RequestCancelExternalWorkflowExecutionFailedError,
    SignalExternalWorkflowExecutionFailedError,
)


class AsyncPurchase(WorkflowDefinition):
    """flows.Purchase written with ``async def``."""

    @execute(version="1.0", execution_start_to_close_timeout=600)
    async def buy(self, item: str, quantity: int) -> Any:
        amount = await Shop.price(item, quantity=quantity)
        try:
            return await Shop.charge(amount)
        except ActivityTaskFailedError as error:
            raise error.cause from None


class AsyncGather(WorkflowDefinition):
    """Reaches for asyncio.gather where awsflow's AllFuture belongs."""

    @execute(version="1.0", execution_start_to_close_timeout=600)
    async def run(self, items: list[str]) -> Any:
        return await asyncio.gather(*[Shop.price(item) for item in items])


class AsyncBasket(WorkflowDefinition):
    """Parallel activities, a durable timer and a signal, in ``async def`` code."""

    @execute(version="1.0", execution_start_to_close_timeout=7 * 86_400)
    async def run(self, items: list[str]) -> Any:
        self.coupon = ""
        prices = await AllFuture(*[Shop.price(item) for item in items])
        started = workflow_time.time()
        await workflow_time.sleep(3600)
        waited = workflow_time.time() - started
        await awsflow.wait_condition(lambda: bool(self.coupon))
        return [sum(prices), waited, self.coupon]

    @signal()
    async def apply_coupon(self, code: str) -> None:
        self.coupon = code


class Approval(WorkflowDefinition):
    @execute(version="1.0", execution_start_to_close_timeout=7 * 86_400)
    def run(self, needed: int, timeout: float | None) -> Any:
        self.approvers: list[str] = []
        met = yield awsflow.wait_condition(lambda: len(self.approvers) >= needed, timeout=timeout)
        return [met, self.approvers]

    @signal()
    def approve(self, who: str) -> None:
        self.approvers.append(who)


class Messenger(WorkflowDefinition):
    """Signals or cancels an execution it did not start, by workflow id (and run id)."""

    @execute(version="1.0", execution_start_to_close_timeout=600)
    def run(self, workflow_id: str, run_id: str | None, action: str) -> Any:
        other = awsflow.ExternalWorkflow(workflow_id, run_id)
        try:
            if action == "signal":
                yield other.signal("approve", "messenger")
            else:
                yield other.request_cancel()
        except (
            SignalExternalWorkflowExecutionFailedError,
            RequestCancelExternalWorkflowExecutionFailedError,
        ) as e:
            return [type(e).__name__, e.cause]
        return "delivered"


class Marathon(WorkflowDefinition):
    """Fires 0-second timers in rounds of 99 until its history nears the cap, then continues as new."""

    @execute(version="1.0", execution_start_to_close_timeout=86_400)
    def run(self, run_number: int, budget: int) -> Any:
        rounds = 0
        while awsflow.history_length() < budget:
            yield AllFuture(*[workflow_time.sleep(0) for _ in range(99)])
            rounds += 1
        if run_number == 1:
            awsflow.continue_as_new(run_number + 1, budget)
            return None
        return [run_number, rounds, awsflow.history_length()]


@activities(schedule_to_start_timeout=60, start_to_close_timeout=60)
class Measure:
    @activity("1.0")
    def length(self, text: str) -> int:
        return len(text)


class Bulky(WorkflowDefinition):
    """Sends n activity inputs of ``size`` characters in one step."""

    @execute(version="1.0", execution_start_to_close_timeout=600)
    def run(self, n: int, size: int) -> Any:
        lengths = yield AllFuture(*[Measure.length(f"{i:03d}" + "x" * size) for i in range(n)])
        return sum(lengths)


class Wide(WorkflowDefinition):
    @execute(version="1.0", execution_start_to_close_timeout=600)
    def run(self, n: int) -> Any:
        prices = yield AllFuture(*[Shop.price("apple", quantity=i) for i in range(n)])
        return sum(prices)


__all__ = ["Approval", "AsyncBasket", "AsyncPurchase", "Marathon", "Messenger", "PaymentDeclined", "Wide"]
