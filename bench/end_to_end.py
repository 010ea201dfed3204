"""Benchmark: a workflow of N sequential trivial activities, end to end, botoflow 0.8 beside awsflow.

The path users run: one ``python -m awsflow.local`` process; the workers are threads of this
process, talking to it over HTTP through their own clients. For each N (10, 100, 300, 1000) one
execution runs to the end in each mode:

- ``botoflow``: botoflow 0.8's workflow and activity workers (when it is installed:
  ``pip install --no-deps botoflow==0.8 six dill retrying``), each run in a loop thread;
- ``sticky``: one awsflow workflow worker, default settings (its kept replay decides each task);
- ``cold``: one awsflow workflow worker that keeps no replay (``sticky_cache_runs=0``, no
  routing): every decision task replays the whole history, as after a restart or eviction;
- ``two workers``: two awsflow workflow workers on one task list, default settings.

Printed per mode and N: wall time, the decider's CPU (the CPU time of the threads deciding, summed
over decision tasks: poll, history decoding, replay, answer), the CPU per decision task over the
first and the last 10 % of tasks, how many were decided cold, and the decider-CPU ratio against
botoflow measured in this same run.

Run: ``python bench/end_to_end.py [--sizes 10 100 300 1000] [--modes sticky cold ...]``.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import awsflow

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "test"))
from botoflow_shims import LocalSession, botoflow, install_botoflow_shims
from local_server import make_client

REGION = "us-east-1"
TASK_LIST = "bench"
MODES = ("botoflow", "sticky", "cold", "two workers")


def program(flow: Any) -> tuple[type, Any]:
    """The workflow class and the activities object, written once for either framework."""

    @flow.activities(schedule_to_start_timeout=600, start_to_close_timeout=600)
    class Work:
        @flow.activity("1.0")
        def step(self, i: int) -> int:
            return i

    class Sequential(flow.WorkflowDefinition):
        @flow.execute(version="1.0", execution_start_to_close_timeout=86_400)
        def run(self, n: int) -> Any:
            for i in range(n):
                yield Work.step(i)

    return Sequential, Work()


class Timed:
    """Wraps a worker's ``run_once``: the CPU of each call that handled a task, in this thread."""

    def __init__(self, run_once: Callable[..., Any], *, always: bool = False) -> None:
        self._run_once = run_once
        self._always = always  # botoflow's run_once returns None, task or not
        self.recording = True
        self.samples: list[tuple[float, float]] = []  # (when, CPU seconds)
        self._lock = threading.Lock()

    def __call__(self, *args: Any) -> Any:
        started = time.thread_time()
        handled = self._run_once(*args)
        spent = time.thread_time() - started
        if self.recording and (handled or self._always):
            with self._lock:
                self.samples.append((time.perf_counter(), spent))
        return handled


class Service:
    """``python -m awsflow.local`` in a process of its own (its CPU is not the deciders')."""

    def __init__(self) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "awsflow.local", "--port", "0"],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        assert self.proc.stdout is not None
        self.url = self.proc.stdout.readline().rsplit(" ", 1)[-1].strip()
        self.session = LocalSession(self.url)

    def client(self) -> Any:
        return make_client(self.url)

    def close(self) -> None:
        self.proc.terminate()
        self.proc.wait(10)


def loop_forever(run_once: Callable[[], Any]) -> None:
    """botoflow's workers have no background mode of their own: poll in a daemon thread."""

    def loop() -> None:
        try:
            while True:
                run_once()
        except Exception:  # the service went away at the end of the benchmark
            return

    threading.Thread(target=loop, daemon=True).start()


def wait_closed(client: Any, domain: str, execution: dict[str, str]) -> None:
    while True:
        info = client.describe_workflow_execution(domain=domain, execution=execution)
        if info["executionInfo"]["executionStatus"] != "OPEN":
            return
        time.sleep(0.02)  # a benchmark's poll, not a test's wait


