"""The workflows and activities the example tests in this folder test.

In a project of your own this is your application's code; the ``test_example_*.py`` files
beside it are the tests you would write for it with ``awsflow.testing``.
"""

from __future__ import annotations

from typing import Any

from awsflow import (
    RetryPolicy,
    WorkflowDefinition,
    activities,
    activity,
    execute,
    get_context,
    query,
    signal,
    wait_condition,
    workflow_options,
    workflow_time,
)
from awsflow.exceptions import ActivityTaskFailedError

DAY = 86_400


# -- hello world ----------------------------------------------------------------------------------
@activities(schedule_to_start_timeout=60, start_to_close_timeout=60)
class GreetingActivities:
    @activity("1.0")
    def get_name(self) -> str:
        return "World"

    @activity("1.0")
    def greet(self, greeting: str, name: str) -> str:
        return f"{greeting}, {name}!"


class HelloWorkflow(WorkflowDefinition):
    @execute(version="1.0", execution_start_to_close_timeout=60)
    def hello(self, greeting: str) -> Any:
        name = yield GreetingActivities.get_name()
        return (yield GreetingActivities.greet(greeting, name))


# -- a 30-day timer, then a flaky activity retried an hour later -----------------------------------
class BillingGatewayDown(Exception):
    """The payment gateway did not answer."""


@activities(schedule_to_start_timeout=60, start_to_close_timeout=60)
class BillingActivities:
    @activity("1.0", retry_policy=RetryPolicy(initial_interval=3600, maximum_attempts=3))
    def charge(self, customer: str) -> str:
        attempt = get_context().attempt
        if attempt == 1:
            raise BillingGatewayDown(f"no answer charging {customer}")
        return f"charged {customer} on attempt {attempt}"


class MonthlyBilling(WorkflowDefinition):
    @execute(version="1.0", execution_start_to_close_timeout=60 * DAY)
    def bill(self, customer: str) -> Any:
        yield workflow_time.sleep(30 * DAY)
        return (yield BillingActivities.charge(customer))


# -- a retrying activity ----------------------------------------------------------------------------
class CardDeclined(Exception):
    """The bank said no: retrying will not change its mind."""


PAYMENTS = RetryPolicy(
    initial_interval=10, backoff_coefficient=2, maximum_attempts=4, non_retryable=(CardDeclined,)
)


@activities(schedule_to_start_timeout=60, start_to_close_timeout=60)
class PaymentActivities:
    @activity("1.0", retry_policy=PAYMENTS)
    def pay(self, card: str, amount: int) -> str:
        if card == "stolen":
            raise CardDeclined(f"card {card} declined")
        if get_context().attempt < 3:
            raise ConnectionError("gateway timeout")
        return f"paid {amount} with {card}"


class Checkout(WorkflowDefinition):
    @execute(version="1.0", execution_start_to_close_timeout=3600)
    def buy(self, card: str, amount: int) -> Any:
        try:
            return (yield PaymentActivities.pay(card, amount))
        except ActivityTaskFailedError as error:
            return f"payment failed: {error.cause}"


# -- a signal-driven approval ------------------------------------------------------------------------
@activities(schedule_to_start_timeout=60, start_to_close_timeout=60)
class PublishingActivities:
    @activity("1.0")
    def publish(self, document: str) -> str:
        return f"{document} published"


class Approval(WorkflowDefinition):
    """Publishes a document once a reviewer approves it; gives up after two days."""

    @execute(version="1.0", execution_start_to_close_timeout=7 * DAY)
    def review(self, document: str) -> Any:
        self.decision: str | None = None
        decided = yield wait_condition(lambda: self.decision is not None, timeout=2 * DAY)
        if not decided:
            return f"{document} expired unreviewed"
        if self.decision == "reject":
            return f"{document} rejected"
        return (yield PublishingActivities.publish(document))

    @signal()
    def approve(self) -> None:
        self.decision = "approve"

    @signal()
    def reject(self) -> None:
        self.decision = "reject"

    @query
    def status(self) -> str:
        return self.decision or "waiting"


# -- activities that heartbeat ------------------------------------------------------------------------
@activities(schedule_to_start_timeout=60, start_to_close_timeout=3600, heartbeat_timeout=60)
class ArchiveActivities:
    @activity("1.0")
    def copy_files(self, names: list[str]) -> int:
        """Copies the files one by one, reporting progress; stops cleanly when canceled."""
        copied = 0
        for name in names:
            get_context().heartbeat(f"{copied}/{len(names)}: {name}")  # raises once canceled
            copied += 1
        return copied

    @activity("1.0")
    def compress(self, names: list[str]) -> Any:
        """A generator activity: each ``yield`` heartbeats with its value."""
        done = []
        try:
            for name in names:
                yield {"compressing": name}
                done.append(f"{name}.gz")
        finally:
            self.cleaned_up = True  # runs when a cancel is thrown in at a yield too
        return done


# -- a child workflow ---------------------------------------------------------------------------------
class ShipParcel(WorkflowDefinition):
    @execute(version="1.0", execution_start_to_close_timeout=7 * DAY)
    def ship(self, parcel: str) -> Any:
        yield workflow_time.sleep(DAY)  # the courier comes tomorrow
        return f"{parcel} shipped"


class Order(WorkflowDefinition):
    @execute(version="1.0", execution_start_to_close_timeout=7 * DAY)
    def place(self, parcels: list[str]) -> Any:
        shipped = []
        for parcel in parcels:
            with workflow_options(workflow_id=f"{self.workflow_execution.workflow_id}-{parcel}"):
                child = yield ShipParcel.ship(parcel)
            shipped.append((yield child.workflow_result))
        return shipped
