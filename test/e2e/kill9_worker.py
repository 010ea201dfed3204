"""Workers in their own process for the kill -9 test: a workflow worker and an activity worker.

Usage: python kill9_worker.py ENDPOINT DOMAIN TASK_LIST

``KillNine.run(n)`` computes n² + 1 through four activities in sequence, each retried when it
times out (its answer may be lost with the service that was killed while receiving it). Each
activity works for ``WORK`` seconds, so that a batch of executions keeps the workers busy for
a while whatever the machine's speed; each process runs ``ACTIVITY_SLOTS`` of them at once.
Runs until SIGTERM.
"""

from __future__ import annotations

import logging
import sys
import threading
from typing import Any

import botocore.session
from botocore.config import Config

from awsflow import (
    ActivityWorker,
    WorkflowDefinition,
    WorkflowWorker,
    activities,
    activity,
    execute,
    retry_activity,
    workflow,
)
from awsflow.exceptions import ActivityTaskTimedOutError

WORK = 0.05
# The 400 activities of the test's 100 executions are 20 s of WORK: one at a time in each of the
# two processes, half of it was still to do after the last kill. Two at a time, a batch of ten
# executions is still at least 0.5 s of work, longer than the test waits before a kill.
ACTIVITY_SLOTS = 2


def _work() -> None:
    threading.Event().wait(WORK)


def _timed_out(error: BaseException) -> bool:
    return isinstance(error, ActivityTaskTimedOutError)


@activities(schedule_to_start_timeout=120, start_to_close_timeout=3)
class Arithmetic:
    @retry_activity(stop_max_attempt_number=50, wait_fixed=1, retry_on_exception=_timed_out)
    @activity("1.0")
    def square(self, n: int) -> int:
        _work()
        return n * n

    @retry_activity(stop_max_attempt_number=50, wait_fixed=1, retry_on_exception=_timed_out)
    @activity("1.0")
    def add(self, a: int, b: int) -> int:
        _work()
        return a + b

    @retry_activity(stop_max_attempt_number=50, wait_fixed=1, retry_on_exception=_timed_out)
    @activity("1.0")
    def halve(self, n: int) -> int:
        _work()
        return n // 2


@workflow(name="KillNine")
class KillNine(WorkflowDefinition):
    @execute(version="1.0", execution_start_to_close_timeout=600, task_start_to_close_timeout=5)
    def run(self, n: int) -> Any:
        squared = yield Arithmetic.square(n)
        doubled = yield Arithmetic.add(squared, squared)
        again = yield Arithmetic.halve(doubled)
        return (yield Arithmetic.add(again, 1))


def main() -> None:
    endpoint, domain, task_list = sys.argv[1:4]
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    session = botocore.session.get_session()

    def client() -> Any:
        return session.create_client(
            "swf",
            region_name="us-east-1",
            endpoint_url=endpoint,
            aws_access_key_id="local",
            aws_secret_access_key="local",
            config=Config(read_timeout=70, connect_timeout=2),
        )

    activity_worker = ActivityWorker(
        None, "us-east-1", domain, task_list, Arithmetic(), client=client(), max_concurrent=ACTIVITY_SLOTS
    )
    workflow_worker = WorkflowWorker(None, "us-east-1", domain, task_list, KillNine, client=client())
    with activity_worker:
        print("ready", flush=True)
        workflow_worker.run()  # until SIGTERM


if __name__ == "__main__":
    main()
