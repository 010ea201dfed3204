"""Versioning: change a workflow's code while executions of it are open, on the embedded awsflow.local.

    python examples/versioning.py

An order waits for approval, then ships. Version 2 adds a fraud check before the wait, behind
``awsflow.patched("fraud-check")``: the order started on version 1 keeps its old path when the
version 2 workers replay it, while new orders take the new one. Version 3 is the cleanup: the
check is unconditional and ``awsflow.deprecate_patch`` lets it replay orders version 2 started.
All three are the same workflow type (``Order`` 1.0): a deploy swaps the code, not the type.

Each order's status is read with a ``@query``: the history is replayed in this process and
nothing is written to it.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import awsflow
from awsflow import (
    ActivityWorker,
    Future,
    WorkflowDefinition,
    WorkflowWorker,
    activities,
    activity,
    execute,
    query,
    query_workflow,
    signal,
    workflow,
)
from awsflow.exceptions import QueryError
from awsflow.local import LocalSWF

DOMAIN, TASK_LIST = "domain1", "orders"


@activities(schedule_to_start_timeout=60, start_to_close_timeout=60)
class OrderActivities:
    @activity("1.0")
    def check_fraud(self, order_id: str) -> str:
        return f"{order_id}: no fraud"

    @activity("1.0")
    def ship(self, order_id: str) -> str:
        return f"{order_id}: shipped"


class OrderBase(WorkflowDefinition):
    """What every version shares: the approval signal and the status query."""

    steps: list[str]
    status = "starting"

    def wait_for_approval(self) -> Any:
        self.status = "waiting for approval"
        self.approved = Future()
        return self.approved

    @signal()
    def approve(self) -> None:
        self.approved.set_result(None)

    @query
    def current_status(self) -> str:
        return f"{self.status} (steps so far: {self.steps})"


@workflow(name="Order")
class OrderV1(OrderBase):
    @execute(version="1.0", execution_start_to_close_timeout=3600)
    def place(self, order_id: str) -> Any:
        self.steps = []
        yield self.wait_for_approval()
        self.steps.append((yield OrderActivities.ship(order_id)))
        self.status = "done"
        return self.steps


@workflow(name="Order")
class OrderV2(OrderBase):
    @execute(version="1.0", execution_start_to_close_timeout=3600)
    def place(self, order_id: str) -> Any:
        self.steps = []
        if awsflow.patched("fraud-check"):  # new orders; orders past this point keep the old path
            self.status = "checking for fraud"
            self.steps.append((yield OrderActivities.check_fraud(order_id)))
        yield self.wait_for_approval()
        self.steps.append((yield OrderActivities.ship(order_id)))
        self.status = "done"
        return self.steps


@workflow(name="Order")
class OrderV3(OrderBase):
    @execute(version="1.0", execution_start_to_close_timeout=3600)
    def place(self, order_id: str) -> Any:
        self.steps = []
        awsflow.deprecate_patch("fraud-check")  # no order takes the old path any more
        self.status = "checking for fraud"
        self.steps.append((yield OrderActivities.check_fraud(order_id)))
        yield self.wait_for_approval()
        self.steps.append((yield OrderActivities.ship(order_id)))
        self.status = "done"
        return self.steps


def wait_for(condition: Callable[[], bool], what: str, timeout: float = 30.0) -> None:
    """Poll ``condition`` until it holds (the workers run in background threads)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"gave up waiting for {what}")
        threading.Event().wait(0.02)


def waiting(order: Any) -> bool:
    """Has the order reached its approval wait? (asked with its status query)"""
    try:
        return str(order.current_status()).startswith("waiting for approval")
    except QueryError:  # no decision task of the order has completed yet
        return False


def main() -> None:
    with LocalSWF() as swf:
        client = swf.client()
        client.register_domain(name=DOMAIN, workflowExecutionRetentionPeriodInDays="1")

        def workflow_worker(definition: type) -> WorkflowWorker:
            return WorkflowWorker(None, "us-east-1", DOMAIN, TASK_LIST, definition, client=client)

        with ActivityWorker(None, "us-east-1", DOMAIN, TASK_LIST, OrderActivities(), client=client):
            with workflow_worker(OrderV1):
                first = OrderV1.place("order-1")
                wait_for(lambda: waiting(first), "order-1 to wait for approval")
                print("v1 running; order-1:", first.current_status(), flush=True)

            with workflow_worker(OrderV2) as v2:  # the deploy: order-1 is still open
                second = OrderV2.place("order-2")
                third = OrderV2.place("order-3")
                wait_for(lambda: waiting(second) and waiting(third), "orders 2 and 3 to wait")
                # The new code reads the old order's history and answers as the old code did.
                status = query_workflow(v2, OrderV2, first.workflow_execution, "current_status")
                print("v2 deployed; order-1:", status, flush=True)
                print("v2 deployed; order-2:", second.current_status(), flush=True)
                first.approve()
                second.approve()
                print("order-1 done:", first.wait_for_completion(timeout=30), flush=True)
                print("order-2 done:", second.wait_for_completion(timeout=30), flush=True)

            with workflow_worker(OrderV3):  # the cleanup: order-3 (started on v2) is still open
                fourth = OrderV3.place("order-4")
                wait_for(lambda: waiting(fourth), "order-4 to wait for approval")
                third.approve()
                fourth.approve()
                print("order-3 done:", third.wait_for_completion(timeout=30), flush=True)
                print("order-4 done:", fourth.wait_for_completion(timeout=30), flush=True)


if __name__ == "__main__":
    main()
