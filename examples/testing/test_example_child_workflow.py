"""A parent that ships each parcel in a child workflow; each child waits a day for the courier."""

from __future__ import annotations

from example_workflows import DAY, Order, ShipParcel

from awsflow.testing import WorkflowEnvironment


def test_each_parcel_ships_in_a_child_a_day_apart(swf_env: WorkflowEnvironment) -> None:
    swf_env.start_workers(Order, ShipParcel)
    started = swf_env.now()
    handle = swf_env.start(Order.place, ["book", "lamp"], workflow_id="order-7")
    assert handle.result() == ["book shipped", "lamp shipped"]
    assert swf_env.now() - started == 2 * DAY
    children = [
        e["childWorkflowExecutionStartedEventAttributes"]["workflowExecution"]["workflowId"]
        for e in swf_env.history(handle)
        if e["eventType"] == "ChildWorkflowExecutionStarted"
    ]
    assert children == ["order-7-book", "order-7-lamp"]
