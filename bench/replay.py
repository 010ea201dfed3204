"""Benchmark: cold replay of one decision task, in µs per history event, beside botoflow 0.8.

The workflow schedules N activities one after the other (N = 10, 100, 1000). Its history is made
once on awsflow.local's in-memory engine; then both deciders replay the whole, already-parsed
history to decide the last decision task (the one that completes the workflow), best of several
runs. Targets: at most 1.5 µs per event, at least 5x faster than botoflow at N=1000.

botoflow is measured when it can be imported (``pip install --no-deps botoflow==0.8 six dill
retrying``); it replays the same history, which awsflow wrote, and must reach the same decision.

Run: ``python bench/replay.py [--runs 7]``.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from typing import Any

from awsflow import WorkflowDefinition, activities, activity, execute
from awsflow.decider import ExecutionReplay
from awsflow.test import EngineHarness
from awsflow.workflow_execution import WorkflowExecution

SIZES = (10, 100, 1000)


@activities(schedule_to_start_timeout=60, start_to_close_timeout=60)
class Work:
    @activity("1.0")
    def step(self, i: int) -> int:
        return i


class Sequential(WorkflowDefinition):
    @execute(version="1.0", execution_start_to_close_timeout=86_400)
    def run(self, n: int) -> Any:
        total = 0
        for i in range(n):
            total += yield Work.step(i)
        return total


def make_history(n: int) -> tuple[dict[str, str], list[dict[str, Any]], Any]:
    harness = EngineHarness((Sequential,), (Work(),))
    run = harness.start(Sequential, "run", n)
    harness.run()
    last = harness.records[-1]
    assert last.decisions is not None and last.decisions[0]["decisionType"] == "CompleteWorkflowExecution"
    return run, last.events, harness.table


def best_of(runs: int, replay: Callable[[], Any]) -> tuple[float, Any]:
    best, outcome = float("inf"), None
    for _ in range(runs):
        started = time.perf_counter()
        outcome = replay()
        best = min(best, time.perf_counter() - started)
    return best, outcome


def botoflow_replayer() -> Callable[[dict[str, str], list[dict[str, Any]]], list[dict[str, Any]]] | None:
    try:
        import botoflow
        from botoflow.decider.decider import Decider
        from botoflow.utils import extract_workflows_dict
    except ImportError:
        return None

    @botoflow.activities(schedule_to_start_timeout=60, start_to_close_timeout=60)
    class Work:  # the same activity type, declared for botoflow
        @botoflow.activity("1.0")
        def step(self, i: int) -> int:
            return i

    class Sequential(botoflow.WorkflowDefinition):
        @botoflow.execute(version="1.0", execution_start_to_close_timeout=86_400)
        def run(self, n: int) -> Any:
            total = 0
            for i in range(n):
                total += yield Work.step(i)
            botoflow.return_(total)

    workflows = extract_workflows_dict([Sequential])

    def replay(run: dict[str, str], events: list[dict[str, Any]]) -> list[dict[str, Any]]:
        answered: list[dict[str, Any]] = []

        class Client:  # botoflow's decider polls and answers through its worker's client
            def poll_for_decision_task(self, **_: Any) -> dict[str, Any]:
                return {
                    "taskToken": "bench",
                    "startedEventId": events[-1]["eventId"],
                    "previousStartedEventId": 0,
                    "workflowExecution": run,
                    "workflowType": {"name": "Sequential", "version": "1.0"},
                    "events": events,
                }

            def respond_decision_task_completed(self, **request: Any) -> None:
                answered.extend(request["decisions"])

        class Worker:
            client = Client()

        Decider(
            Worker(), "bench", "tasks", lambda name, version: workflows[(name, version)], "bench"
        ).decide()
        return answered

    return replay


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    botoflow_replay = botoflow_replayer()
    if botoflow_replay is None:
        print(
            "botoflow 0.8 is not installed: awsflow only (pip install --no-deps botoflow==0.8 six dill retrying)"
        )
    for n in SIZES:
        run, events, table = make_history(n)
        execution = WorkflowExecution(run["workflowId"], run["runId"])
        seconds, outcome = best_of(
            args.runs, lambda t=table, x=execution, e=events: ExecutionReplay(t, x, "tasks").apply(e)
        )
        ours = seconds / len(events) * 1e6
        line = f"N={n:<5} events={len(events):<6} awsflow {ours:6.2f} µs/event"
        if botoflow_replay is not None:
            theirs_seconds, decisions = best_of(args.runs, lambda r=run, e=events: botoflow_replay(r, e))
            assert decisions == outcome.decisions, "botoflow and awsflow decided differently"
            theirs = theirs_seconds / len(events) * 1e6
            line += f"   botoflow {theirs:6.2f} µs/event   ratio {theirs / ours:5.1f}x"
        print(line)
    print("targets: awsflow <= 1.5 µs/event; >= 5x faster than botoflow at N=1000")


if __name__ == "__main__":
    main()
