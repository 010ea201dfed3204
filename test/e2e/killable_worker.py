"""An activity worker in its own process, for the test that kills it with SIGKILL mid-task.

Usage: python killable_worker.py ENDPOINT DOMAIN TASK_LIST
"""

from __future__ import annotations

import sys
import threading

import botocore.session
import flows
from botocore.config import Config

from awsflow import ActivityWorker, activities, activity


@activities(schedule_to_start_timeout=60, start_to_close_timeout=5)
class Stuck:
    @activity("1.0", name="Unreliable.once_lost")
    def once_lost(self) -> str:
        print("started", flush=True)
        threading.Event().wait()  # hangs until the process is killed
        return "unreachable"


def main() -> None:
    endpoint, domain, task_list = sys.argv[1:4]
    client = botocore.session.get_session().create_client(
        "swf",
        region_name="us-east-1",
        endpoint_url=endpoint,
        aws_access_key_id="local",
        aws_secret_access_key="local",
        config=Config(read_timeout=70, retries={"max_attempts": 0}),
    )
    assert flows.Shop  # the shared flows module imports here as in the tests
    ActivityWorker(None, "us-east-1", domain, task_list, Stuck(), client=client).run()


if __name__ == "__main__":
    main()
