"""Durable fan-out: resize 500 images, at most 20 at a time, ramping up over a second.

    python examples/fanout.py

``awsflow.fanout`` runs an activity (or a child workflow) once per input, keeps at most
``max_concurrency`` open, and returns the results in input order. Every start is a decision in
the workflow's history, so it survives worker restarts; a large fan-out is split into child
workflows automatically to stay under SWF's 25,000-event history cap. A second run shows
``stop_on_failure``: the first failing input cancels the rest, and the error names the input.
Runs on the embedded awsflow.local in a few seconds.
"""

from __future__ import annotations

import time
from typing import Any

from awsflow import (
    ActivityWorker,
    FanoutError,
    ThreadedActivityExecutor,
    WorkflowDefinition,
    WorkflowWorker,
    activities,
    activity,
    execute,
    fanout,
)
from awsflow.local import LocalSWF


@activities(schedule_to_start_timeout=120, start_to_close_timeout=60)
class Images:
    @activity("1.0")
    def resize(self, name: str) -> str:
        if name.endswith(".gif"):
            raise ValueError(f"{name}: animated images are not supported")
        time.sleep(0.03)  # the resizing
        return f"{name.rsplit('.', 1)[0]}-small.jpg"


class ResizeAll(WorkflowDefinition):
    @execute(version="1.0", execution_start_to_close_timeout=600)
    def run(self, names: list[str]) -> Any:
        try:
            return (yield fanout(Images.resize, names, max_concurrency=20, ramp_up=1))
        except FanoutError as error:
            return f"stopped at input {error.index} ({error.input}): {error.cause.cause}"


CLOSED = {"ActivityTaskCompleted", "ActivityTaskFailed", "ActivityTaskTimedOut", "ActivityTaskCanceled"}


def most_open(client: Any, execution: Any) -> int:
    """The most activities open at once, read from the execution's history."""
    request = {
        "domain": "fanout",
        "execution": {"workflowId": execution.workflow_id, "runId": execution.run_id},
    }
    open_now = highest = 0
    for page in client.get_paginator("get_workflow_execution_history").paginate(**request):
        for event in page["events"]:
            if event["eventType"] == "ActivityTaskScheduled":
                open_now += 1
            elif event["eventType"] in CLOSED:
                open_now -= 1
            highest = max(highest, open_now)
    return highest


def main() -> None:
    with LocalSWF() as swf:
        client = swf.client()
        client.register_domain(name="fanout", workflowExecutionRetentionPeriodInDays="1")
        activity_worker = ActivityWorker(None, "us-east-1", "fanout", "images", Images(), client=swf.client())
        executor = ThreadedActivityExecutor(activity_worker)
        executor.start(pollers=2, workers=8)
        try:
            with WorkflowWorker(None, "us-east-1", "fanout", "images", ResizeAll, client=client):
                names = [f"photo-{n:03}.png" for n in range(500)]
                instance = ResizeAll.run(names)
                results = instance.wait_for_completion(timeout=120)
                print(f"resized {len(results)} images: {results[0]} ... {results[-1]}")
                print(f"at most {most_open(client, instance.workflow_execution)} open at once")
                names[42] = "party.gif"
                failed = ResizeAll.run(names)
                print(failed.wait_for_completion(timeout=120))
        finally:
            executor.stop()
            executor.join()


if __name__ == "__main__":
    main()
