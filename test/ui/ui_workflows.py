"""The workflow the web timeline is tested with: parallel activities, a retried one, a timer, a signal.

The activities move the service's virtual clock forward while they run (``CLOCK``, set by the
test), so their bars have a length on the page; nothing else depends on it.
"""

from __future__ import annotations

from typing import Any

from awsflow import RetryPolicy, WorkflowDefinition, activities, activity, execute, signal, workflow_time
from awsflow.core import AllFuture
from awsflow.local import VirtualClock

TASK_LIST = "ui"
CLOCK: list[VirtualClock] = []  # the test's clock, while it runs
charge_failures: dict[str, int] = {}


def _take(seconds: float) -> None:
    for clock in CLOCK:
        clock.advance(seconds)


@activities(schedule_to_start_timeout=60, start_to_close_timeout=60)
class Warehouse:
    @activity("1.0")
    def pack(self, order: str) -> str:
        _take(3)
        return f"{order} packed"

    @activity("1.0")
    def label(self, order: str) -> str:
        _take(2)
        return f"{order} labelled"

    @activity("1.0", retry_policy=RetryPolicy(initial_interval=10, maximum_attempts=3))
    def charge(self, order: str) -> dict[str, Any]:
        _take(1)
        if charge_failures.get(order, 0) > 0:
            charge_failures[order] -= 1
            raise ConnectionError(f"payment gateway down for {order}")
        return {"order": order, "charged": 42}

    @activity("1.0")
    def notify(self, order: str, notes: list[str]) -> str:
        return f"{order} shipped ({', '.join(notes) or 'no notes'})"


class Fulfil(WorkflowDefinition):
    """Packs, labels and charges at once (the charge retried), waits a day's minute, notifies."""

    def __init__(self, workflow_execution: Any = None) -> None:
        super().__init__(workflow_execution)
        self.notes: list[str] = []

    @execute(version="1.0", execution_start_to_close_timeout=3600, task_start_to_close_timeout=60)
    def run(self, order: str) -> Any:
        yield AllFuture(Warehouse.pack(order), Warehouse.label(order), Warehouse.charge(order))
        yield workflow_time.sleep(30)
        return (yield Warehouse.notify(order, self.notes))

    @signal()
    def note(self, text: str) -> None:
        self.notes.append(text)
