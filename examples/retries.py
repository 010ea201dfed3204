"""Retry policies: a flaky activity retried with exponential backoff on durable SWF timers.

    python examples/retries.py

The payment gateway fails twice, then accepts: the workflow sees only the success. A declined
card is not retried (``non_retryable``): the workflow sees that error at once. The history shows
each attempt as its own activity (``<n>-attempt-<k>``) and each wait as a timer
(``<n>-backoff-<k>``): a workflow worker that crashes mid-wait resumes from there. Runs on the
embedded awsflow.local in about three seconds (the waits are 1 s and 2 s of real time).
"""

from __future__ import annotations

from typing import Any

from awsflow import (
    ActivityWorker,
    RetryPolicy,
    WorkflowDefinition,
    WorkflowWorker,
    activities,
    activity,
    execute,
)
from awsflow.exceptions import ActivityTaskFailedError
from awsflow.local import LocalSWF


class CardDeclined(Exception):
    """The bank said no: retrying will not change its mind."""


PAYMENTS = RetryPolicy(
    initial_interval=1, backoff_coefficient=2, maximum_attempts=5, non_retryable=(CardDeclined,)
)


@activities(schedule_to_start_timeout=60, start_to_close_timeout=60)
class PaymentGateway:
    calls = 0

    @activity("1.0", retry_policy=PAYMENTS)
    def charge(self, card: str, amount: int) -> str:
        PaymentGateway.calls += 1
        if card == "stolen":
            raise CardDeclined(f"card {card} declined")
        if PaymentGateway.calls <= 2:
            raise ConnectionError(f"gateway timeout (call {PaymentGateway.calls})")
        return f"charged {amount} to {card}"


class Checkout(WorkflowDefinition):
    @execute(version="1.0", execution_start_to_close_timeout=300)
    def run(self, card: str, amount: int) -> Any:
        try:
            return (yield PaymentGateway.charge(card, amount))
        except ActivityTaskFailedError as error:
            return f"payment failed after {error.attempts} attempt(s): {error.cause}"


def show_history(client: Any, domain: str, execution: Any) -> None:
    history = client.get_workflow_execution_history(
        domain=domain, execution={"workflowId": execution.workflow_id, "runId": execution.run_id}
    )
    for event in history["events"]:
        kind = event["eventType"]
        attributes = event.get(kind[0].lower() + kind[1:] + "EventAttributes", {})
        if kind == "ActivityTaskScheduled":
            print(f"  {kind:22} activityId={attributes['activityId']}")
        elif kind == "TimerStarted":
            print(f"  {kind:22} timerId={attributes['timerId']} wait={attributes['startToFireTimeout']}s")
        elif kind in ("ActivityTaskFailed", "TimerFired", "ActivityTaskCompleted"):
            print(f"  {kind}")


def main() -> None:
    with LocalSWF() as swf:
        client = swf.client()
        client.register_domain(name="retries", workflowExecutionRetentionPeriodInDays="1")
        with (
            WorkflowWorker(None, "us-east-1", "retries", "payments", Checkout, client=client),
            ActivityWorker(None, "us-east-1", "retries", "payments", PaymentGateway(), client=client),
        ):
            for card in ("4111-1111", "stolen"):
                instance = Checkout.run(card, 42)
                print(f"{card}: {instance.wait_for_completion(timeout=60)}")
                show_history(client, "retries", instance.workflow_execution)


if __name__ == "__main__":
    main()
