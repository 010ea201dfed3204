"""A fan-out over hundreds of inputs, capped and ramped up, served by a supervised process pool.

    python examples/cookbook/fanout_pool.py

Transcode 200 videos: ``awsflow.fanout`` keeps at most 16 transcodes open at once, rising from
1 to 16 over the first two seconds (the ramp-up spares a cold downstream service). Each
transcode is a generator activity: every ``yield`` is a heartbeat carrying its progress, so a
transcode that hangs is timed out by SWF after its 10-second heartbeat timeout, not after its
much longer start-to-close timeout. The activities run in an ActivityWorker with two supervised
worker processes (``processes=2``), four tasks each.
"""

from __future__ import annotations

import os
import time
from typing import Any

from awsflow import ActivityWorker, WorkflowDefinition, WorkflowWorker, activities, activity, execute, fanout
from awsflow.local import LocalSWF

CAP = 16


@activities(schedule_to_start_timeout=300, start_to_close_timeout=3600)
class Videos:
    @activity("1.0", heartbeat_timeout=10)
    def transcode(self, name: str) -> Any:
        for step in ("probe", "encode", "package"):
            time.sleep(0.002)  # the work of the step
            yield {"video": name, "step": step}  # a heartbeat with these details
        return {"video": f"{name}.mp4", "pid": os.getpid()}


class TranscodeAll(WorkflowDefinition):
    @execute(version="1.0", execution_start_to_close_timeout=3600)
    def run(self, names: list[str]) -> Any:
        results = yield fanout(Videos.transcode, names, max_concurrency=CAP, ramp_up=2)
        return results


CLOSED = {"ActivityTaskCompleted", "ActivityTaskFailed", "ActivityTaskTimedOut", "ActivityTaskCanceled"}


def most_open(client: Any, execution: Any) -> int:
    """The most activities open at once, read from the execution's history."""
    request = {
        "domain": "media",
        "execution": {"workflowId": execution.workflow_id, "runId": execution.run_id},
    }
    open_now = highest = 0
    for page in client.get_paginator("get_workflow_execution_history").paginate(**request):
        for event in page["events"]:
            open_now += event["eventType"] == "ActivityTaskScheduled"
            open_now -= event["eventType"] in CLOSED
            highest = max(highest, open_now)
    return highest


def main() -> None:
    with LocalSWF() as swf:
        client = swf.client()
        client.register_domain(name="media", workflowExecutionRetentionPeriodInDays="1")
        pool = ActivityWorker(
            None, "us-east-1", "media", "videos", Videos(), client=client, processes=2, max_concurrent=8
        )
        with WorkflowWorker(None, "us-east-1", "media", "videos", TranscodeAll, client=client), pool:
            names = [f"clip-{n:03}" for n in range(200)]
            instance = TranscodeAll.run(names)
            results = instance.wait_for_completion(timeout=120)
        print(f"transcoded {len(results)} videos: {results[0]['video']} ... {results[-1]['video']}")
        print(f"in input order: {[r['video'] for r in results] == [n + '.mp4' for n in names]}")
        print(f"at most {most_open(client, instance.workflow_execution)} open at once (cap {CAP})")
        stats = pool.stats
        print(
            f"worker: {stats.tasks_completed} completed, {stats.heartbeats} heartbeats, {stats.crashes} crashes"
        )
        print(f"served by {len({r['pid'] for r in results} - {os.getpid()})} worker processes")


if __name__ == "__main__":
    main()
