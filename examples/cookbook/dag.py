"""A DAG of tasks: A and B in parallel, C with both results, a timer, a flaky step, a child.

    python examples/cookbook/dag.py

A daily report: the sales and the costs are fetched in parallel (A, B); the margin is computed
from both (C); the report waits an hour for late corrections (a durable timer); publishing
fails twice before it succeeds (a retry policy); then a child workflow packs the report's
attachments, driven by the parent's signals: one ``add`` per file, then ``seal``.

It runs on an in-process awsflow.local whose clock skips ahead whenever nothing is running,
so the hour and the retries' backoff take no real time.
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
    signal,
    wait_condition,
    workflow_options,
    workflow_time,
)
from awsflow.core import AllFuture
from awsflow.testing import WorkflowEnvironment

HOUR = 3600


class PortalBusy(Exception):
    """The publishing portal answered 503: worth another try."""


@activities(schedule_to_start_timeout=60, start_to_close_timeout=60)
class Books:
    @activity("1.0")
    def sales(self, day: str) -> int:
        return 1250

    @activity("1.0")
    def costs(self, day: str) -> int:
        return 900

    @activity("1.0")
    def margin(self, sales: int, costs: int) -> float:
        return round((sales - costs) / sales, 3)

    @activity("1.0", retry_policy=RetryPolicy(initial_interval=30, maximum_attempts=5))
    def publish(self, day: str, margin: float) -> str:
        attempt = get_context().attempt
        if attempt < 3:
            raise PortalBusy(f"portal busy (attempt {attempt})")
        return f"report-{day}.pdf (published on attempt {attempt})"


class Bundle(WorkflowDefinition):
    """The child: collects files until sealed; its state changes only through signals."""

    @execute(version="1.0", execution_start_to_close_timeout=HOUR)
    def pack(self, name: str) -> Any:
        self.files: list[str] = []
        self.sealed = False
        yield wait_condition(lambda: self.sealed)
        return f"{name}.zip [{', '.join(self.files)}]"

    @signal()
    def add(self, file: str) -> None:
        self.files.append(file)

    @signal()
    def seal(self) -> None:
        self.sealed = True


class DailyReport(WorkflowDefinition):
    @execute(version="1.0", execution_start_to_close_timeout=24 * HOUR)
    def build(self, day: str) -> Any:
        sales, costs = yield AllFuture(Books.sales(day), Books.costs(day))  # A and B at once
        margin = yield Books.margin(sales, costs)  # C, once both are in
        yield workflow_time.sleep(HOUR)  # late corrections
        report = yield Books.publish(day, margin)  # retried by its policy
        with workflow_options(workflow_id=f"{self.workflow_execution.workflow_id}-bundle"):
            bundle = yield Bundle.pack(f"report-{day}")  # started: a handle on the child
        for file in ("sales.csv", "costs.csv"):
            yield bundle.add(file)  # a signal to the child, from workflow code
        yield bundle.seal()
        packed = yield bundle.workflow_result
        return f"margin {margin:.1%}; {report}; {packed}"


def describe(event: dict[str, Any]) -> str | None:
    """One line for each step the workflow took, read from its history; None for the rest."""
    kind = event["eventType"]
    attributes = event.get(kind[0].lower() + kind[1:] + "EventAttributes", {})
    if kind == "ActivityTaskScheduled":
        return f"{kind:25} {attributes['activityType']['name']:14} id={attributes['activityId']}"
    if kind == "TimerStarted":
        return f"{kind:25} {'':14} id={attributes['timerId']} wait={attributes['startToFireTimeout']}s"
    if kind == "StartChildWorkflowExecutionInitiated":
        return (
            f"{'StartChildWorkflow':25} {attributes['workflowType']['name']:14} id={attributes['workflowId']}"
        )
    if kind == "SignalExternalWorkflowExecutionInitiated":
        return f"{'SignalExternalWorkflow':25} {attributes['signalName']}"
    return None


def main() -> None:
    with WorkflowEnvironment() as env:
        env.start_workers(DailyReport, Bundle, Books())
        started = env.now()
        handle = env.start(DailyReport.build, "2024-05-01", workflow_id="report-2024-05-01")
        print(handle.result())
        print(f"took {(env.now() - started) / 60:.0f} minutes of workflow time")
        for event in env.history(handle):
            line = describe(event)
            if line is not None:
                print("  " + line)


if __name__ == "__main__":
    main()
