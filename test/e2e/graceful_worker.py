"""An activity worker in its own process, for the tests that stop it with a real SIGTERM.

Usage: python graceful_worker.py ENDPOINT DOMAIN TASK_LIST GRACE_PERIOD

It runs ``worker.run()`` (which handles SIGTERM) with two tasks at most in flight, logs to
stdout, and prints ``ready`` once its types are registered, ``started NAME`` when an activity starts. ``Patient.quick`` finishes when a
line arrives on stdin; ``Patient.stuck`` never does.
"""

from __future__ import annotations

import logging
import sys
import threading
from typing import Any

import botocore.session
from botocore.config import Config

from awsflow import ActivityWorker, WorkflowDefinition, activities, activity, execute
from awsflow.exceptions import ActivityTaskFailedError


@activities(schedule_to_start_timeout=60, start_to_close_timeout=300)
class Patient:
    @activity("1.0")
    def quick(self) -> str:
        print("started quick", flush=True)
        sys.stdin.readline()
        return "finished"

    @activity("1.0")
    def stuck(self) -> str:
        print("started stuck", flush=True)
        threading.Event().wait()
        return "unreachable"


class Both(WorkflowDefinition):
    @execute(version="1.0", execution_start_to_close_timeout=600)
    def run(self) -> Any:
        calls = [Patient.quick(), Patient.stuck()]
        results = []
        for call in calls:
            try:
                results.append((yield call))
            except ActivityTaskFailedError as error:
                results.append(f"failed: {error.cause}")
        return results


def main() -> None:
    endpoint, domain, task_list, grace = sys.argv[1:5]
    logging.basicConfig(stream=sys.stdout, level=logging.INFO, format="%(name)s %(message)s")
    client = botocore.session.get_session().create_client(
        "swf",
        region_name="us-east-1",
        endpoint_url=endpoint,
        aws_access_key_id="local",
        aws_secret_access_key="local",
        config=Config(read_timeout=70, retries={"max_attempts": 0}),
    )
    worker = ActivityWorker(
        None,
        "us-east-1",
        domain,
        task_list,
        Patient(),
        client=client,
        max_concurrent=2,
        grace_period=float(grace),
    )
    print("ready", flush=True)  # its activity types are registered
    worker.run()
    print(
        f"stopped {worker.stats.tasks_completed} {worker.stats.tasks_failed} {worker.stats.overruns}",
        flush=True,
    )


if __name__ == "__main__":
    main()
