"""Heartbeats and a supervised process pool, on the embedded awsflow.local.

    python examples/activity_manager.py

A media pipeline of four activities run by an ActivityWorker with two worker processes:

- ``probe`` heartbeats by hand, with its progress as details;
- ``encode`` never heartbeats itself and takes twice its 1-second heartbeat timeout: the
  worker heartbeats for it in the background, so SWF keeps it alive;
- ``upload`` is a generator: each ``yield`` is a heartbeat carrying the yielded progress, and
  its ``return`` value is its result;
- ``thumbnail`` crashes its process on the first attempt (``os._exit``, as a segfault in a
  native library would). The supervisor fails the task at once with the exit code as the
  reason, starts a new process, and the workflow's retry succeeds there.

At the end the worker's counters are printed. Against Amazon SWF the code is the same minus
LocalSWF (see hello_world.py); a real deployment would call ``worker.run()``, which also turns
SIGTERM into a graceful stop.
"""

from __future__ import annotations

import logging
import os
import time
from typing import Any

from awsflow import (
    ActivityWorker,
    WorkflowDefinition,
    WorkflowWorker,
    activities,
    activity,
    execute,
    get_context,
)
from awsflow.exceptions import ActivityTaskFailedError
from awsflow.local import LocalSWF


def say(text: str) -> None:
    print(f"[pid {os.getpid()}] {text}", flush=True)


@activities(schedule_to_start_timeout=60, start_to_close_timeout=60)
class Media:
    @activity("1.0", heartbeat_timeout=5)
    def probe(self, name: str) -> int:
        frames = 3
        for frame in range(1, frames + 1):
            get_context().heartbeat(f"probed {frame}/{frames}")  # manual heartbeat
            say(f"probe {name}: frame {frame}/{frames}")
        return frames

    @activity("1.0", heartbeat_timeout=1)
    def encode(self, name: str, frames: int) -> str:
        say(f"encode {name}: 2 s of work, no heartbeat of its own (heartbeat timeout 1 s)")
        time.sleep(2)  # stands for a long call into an encoder that cannot heartbeat
        return f"{name}.mp4"

    @activity("1.0", heartbeat_timeout=5)
    def upload(self, path: str) -> Any:
        for percent in (25, 50, 75, 100):
            say(f"upload {path}: {percent}%")
            yield {"uploaded_percent": percent}  # heartbeat with these details
        return f"s3://videos/{path}"

    @activity("1.0")
    def thumbnail(self, path: str, attempt: int) -> str:
        if attempt == 1:
            say(f"thumbnail {path}: crashing this process")
            os._exit(70)
        say(f"thumbnail {path}: attempt {attempt} done")
        return f"{path}.jpg"


class Publish(WorkflowDefinition):
    @execute(version="1.0", execution_start_to_close_timeout=120)
    def publish(self, name: str) -> Any:
        frames = yield Media.probe(name)
        path = yield Media.encode(name, frames)
        url = yield Media.upload(path)
        try:
            thumbnail = yield Media.thumbnail(path, 1)
        except ActivityTaskFailedError as error:
            print(f"workflow: thumbnail failed ({error.cause}); retrying", flush=True)
            thumbnail = yield Media.thumbnail(path, 2)
        return {"video": url, "thumbnail": thumbnail}


def main() -> None:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    with LocalSWF() as swf:
        client = swf.client()
        client.register_domain(name="media", workflowExecutionRetentionPeriodInDays="1")
        activity_worker = ActivityWorker(
            None, "us-east-1", "media", "media", Media(), client=client, processes=2, grace_period=10
        )
        with WorkflowWorker(None, "us-east-1", "media", "media", Publish, client=client), activity_worker:
            instance = Publish.publish("holiday")
            print("result:", instance.wait_for_completion(timeout=60), flush=True)
        stats = activity_worker.stats
        print(
            f"worker: {stats.tasks_completed} completed, {stats.tasks_failed} failed, "
            f"{stats.crashes} process crash(es), {stats.heartbeats} heartbeats",
            flush=True,
        )


if __name__ == "__main__":
    main()
