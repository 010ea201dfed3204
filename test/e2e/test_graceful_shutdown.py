"""Stopping workers: tasks in flight finish within the grace period, the rest fail with the reason."""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import flows
import graceful_worker
import pytest
import supervised
from flowkit import TASK_LIST, Flow
from waiting import wait_until

from awsflow import WorkflowDefinition, execute
from awsflow.exceptions import ActivityTaskFailedError

HERE = Path(__file__).resolve().parent


class _Lines:
    """The lines a process prints, read in a thread so a test waits for them with a deadline."""

    def __init__(self, stream: Any) -> None:
        self._lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._read, args=(stream,), daemon=True).start()

    def _read(self, stream: Any) -> None:
        for line in stream:
            self._lines.put(line)
        self._lines.put("")  # end of output

    def until(self, text: str, timeout: float = 30.0) -> list[str]:
        seen: list[str] = []
        while True:
            line = self._lines.get(timeout=timeout)
            assert line, f"the worker process ended before printing {text!r}: {seen}"
            seen.append(line)
            if text in line:
                return seen


def test_sigterm_lets_a_task_finish_within_the_grace_period_and_fails_one_that_overruns(flow: Flow) -> None:
    flow.workflow_worker(graceful_worker.Both)
    worker = subprocess.Popen(
        [
            sys.executable,
            str(HERE / "graceful_worker.py"),
            flow.swf.endpoint_url,
            flow.domain,
            TASK_LIST,
            "3",
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=HERE,
    )
    assert worker.stdin is not None and worker.stdout is not None
    try:
        output = _Lines(worker.stdout)
        output.until("ready")
        instance = graceful_worker.Both.run()
        started = output.until("started stuck")
        if not any("started quick" in line for line in started):
            output.until("started quick")
        worker.send_signal(signal.SIGTERM)
        output.until("stopping gracefully")
        worker.stdin.write("go\n")  # the quick task finishes inside the grace period
        worker.stdin.flush()
        tail = output.until("stopped ")
        assert worker.wait(10) == 0
    finally:
        worker.kill()
    assert tail[-1] == "stopped 1 1 1\n"  # completed, failed, overruns
    quick, stuck = instance.wait_for_completion(timeout=10)
    assert quick == "finished"
    assert stuck.startswith("failed: worker ") and "ran past the 3 s grace period" in stuck
    assert "(activity Patient.stuck 1.0, id " in stuck


class Held(WorkflowDefinition):
    @execute(version="1.0", execution_start_to_close_timeout=600)
    def run(self, name: str) -> Any:
        try:
            return (yield flows.Shop.hold(name))
        except ActivityTaskFailedError as error:
            return f"failed: {error.cause}"


def test_leaving_the_with_block_waits_for_a_task_in_flight_within_the_grace_period(flow: Flow) -> None:
    flow.workflow_worker(Held)
    worker = flow.activity_worker(flows.Shop(), enter=False, grace_period=30)
    flows.gate("finishing")
    worker.__enter__()
    instance = Held.run("finishing")
    assert flows.started["finishing"].wait(10)
    leaving = threading.Thread(target=worker.__exit__, args=(None, None, None))
    leaving.start()
    # Left: the decider's two polls (its shared list and its own).
    wait_until(lambda: flow.swf.service.waiting_pollers() == 2, what="the activity poller to leave")
    assert leaving.is_alive()  # still waiting for the task
    flows.gates["finishing"].set()
    leaving.join(10)
    assert not leaving.is_alive()
    assert instance.wait_for_completion(timeout=10) == "finishing released"
    assert worker.stats.tasks_completed == 1 and worker.stats.overruns == 0


def test_a_task_overrunning_the_grace_period_is_failed_with_the_reason(flow: Flow) -> None:
    flow.workflow_worker(Held)
    worker = flow.activity_worker(flows.Shop(), enter=False, grace_period=0.2)
    flows.gate("late")
    with worker:
        instance = Held.run("late")
        assert flows.started["late"].wait(10)
    result = instance.wait_for_completion(timeout=10)
    assert result.startswith("failed: worker ") and "ran past the 0.2 s grace period" in result
    stats = worker.stats
    assert (stats.overruns, stats.tasks_failed, stats.tasks_in_flight) == (1, 1, 0)
    flows.gates["late"].set()  # the abandoned activity ends; its answer is dropped, not sent


class SlowDecider(WorkflowDefinition):
    @execute(version="1.0", execution_start_to_close_timeout=600)
    def run(self, name: str) -> Any:
        flows.started[name].set()
        flows.gate(name).wait(10)  # the decision is being made while the worker is told to stop
        return "decided"
        yield  # a workflow body is a generator


def test_a_workflow_worker_told_to_stop_finishes_the_decision_it_holds(flow: Flow) -> None:
    deciding = flow.workflow_worker(SlowDecider, enter=False)
    flows.gate("decision")
    deciding.__enter__()
    try:
        instance = SlowDecider.run("decision")
        assert flows.started["decision"].wait(10)
        deciding._on_stop_signal(signal.SIGTERM)  # what the SIGTERM handler of run() calls
        flows.gates["decision"].set()
        assert instance.wait_for_completion(timeout=10) == "decided"
    finally:
        deciding.__exit__(None, None, None)
    assert not deciding.is_running
    assert deciding.stats.tasks_completed == 1


def test_a_second_stop_signal_fails_the_tasks_in_flight_at_once(flow: Flow) -> None:
    flow.workflow_worker(Held)
    worker = flow.activity_worker(flows.Shop(), enter=False)  # no grace limit: waits for tasks
    flows.gate("forever")
    running = threading.Thread(target=worker.run, kwargs={"handle_signals": False})
    running.start()
    instance = Held.run("forever")
    assert flows.started["forever"].wait(10)
    worker._on_stop_signal(signal.SIGTERM)  # what run()'s signal handler calls
    worker._on_stop_signal(signal.SIGTERM)
    running.join(10)
    assert not running.is_alive()
    result = instance.wait_for_completion(timeout=10)
    assert (
        result.startswith("failed: worker ")
        and "was told to stop at once (a second SIGTERM/SIGINT)" in result
    )


def test_a_supervised_process_overrunning_the_grace_period_is_killed_and_its_task_failed(flow: Flow) -> None:
    flow.workflow_worker(supervised.RetriesAfterCrash)
    worker = flow.activity_worker(supervised.Fragile(), enter=False, processes=1, grace_period=0.3)
    with worker:
        instance = supervised.RetriesAfterCrash.run()
        wait_until(lambda: bool(worker.tasks_in_flight), 60, "the task to reach a process")
        (pid,) = worker.process_ids
    failed = flow.wait_for_event(instance.workflow_execution, "ActivityTaskFailed")
    assert "ran past the 0.3 s grace period" in failed["activityTaskFailedEventAttributes"]["reason"]
    assert worker.process_ids == () and worker.stats.crashes == 0 and worker.stats.overruns == 1
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)  # killed and reaped
