"""Workers against a service that misbehaves on purpose (``LocalSWF(faults=...)``, a restart).

Whatever the fault — throttling, 5xx answers, answers committed but lost on the way back, poll
answers lost with their task, a 5 s outage — every execution completes with its result, and no
activity runs twice except where SWF itself timed it out: each run of an activity's code is
counted (``fault_flows.runs``) and compared with the ActivityTaskTimedOut events of its history.
"""

from __future__ import annotations

import logging
import socket
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import fault_flows
import pytest
from fault_flows import Steps, ThreeSteps
from flowkit import TASK_LIST, Flow
from server_process import ServerProcess
from waiting import wait_until

from awsflow import ActivityWorker, WorkflowWorker
from awsflow.local import LocalSWF, VirtualClock

# Faults on the workers' own calls (starting executions is the test's, and is left alone).
WORKER_CALLS = "PollFor*,Respond*,GetWorkflowExecutionHistory"


@contextmanager
def faulty(clock: VirtualClock, faults: str) -> Iterator[Flow]:
    fault_flows.runs.clear()
    with LocalSWF(clock=clock, faults=faults) as swf, ExitStack() as stack:
        client = swf.client(retries={"mode": "standard", "max_attempts": 10})  # the test's own reads
        domain = f"faults-{uuid.uuid4().hex[:8]}"
        client.register_domain(name=domain, workflowExecutionRetentionPeriodInDays="1")
        yield Flow(swf, clock, client, domain, stack)


def _start(flow: Flow, count: int) -> list[Any]:
    flow.workflow_worker(ThreeSteps)
    flow.activity_worker(Steps())
    return [ThreeSteps.run(f"t{n}") for n in range(count)]


def _history(client: Any, domain: str, instance: Any) -> list[dict[str, Any]]:
    execution = instance.workflow_execution
    request = {
        "domain": domain,
        "execution": {"workflowId": execution.workflow_id, "runId": execution.run_id},
    }
    events: list[dict[str, Any]] = []
    for page in client.get_paginator("get_workflow_execution_history").paginate(**request):
        events.extend(page["events"])
    return events


def assert_done_and_nothing_ran_twice(client: Any, domain: str, instances: list[Any]) -> Counter[str]:
    """Every execution completed right, and each activity ran once plus once per SWF timeout of it.

    Returns the timeouts found, by event type (ActivityTaskTimedOut, DecisionTaskTimedOut).
    """
    timeouts: Counter[str] = Counter()
    for n, instance in enumerate(instances):
        assert instance.wait_for_completion(timeout=60) == [f"T{n}-A", f"T{n}-B", f"T{n}-C"]
        history = _history(client, domain, instance)
        timeouts.update(e["eventType"] for e in history if e["eventType"].endswith("TimedOut"))
        scheduled = {
            e["eventId"]: e["activityTaskScheduledEventAttributes"]["activityId"]
            for e in history
            if e["eventType"] == "ActivityTaskScheduled"
        }
        timed_out = Counter(
            scheduled[e["activityTaskTimedOutEventAttributes"]["scheduledEventId"]]
            for e in history
            if e["eventType"] == "ActivityTaskTimedOut"
        )
        completed = [
            scheduled[e["activityTaskCompletedEventAttributes"]["scheduledEventId"]]
            for e in history
            if e["eventType"] == "ActivityTaskCompleted"
        ]
        workflow_id = instance.workflow_execution.workflow_id
        ran = {activity: count for (wid, activity), count in fault_flows.runs.items() if wid == workflow_id}
        for activity, count in ran.items():
            assert count <= 1 + timed_out[activity], f"{workflow_id}: activity {activity} ran {count} times"
        assert len(completed) == 3 and all(ran.get(activity) for activity in completed)
    return timeouts


@pytest.mark.parametrize(
    "faults",
    [
        f"throttle:{WORKER_CALLS}:every=3",
        f"503:{WORKER_CALLS}:every=4; 500:RespondActivityTaskCompleted:nth=2",
    ],
    ids=["throttling", "server-errors"],
)
def test_workers_ride_out_refused_calls(clock: VirtualClock, faults: str) -> None:
    with faulty(clock, faults) as flow:
        instances = _start(flow, 3)
        timeouts = assert_done_and_nothing_ran_twice(flow.client, flow.domain, instances)
        assert sum(flow.swf.faults_injected.values()) >= 5
    assert not timeouts  # the clock never moved: nothing can have timed out


