"""Workers lose nothing when SWF fails them (issue 11 item 7 and "Workers" of "What must hold").

Faults are injected by awsflow.local (``LocalSWF(faults=...)``): throttling, 500s and 503s,
answers dropped after they were committed, poll answers lost (the task started but never
delivered, so SWF's timeout must bring it back). Every execution completes, and no activity runs
twice unless SWF itself timed it out. The activity code counts its runs; the history says which
tasks timed out. Logs: one WARNING when an outage starts, an INFO when SWF answers again, and no
ERROR for failures that were retried.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from server_process import ServerProcess
from waiting import wait_until

from awsflow import (
    ActivityWorker,
    RetryPolicy,
    WorkflowDefinition,
    WorkflowWorker,
    activities,
    activity,
    execute,
    get_context,
    workflow_starter,
)
from awsflow.local import LocalSWF, VirtualClock

DOMAIN = "faults"
TASK_LIST = "faults"
RUNS: Counter[tuple[str, str]] = Counter()  # (workflow id, activity id) → times the code ran
RUNS_LOCK = threading.Lock()


@activities(schedule_to_start_timeout=3600, start_to_close_timeout=30)
class Steps:
    @activity("1.0", retry_policy=RetryPolicy(initial_interval=1, maximum_attempts=5))
    def double(self, n: int) -> int:
        task = get_context().task
        with RUNS_LOCK:
            RUNS[(task.workflow_execution.workflow_id, task.id)] += 1
        return 2 * n


class Doubling(WorkflowDefinition):
    @execute(version="1.0", execution_start_to_close_timeout=3600, task_start_to_close_timeout=20)
    def run(self, n: int) -> Any:
        for _ in range(3):
            n = yield Steps.double(n)
        return n


def _history(client: Any, execution: Any) -> list[dict[str, Any]]:
    pages = client.get_paginator("get_workflow_execution_history").paginate(
        domain=DOMAIN, execution={"workflowId": execution.workflow_id, "runId": execution.run_id}
    )
    return [event for page in pages for event in page["events"]]


def _check_nothing_ran_twice(client: Any, execution: Any) -> None:
    """Each activity task ran at most once, and exactly once if SWF recorded its completion."""
    events = _history(client, execution)
    scheduled = {
        e["eventId"]: e["activityTaskScheduledEventAttributes"]["activityId"]
        for e in events
        if e["eventType"] == "ActivityTaskScheduled"
    }
    completed = {
        scheduled[e["activityTaskCompletedEventAttributes"]["scheduledEventId"]]
        for e in events
        if e["eventType"] == "ActivityTaskCompleted"
    }
    workflow_id = execution.workflow_id
    runs = {activity_id: RUNS[(workflow_id, activity_id)] for activity_id in scheduled.values()}
    assert all(count <= 1 for count in runs.values()), runs
    assert all(runs[activity_id] == 1 for activity_id in completed), (runs, completed)


def _finish(instance: Any, clock: VirtualClock | None, timeout: float = 30.0) -> Any:
    """The run's result; while it is stuck, time moves on, so SWF's timeouts can fire."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            return instance.wait_for_completion(timeout=0.5)
        except TimeoutError:
            if time.monotonic() > deadline:
                raise
            if clock is not None:
                clock.advance(30)


