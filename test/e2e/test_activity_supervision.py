"""Activities in supervised processes (a crash fails the task at once, the process is replaced)
and the cap on tasks in flight."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import flows
import pytest
import supervised
from flowkit import TASK_LIST, Flow
from waiting import wait_until

from awsflow import WorkflowDefinition, activities, activity, execute

ROOT = Path(__file__).resolve().parents[2]
CHILD_START_TIMEOUT = 60.0  # a spawned child imports botocore and awsflow first (slow on a busy CI box)


def test_a_process_killed_with_sigkill_fails_its_task_within_a_second_and_the_retry_runs_on_a_new_one(
    flow: Flow,
) -> None:
    flow.workflow_worker(supervised.RetriesAfterCrash)
    worker = flow.activity_worker(supervised.Fragile(), processes=1)
    instance = supervised.RetriesAfterCrash.run()
    wait_until(lambda: bool(worker.tasks_in_flight), CHILD_START_TIMEOUT, "the task to reach a process")
    held = worker.tasks_in_flight[0]
    assert held.pid is not None and held.pid != os.getpid() and held.name == "Fragile.work"
    os.kill(held.pid, signal.SIGKILL)
    killed_at = time.monotonic()
    failed = flow.wait_for_event(instance.workflow_execution, "ActivityTaskFailed", timeout=1.0)
    assert time.monotonic() - killed_at < 1.0
    reason = failed["activityTaskFailedEventAttributes"]["reason"]
    assert f"activity process {held.pid} was killed by SIGKILL (signal 9)" in reason
    cause, retried_in = instance.wait_for_completion(timeout=CHILD_START_TIMEOUT)
    assert cause == reason and retried_in not in (held.pid, os.getpid())
    stats = worker.stats
    assert (stats.crashes, stats.tasks_failed, stats.tasks_completed, stats.tasks_in_flight) == (1, 1, 1, 0)


def test_a_process_that_exits_mid_task_is_reported_with_its_exit_code_and_replaced(flow: Flow) -> None:
    flow.workflow_worker(supervised.ExitsThenRecovers)
    worker = flow.activity_worker(supervised.Fragile(), processes=2, max_concurrent=2)
    wait_until(lambda: len(worker.process_ids) == 2, what="two processes")
    first_pids = set(worker.process_ids)
    cause, pid = supervised.ExitsThenRecovers.run(3).wait_for_completion(timeout=CHILD_START_TIMEOUT)
    assert "exited with code 3 while running this task (activity Fragile.exit_hard 1.0" in cause
    assert pid in worker.process_ids
    wait_until(lambda: len(worker.process_ids) == 2, what="the pool refilled")
    assert len(first_pids & set(worker.process_ids)) == 1
    assert worker.stats.crashes == 1


def test_the_activity_manager_example_survives_its_crash() -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "activity_manager.py")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert "result: {'video': 's3://videos/holiday.mp4', 'thumbnail': 'holiday.mp4.jpg'}" in lines
    assert any(
        "exited with code 70 while running this task (activity Media.thumbnail" in line for line in lines
    )
    assert lines[-1].startswith("worker: 4 completed, 1 failed, 1 process crash(es), ")
    assert "Traceback" not in done.stderr


class ThreeHolds(WorkflowDefinition):
    @execute(version="1.0", execution_start_to_close_timeout=600)
    def run(self) -> Any:
        return (yield [flows.Shop.hold(name) for name in ("a", "b", "c")])


def test_polling_pauses_while_max_concurrent_tasks_are_in_flight(flow: Flow) -> None:
    flow.workflow_worker(ThreeHolds)
    worker = flow.activity_worker(flows.Shop(), max_concurrent=2)
    for name in ("a", "b", "c"):
        flows.gate(name)
    instance = ThreeHolds.run()
    wait_until(lambda: len(worker.tasks_in_flight) == 2, what="two tasks in flight")
    # Only the decider polls (its shared list and its own).
    assert flow.swf.service.wait_for_pollers(2, timeout=10, at_most=True)
    first, second = (held.activity_id for held in worker.tasks_in_flight)
    names = {"1": "a", "2": "b", "3": "c"}
    assert flow.event_types(instance.workflow_execution).count("ActivityTaskStarted") == 2
    flows.gates[names[first]].set()  # a slot frees: the third is polled and runs
    (third,) = set(names) - {first, second}
    assert flows.started[names[third]].wait(10)
    assert len(worker.tasks_in_flight) == 2
    for gate in flows.gates.values():
        gate.set()
    assert instance.wait_for_completion(timeout=10) == ("a released", "b released", "c released")


def test_activities_that_cannot_reach_a_process_are_refused_with_the_reason(flow: Flow) -> None:
    @activities(schedule_to_start_timeout=60, start_to_close_timeout=60)
    class Local:
        @activity("1.0")
        def nothing(self) -> None:
            return None

    worker = flow.activity_worker(Local(), enter=False, processes=1)
    with pytest.raises(TypeError, match=r"processes=1\) sends its activity instances .* cannot be pickled"):
        worker.start()


STOP_AND_JOIN = """
import sys
import time

import botocore.session
import supervised
from awsflow import ActivityWorker

endpoint, domain, task_list = sys.argv[1:4]
client = botocore.session.get_session().create_client(
    "swf", region_name="us-east-1", endpoint_url=endpoint,
    aws_access_key_id="local", aws_secret_access_key="local",
)
worker = ActivityWorker(None, "us-east-1", domain, task_list, supervised.Fragile(), client=client, processes=1)
worker.start()
print("polling", flush=True)  # its activity types are registered
give_up_at = time.monotonic() + 60
while worker.stats.tasks_completed < 1:  # the child is up and has run a task
    assert time.monotonic() < give_up_at, "no task completed"
    time.sleep(0.01)
print("children", *worker.process_ids, flush=True)
worker.stop()
worker.join()  # not shutdown(): the pool stays open for a later start()
"""


def test_a_program_that_stops_and_joins_a_supervised_worker_without_shutting_it_down_exits(
    flow: Flow,
) -> None:
    # Children ignore SIGTERM, which is how multiprocessing ends daemon children at exit: without
    # the pool's own exit hook the program waited for them forever.
    flow.workflow_worker(supervised.ExitsThenRecovers)
    program = subprocess.Popen(
        [sys.executable, "-c", STOP_AND_JOIN, flow.swf.endpoint_url, flow.domain, TASK_LIST],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).resolve().parent,
        env={**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])},
    )
    assert program.stdout is not None
    try:
        assert program.stdout.readline() == "polling\n"
        child_pid = supervised.ExitsThenRecovers.run(0).wait_for_completion(timeout=CHILD_START_TIMEOUT)
        out, err = program.communicate(timeout=30)
    finally:
        program.kill()
    assert program.returncode == 0, err
    assert out.split() == ["children", str(child_pid)]
    with pytest.raises(ProcessLookupError):
        os.kill(child_pid, 0)  # the child left with its parent