def test_answers_committed_but_lost_on_the_way_back_are_not_sent_twice(
    clock: VirtualClock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="awsflow")
    faults = "drop:RespondActivityTaskCompleted:every=2; drop:RespondDecisionTaskCompleted:every=3"
    with faulty(clock, faults) as flow:
        instances = _start(flow, 3)
        assert not assert_done_and_nothing_ran_twice(flow.client, flow.domain, instances)
        dropped = flow.swf.faults_injected["drop"]
    recorded = [r for r in caplog.records if "most likely recorded by an earlier attempt" in r.getMessage()]
    assert dropped >= 4 and len(recorded) == dropped  # each retry met "Unknown task token"
    assert all(r.levelno == logging.INFO for r in recorded)
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


def test_tasks_whose_poll_answer_is_lost_time_out_and_run_once(
    clock: VirtualClock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="awsflow")
    faults = "lose:PollForDecisionTask:nth=1; lose:PollForActivityTask:nth=1"
    with faulty(clock, faults) as flow:
        instances = _start(flow, 2)
        # The first execution's first decision task and the second's first activity task are
        # lost: both executions wait for SWF's timeouts (10 s and 20 s), which the clock brings.
        wait_until(lambda: flow.swf.faults_injected.get("lose") == 2, what="both lost tasks")
        wait_until(lambda: _quiet(flow), what="the workers idle, waiting on SWF")
        flow.advance(21)
        timeouts = assert_done_and_nothing_ran_twice(flow.client, flow.domain, instances)
    assert timeouts == Counter({"DecisionTaskTimedOut": 1, "ActivityTaskTimedOut": 1})
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]  # a lost answer is no error


def _quiet(flow: Flow) -> bool:
    """No task is waiting to be taken (the only started ones are the lost ones)."""
    pending = [
        flow.client.count_pending_decision_tasks(domain=flow.domain, taskList={"name": TASK_LIST})["count"],
        flow.client.count_pending_activity_tasks(domain=flow.domain, taskList={"name": TASK_LIST})["count"],
    ]
    return pending == [0, 0] and flow.swf.service.waiting_pollers() == 2


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


OUTAGE = 5.0


def test_workers_ride_out_a_service_restart_and_resume_within_two_seconds(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="awsflow")
    fault_flows.runs.clear()
    fault_flows.gates["t0-a"] = threading.Event()
    fault_flows.entered["t0-a"] = threading.Event()
    args = ["--db", str(tmp_path / "swf.sqlite"), "--port", str(_free_port())]
    service = ServerProcess(*args)
    try:
        client: Any = service.client()
        client.register_domain(name="outage", workflowExecutionRetentionPeriodInDays="1")
        with (
            WorkflowWorker(None, "us-east-1", "outage", TASK_LIST, ThreeSteps, client=service.client()),
            ActivityWorker(None, "us-east-1", "outage", TASK_LIST, Steps(), client=service.client()),
        ):
            instances = [ThreeSteps.run(f"t{n}") for n in range(3)]
            assert fault_flows.entered["t0-a"].wait(30)  # an activity is running
            service.kill()
            fault_flows.gates["t0-a"].set()  # it ends while the service is down: its answer waits
            threading.Event().wait(OUTAGE)  # the outage itself, not a wait for something
            service = ServerProcess(*args)
            back_at = time.time()
            done = assert_done_and_nothing_ran_twice(service.client(), "outage", instances)
    finally:
        fault_flows.gates.pop("t0-a").set()
        service.stop()
    assert not done  # 5 s down, 20 s timeouts: SWF timed nothing out
    health = [r for r in caplog.records if r.name == "awsflow.workers._service_health"]
    warnings = [r for r in health if r.levelno == logging.WARNING]
    infos = [r for r in health if r.levelno == logging.INFO]
    assert len(warnings) == 2 and all("SWF unreachable" in r.getMessage() for r in warnings)  # one a worker
    assert len(infos) == 2 and all("answers again" in r.getMessage() for r in infos)
    assert max(r.created for r in infos) - back_at < 2.0, "the workers resumed late"
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