@pytest.fixture
def records(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    RUNS.clear()
    caplog.set_level(logging.DEBUG, logger="awsflow")
    yield caplog


def _errors(records: pytest.LogCaptureFixture) -> list[str]:
    return [
        r.getMessage() for r in records.records if r.levelno >= logging.ERROR and r.name.startswith("awsflow")
    ]


def _run_three(swf: LocalSWF, clock: VirtualClock | None) -> list[Any]:
    client = swf.client()
    client.register_domain(name=DOMAIN, workflowExecutionRetentionPeriodInDays="1")
    with (
        WorkflowWorker(None, "us-east-1", DOMAIN, TASK_LIST, Doubling, client=swf.client()),
        ActivityWorker(None, "us-east-1", DOMAIN, TASK_LIST, Steps(), client=swf.client()),
    ):
        with workflow_starter(None, "us-east-1", DOMAIN, TASK_LIST, client=client):
            instances = [Doubling.run(n) for n in (1, 2, 3)]
        assert [_finish(instance, clock) for instance in instances] == [8, 16, 24]
    return [instance.workflow_execution for instance in instances]


@pytest.mark.parametrize(
    "faults",
    [
        # Answers that SWF took, whose replies never reached the worker.
        "RespondActivityTaskCompleted:drop@every=2;RespondDecisionTaskCompleted:drop@every=3",
        # Throttling and 500/503 on everything the workers send.
        "PollForActivityTask,PollForDecisionTask,RespondActivityTaskCompleted,RespondDecisionTaskCompleted:"
        "throttle@p=0.15;PollForActivityTask,RespondActivityTaskCompleted:503@p=0.2;"
        "PollForDecisionTask,RespondDecisionTaskCompleted:500@p=0.2",
        # Tasks started but never delivered: SWF's timeouts bring them back.
        "PollForActivityTask:lose@nth=2;PollForDecisionTask:lose@nth=3",
    ],
    ids=["dropped answers", "throttling and 5xx", "lost poll answers"],
)
def test_every_execution_completes_and_no_activity_runs_twice(
    records: pytest.LogCaptureFixture, faults: str
) -> None:
    clock = VirtualClock()
    with LocalSWF(clock=clock, faults=faults, fault_seed=11) as swf:
        executions = _run_three(swf, clock)
        for execution in executions:
            _check_nothing_ran_twice(swf.client(), execution)
    assert _errors(records) == []


def test_an_answer_whose_reply_was_lost_is_not_sent_twice_and_says_so(
    records: pytest.LogCaptureFixture,
) -> None:
    with LocalSWF(clock=VirtualClock(), faults="RespondActivityTaskCompleted:drop@nth=1") as swf:
        _run_three(swf, None)
    said = [r.getMessage() for r in records.records if "probably got through" in r.getMessage()]
    assert len(said) == 1 and said[0].startswith("activity Steps.double")


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def test_workers_ride_out_a_five_second_outage_and_resume_within_two_seconds(
    records: pytest.LogCaptureFixture, tmp_path: Path
) -> None:
    db, port = str(tmp_path / "swf.sqlite"), _free_port()
    server = ServerProcess("--db", db, "--port", str(port))
    try:
        client = server.client()
        client.register_domain(name=DOMAIN, workflowExecutionRetentionPeriodInDays="1")
        workflow_worker = WorkflowWorker(
            None, "us-east-1", DOMAIN, TASK_LIST, Doubling, client=server.client()
        )
        activity_worker = ActivityWorker(
            None, "us-east-1", DOMAIN, TASK_LIST, Steps(), client=server.client()
        )
        with workflow_worker, activity_worker:
            with workflow_starter(None, "us-east-1", DOMAIN, TASK_LIST, client=client):
                first = Doubling.run(1)
            assert first.wait_for_completion(timeout=20) == 8
            server.stop()
            # The outage under test: the service stays away for five seconds while the workers
            # keep polling it.
            wait_until(lambda: activity_worker.stats.poll_errors >= 3, timeout=10, what="failed polls")
            threading.Event().wait(5)
            server = ServerProcess("--db", db, "--port", str(port))
            back_at = time.time()
            client = server.client()
            with workflow_starter(None, "us-east-1", DOMAIN, TASK_LIST, client=client):
                second = Doubling.run(2)
            assert second.wait_for_completion(timeout=20) == 16
            started = [
                e["eventTimestamp"].timestamp()
                for e in _history(client, second.workflow_execution)
                if e["eventType"] in ("DecisionTaskStarted", "ActivityTaskStarted")
            ]
            assert started[0] - back_at < 2.0, f"the workers took {started[0] - back_at:.1f} s to come back"
        for execution in (first.workflow_execution, second.workflow_execution):
            _check_nothing_ran_twice(client, execution)
    finally:
        server.stop()
    outage_warnings = [
        r for r in records.records if r.name == "awsflow.workers._outages" and r.levelno == logging.WARNING
    ]
    recoveries = [
        r for r in records.records if r.name == "awsflow.workers._outages" and r.levelno == logging.INFO
    ]
    assert len(outage_warnings) == 2, [r.getMessage() for r in outage_warnings]  # one per worker
    assert len(recoveries) == 2
    assert _errors(records) == []
