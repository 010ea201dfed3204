"""A human approval with a timeout: remind, escalate, and give up.

    python examples/cookbook/approval_timeout.py

A purchase request waits for a manager's decision, sent as a signal. After a day without one,
the manager is reminded and the request escalates to a director, who may decide within one
more day; after that the request closes unapproved. The request's status can be read at any
time with a query. Three requests show the three endings; the clock is virtual, so the two days
take no time.
"""

from __future__ import annotations

from typing import Any

from awsflow import WorkflowDefinition, activities, activity, execute, query, signal, wait_condition
from awsflow.testing import WorkflowEnvironment

HOUR = 3600
DAY = 24 * HOUR


@activities(schedule_to_start_timeout=300, start_to_close_timeout=60)
class Office:
    @activity("1.0")
    def notify(self, who: str, message: str) -> None:
        print(f"    (mail to {who}: {message})")

    @activity("1.0")
    def order(self, item: str, amount: int) -> str:
        return f"PO-{item.replace(' ', '-')}-{amount}"


class PurchaseRequest(WorkflowDefinition):
    @execute(version="1.0", execution_start_to_close_timeout=7 * DAY)
    def submit(self, item: str, amount: int) -> Any:
        self.decision: tuple[str, str] | None = None  # (verdict, by whom)
        self.status = "waiting for the manager"
        yield Office.notify("manager", f"please approve {item} ({amount})")
        decided = yield wait_condition(lambda: self.decision is not None, timeout=DAY)
        if not decided:  # a day passed: remind, and escalate
            self.status = "waiting for the director"
            yield Office.notify("manager", f"reminder: {item} is waiting; escalated to the director")
            yield Office.notify("director", f"please approve {item} ({amount})")
            decided = yield wait_condition(lambda: self.decision is not None, timeout=DAY)
        if not decided:
            self.status = "expired"
            return f"{item}: no decision in 2 days, closed"
        verdict, by = self.decision
        self.status = f"{verdict} by {by}"
        if verdict == "rejected":
            return f"{item}: rejected by {by}"
        purchase_order = yield Office.order(item, amount)
        return f"{item}: approved by {by}, ordered as {purchase_order}"

    @signal()
    def approve(self, by: str) -> None:
        self.decision = self.decision or ("approved", by)  # the first decision wins

    @signal()
    def reject(self, by: str) -> None:
        self.decision = self.decision or ("rejected", by)

    @query
    def current_status(self) -> str:
        return self.status


def main() -> None:
    with WorkflowEnvironment() as env:
        env.start_workers(PurchaseRequest, Office())

        def submitted(item: str, amount: int) -> Any:
            print(f"{item}:")
            return env.start(PurchaseRequest.submit, item, amount, workflow_id=f"purchase-{item}")

        laptop = submitted("laptop", 1800)
        start = env.now()
        env.sleep(3 * HOUR)  # the manager answers after three hours
        laptop.signal("approve", "grace")
        print(f"  {laptop.result()} after {(env.now() - start) / HOUR:.0f} hours")

        desk = submitted("standing desk", 700)
        start = env.now()
        env.sleep(30 * HOUR)  # past the first day: escalated
        print(f"  status after 30 hours: {desk.query('current_status')}")
        desk.signal("reject", "barbara")
        print(f"  {desk.result()} after {(env.now() - start) / HOUR:.0f} hours")

        boat = submitted("sailing boat", 90000)
        start = env.now()
        print(f"  {boat.result()} after {(env.now() - start) / HOUR:.0f} hours")
        print(f"  status: {boat.query('current_status')}")


if __name__ == "__main__":
    main()
