"""Continue-as-new: a long job that starts afresh every 10 items, so its history stays short.

    python examples/continue_as_new.py

SWF ends a run whose history reaches 25,000 events. A workflow that loops for ever (a
subscription, a poller) or over many items calls ``continue_as_new(*args)``: when its code
returns, the run closes as continued-as-new and SWF starts a new run — same workflow id, a new
run id, an empty history — with those arguments as input. The state it needs is passed along as
arguments. ``wait_for_completion`` follows the chain to the last run's result.
"""

from __future__ import annotations

from typing import Any

from awsflow import (
    ActivityWorker,
    WorkflowDefinition,
    WorkflowWorker,
    activities,
    activity,
    continue_as_new,
    execute,
    workflow_options,
)
from awsflow.local import LocalSWF

BATCH = 10


@activities(schedule_to_start_timeout=60, start_to_close_timeout=60)
class Meter:
    @activity("1.0")
    def read(self, index: int) -> int:
        return index * index


class SumOfSquares(WorkflowDefinition):
    @execute(version="1.0", execution_start_to_close_timeout=3600)
    def run(self, count: int, start: int = 0, total: int = 0) -> Any:
        stop = min(start + BATCH, count)
        for index in range(start, stop):
            total += yield Meter.read(index)
        if stop < count:
            continue_as_new(count, stop, total)
            return None
        return f"sum of the squares below {count}: {total}"


def main() -> None:
    with LocalSWF() as swf:
        client = swf.client()
        client.register_domain(name="jobs", workflowExecutionRetentionPeriodInDays="1")
        with (
            WorkflowWorker(None, "us-east-1", "jobs", "jobs", SumOfSquares, client=client),
            ActivityWorker(None, "us-east-1", "jobs", "jobs", Meter(), client=client),
        ):
            with workflow_options(workflow_id="squares-35"):
                job = SumOfSquares.run(35)
            print(job.wait_for_completion(timeout=60))
            run_id, number = job.workflow_execution.run_id, 1
            while run_id:  # follow the chain of runs from the first
                execution = {"workflowId": "squares-35", "runId": run_id}
                pages = client.get_paginator("get_workflow_execution_history").paginate(
                    domain="jobs", execution=execution
                )
                events = [event for page in pages for event in page["events"]]
                first, last = events[0], events[-1]
                given = first["workflowExecutionStartedEventAttributes"]["input"]
                print(f"  run {number}: input {given}, {len(events)} events, {last['eventType']}")
                continued = last.get("workflowExecutionContinuedAsNewEventAttributes")
                run_id, number = (continued["newExecutionRunId"] if continued else None), number + 1


if __name__ == "__main__":
    main()