def run_botoflow(service: Service, domain: str, n: int) -> tuple[float, list[float], int]:
    install_botoflow_shims()
    workflow, work = program(botoflow)
    session = service.session
    decider = botoflow.WorkflowWorker(session, REGION, domain, TASK_LIST, workflow)
    activities = botoflow.ActivityWorker(session, REGION, domain, TASK_LIST, work)
    timed = Timed(decider.run_once, always=True)
    with botoflow.workflow_starter(session, REGION, domain, TASK_LIST):
        instance = workflow.run(n)
    execution = {
        "workflowId": instance.workflow_execution.workflow_id,
        "runId": instance.workflow_execution.run_id,
    }
    started = time.perf_counter()
    loop_forever(timed)
    loop_forever(activities.run_once)
    wait_closed(service.client(), domain, execution)
    wall = time.perf_counter() - started
    timed.recording = False
    return wall, [spent for _, spent in timed.samples], 0


def run_awsflow(service: Service, domain: str, n: int, mode: str) -> tuple[float, list[float], int]:
    workflow, work = program(awsflow)
    options: dict[str, Any] = {}
    if mode == "cold":
        options = {"sticky_schedule_to_start_timeout": None, "sticky_cache_runs": 0}
    count = 2 if mode == "two workers" else 1
    deciders = [
        awsflow.WorkflowWorker(None, REGION, domain, TASK_LIST, workflow, client=service.client(), **options)
        for _ in range(count)
    ]
    activities = awsflow.ActivityWorker(None, REGION, domain, TASK_LIST, work, client=service.client())
    timers = []
    for decider in deciders:
        timed = Timed(decider.run_once)
        decider.run_once = timed  # type: ignore[method-assign]  # the poll loops call it
        timers.append(timed)
    with awsflow.workflow_starter(None, REGION, domain, TASK_LIST, client=service.client()):
        instance = workflow.run(n)
    started = time.perf_counter()
    for decider in deciders:
        decider.start()
    activities.start()
    instance.wait_for_completion(timeout=3600)
    wall = time.perf_counter() - started
    for worker in (*deciders, activities):
        worker.stop()
    for worker in (*deciders, activities):
        worker.join()
    samples = [spent for _, spent in sorted(s for t in timers for s in t.samples)]
    cold = sum(decider.stats.decisions_cold for decider in deciders)
    return wall, samples, cold


def summary(samples: list[float]) -> tuple[float, float, float]:
    """Total CPU, and the mean CPU per task over the first and the last 10 % of tasks (ms)."""
    tenth = max(1, len(samples) // 10)
    return (
        sum(samples),
        statistics.fmean(samples[:tenth]) * 1000,
        statistics.fmean(samples[-tenth:]) * 1000,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10, 100, 300, 1000])
    parser.add_argument("--modes", nargs="+", choices=MODES, default=list(MODES))
    args = parser.parse_args()
    modes = [m for m in args.modes if m != "botoflow" or botoflow is not None]
    if botoflow is None and "botoflow" in args.modes:
        print("botoflow 0.8 is not installed: measuring awsflow alone (no ratios)")
    service = Service()
    try:
        setup = service.client()
        print(
            f"{'mode':<12} {'N':>5} {'wall s':>8} {'decider CPU s':>14} {'first ms':>9} {'last ms':>8} "
            f"{'cold':>5} {'vs botoflow':>12}"
        )
        for n in args.sizes:
            baseline: float | None = None
            for mode in modes:
                domain = f"bench-{mode.replace(' ', '-')}-{n}"
                setup.register_domain(name=domain, workflowExecutionRetentionPeriodInDays="1")
                if mode == "botoflow":
                    wall, samples, cold = run_botoflow(service, domain, n)
                else:
                    wall, samples, cold = run_awsflow(service, domain, n, mode)
                cpu, first, last = summary(samples)
                if mode == "botoflow":
                    baseline = cpu
                ratio = f"{baseline / cpu:>11.1f}x" if baseline and mode != "botoflow" else f"{'':>12}"
                print(
                    f"{mode:<12} {n:>5} {wall:>8.2f} {cpu:>14.3f} {first:>9.2f} {last:>8.2f} {cold:>5} {ratio}"
                )
    finally:
        service.close()


if __name__ == "__main__":
    main()
