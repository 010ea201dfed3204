"""Activities in supervised processes: a crash fails the task at once and the process is replaced."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import supervised
from flowkit import Flow
from waiting import wait_until

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
