"""Child workflows: an order ships each parcel in a workflow of its own, all in parallel.

    python examples/child_workflows.py

Calling another workflow's ``@execute`` method from workflow code starts a child execution
(StartChildWorkflowExecution). ``child = yield Shipment.ship(...)`` waits until SWF has started
it and gives the child's instance; ``yield child.workflow_result`` waits for its result — or
raises ``ChildWorkflowFailedError`` when it failed. Starting every child before waiting for any
runs them in parallel. ``workflow_options(workflow_id=...)`` gives a child a meaningful id.
"""

from __future__ import annotations

from typing import Any

from awsflow import (
    ActivityWorker,
    WorkflowDefinition,
    WorkflowWorker,
    activities,
    activity,
    execute,
    workflow_options,
)
from awsflow.exceptions import ChildWorkflowFailedError
from awsflow.local import LocalSWF


@activities(schedule_to_start_timeout=60, start_to_close_timeout=60)
class Courier:
    @activity("1.0")
    def book(self, parcel: str) -> str:
        if parcel == "piano":
            raise ValueError("pianos need a special courier")
        return f"{parcel}: tracking number TN-{sum(map(ord, parcel))}"


class Shipment(WorkflowDefinition):
    @execute(version="1.0", execution_start_to_close_timeout=3600)
    def ship(self, parcel: str) -> Any:
        return (yield Courier.book(parcel))


class Order(WorkflowDefinition):
    @execute(version="1.0", execution_start_to_close_timeout=3600)
    def place(self, order_id: str, parcels: list[str]) -> Any:
        children = []
        for parcel in parcels:  # start them all: they run in parallel
            with workflow_options(workflow_id=f"{order_id}-{parcel}"):
                child = yield Shipment.ship(parcel)
            children.append(child)
        lines = []
        for parcel, child in zip(parcels, children, strict=True):
            try:
                lines.append((yield child.workflow_result))
            except ChildWorkflowFailedError as error:
                lines.append(f"{parcel}: not shipped ({error.cause})")
        return lines


def main() -> None:
    with LocalSWF() as swf:
        client = swf.client()
        client.register_domain(name="orders", workflowExecutionRetentionPeriodInDays="1")
        with (
            WorkflowWorker(None, "us-east-1", "orders", "orders", Order, Shipment, client=client),
            ActivityWorker(None, "us-east-1", "orders", "orders", Courier(), client=client),
        ):
            order = Order.place("order-7", ["book", "lamp", "piano"])
            for line in order.wait_for_completion(timeout=30):
                print(line)
            execution = order.workflow_execution
            request = {"workflowId": execution.workflow_id, "runId": execution.run_id}
            events = client.get_workflow_execution_history(domain="orders", execution=request)["events"]
            by_child: dict[str, list[str]] = {}  # the children ran in parallel: their events interleave
            for event in events:
                kind = event["eventType"]
                if kind.startswith(("StartChild", "ChildWorkflow")):
                    attributes = event[kind[0].lower() + kind[1:] + "EventAttributes"]
                    child_id = attributes.get("workflowId") or attributes["workflowExecution"]["workflowId"]
                    by_child.setdefault(child_id, []).append(kind)
            for child_id, kinds in by_child.items():
                print(f"  {child_id}: {', '.join(kinds)}")


if __name__ == "__main__":
    main()
