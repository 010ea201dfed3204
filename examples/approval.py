"""Signals and a human approval: an expense waits for a manager's decision, for two days at most.

    python examples/approval.py

A ``@signal`` method runs inside the workflow when SWF delivers the signal (a
WorkflowExecutionSignaled event); here it only records the decision. ``wait_condition`` waits
until the workflow's own state makes a predicate true — or until its timeout, an SWF timer,
fires. The first expense is approved by a signal sent from outside, the second rejected by a
signal sent with a plain botocore call (any SWF client can signal: the input is the JSON
``[args, kwargs]``); nobody answers the third, so after two days (of a ``VirtualClock``, moved
by hand) it is escalated.
"""

from __future__ import annotations

import time
from typing import Any

from awsflow import (
    ActivityWorker,
    WorkflowDefinition,
    WorkflowWorker,
    activities,
    activity,
    execute,
    signal,
    wait_condition,
)
from awsflow.local import LocalSWF, VirtualClock

DAY = 24 * 3600


@activities(schedule_to_start_timeout=60, start_to_close_timeout=60)
class Payments:
    @activity("1.0")
    def reimburse(self, employee: str, amount: int) -> str:
        return f"paid {amount} to {employee}"


class Expense(WorkflowDefinition):
    @execute(version="1.0", execution_start_to_close_timeout=7 * DAY)
    def submit(self, employee: str, amount: int) -> Any:
        self.verdict: tuple[str, str] | None = None  # (approved or rejected, by whom)
        decided = yield wait_condition(lambda: self.verdict is not None, timeout=2 * DAY)
        if not decided:
            return f"{employee}'s expense of {amount}: no answer in 2 days, escalated"
        verdict, manager = self.verdict
        if verdict == "rejected":
            return f"{employee}'s expense of {amount}: rejected by {manager}"
        paid = yield Payments.reimburse(employee, amount)
        return f"{employee}'s expense of {amount}: approved by {manager}, {paid}"

    @signal()
    def approve(self, manager: str) -> None:
        self.verdict = ("approved", manager)

    @signal()
    def reject(self, manager: str) -> None:
        self.verdict = ("rejected", manager)


def history(client: Any, execution: Any) -> list[dict[str, Any]]:
    request = {
        "domain": "expenses",
        "execution": {"workflowId": execution.workflow_id, "runId": execution.run_id},
    }
    events: list[dict[str, Any]] = client.get_workflow_execution_history(**request)["events"]
    return events


def wait_for_event(client: Any, execution: Any, kind: str) -> None:
    """Return once the execution's history holds an event of ``kind`` (10 s at most)."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if any(event["eventType"] == kind for event in history(client, execution)):
            return
        time.sleep(0.02)
    raise TimeoutError(f"no {kind} event in 10 s")


def show_history(client: Any, execution: Any) -> None:
    for event in history(client, execution):
        kind = event["eventType"]
        attributes = event.get(kind[0].lower() + kind[1:] + "EventAttributes", {})
        if kind == "WorkflowExecutionSignaled":
            print(f"  {kind:26} signalName={attributes['signalName']} input={attributes['input']}")
        elif kind in ("TimerStarted", "TimerCanceled", "TimerFired"):
            print(f"  {kind:26} timerId={attributes['timerId']}")
        elif kind in ("ActivityTaskScheduled", "WorkflowExecutionCompleted"):
            print(f"  {kind}")


def main() -> None:
    clock = VirtualClock()
    with LocalSWF(clock=clock) as swf:
        client = swf.client()
        client.register_domain(name="expenses", workflowExecutionRetentionPeriodInDays="1")
        with (
            WorkflowWorker(None, "us-east-1", "expenses", "expenses", Expense, client=client),
            ActivityWorker(None, "us-east-1", "expenses", "expenses", Payments(), client=client),
        ):
            approved = Expense.submit("ada", 120)
            wait_for_event(client, approved.workflow_execution, "TimerStarted")  # it waits now
            approved.approve("grace")  # outside workflow code, a @signal method sends the signal
            print(approved.wait_for_completion(timeout=30))
            show_history(client, approved.workflow_execution)

            rejected = Expense.submit("edsger", 75)
            wait_for_event(client, rejected.workflow_execution, "TimerStarted")
            client.signal_workflow_execution(  # any SWF client can signal: input is [args, kwargs]
                domain="expenses",
                workflowId=rejected.workflow_execution.workflow_id,
                signalName="reject",
                input='[["barbara"], {}]',
            )
            print(rejected.wait_for_completion(timeout=30))

            ignored = Expense.submit("alan", 4000)
            wait_for_event(client, ignored.workflow_execution, "TimerStarted")
            clock.advance(2 * DAY)
            print(ignored.wait_for_completion(timeout=30))
            show_history(client, ignored.workflow_execution)


if __name__ == "__main__":
    main()
