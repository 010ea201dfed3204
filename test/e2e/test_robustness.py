"""Workers that die, code that changes under a running execution, and clean shutdown."""

from __future__ import annotations

import logging
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import flows
import pytest
from flowkit import TASK_LIST, Flow

from awsflow import WorkflowDefinition, activities, activity, execute, workflow, workflow_time

HERE = Path(__file__).resolve().parent


def test_a_task_lost_with_its_killed_worker_times_out_and_is_redone(flow: Flow) -> None:
    flow.workflow_worker(flows.RetriesLostTask)
    flow.activity_worker(flows.Unreliable(), enter=False)
    victim = subprocess.Popen(
        [sys.executable, str(HERE / "killable_worker.py"), flow.swf.endpoint_url, flow.domain, TASK_LIST],
        stdout=subprocess.PIPE,
        text=True,
        cwd=HERE,
    )
    try:
        instance = flows.RetriesLostTask.run()
        assert victim.stdout is not None and victim.stdout.readline() == "started\n"
        victim.kill()
        victim.wait(10)
    finally:
        victim.kill()
    flow.activity_worker(flows.Unreliable())  # a healthy worker arrives
    flow.advance(6)  # start-to-close is 5 s: the lost task times out
    flow.wait_for_event(instance.workflow_execution, "TimerStarted")  # retry_activity waits 1 s
    flow.advance(1)
    assert instance.wait_for_completion(timeout=10) == "done"
    types = flow.event_types(instance.workflow_execution)
    assert types.count("ActivityTaskTimedOut") == 1 and types.count("ActivityTaskCompleted") == 1


@activities(schedule_to_start_timeout=60, start_to_close_timeout=60)
class Other:
    @activity("1.0")
    def quote(self, item: str) -> float:
        return 9.0


@workflow(name="Versioned")
class VersionedEdited(WorkflowDefinition):
    """Versioned 1.0 after an incompatible edit: its first activity is another one."""

    @execute(version="1.0", execution_start_to_close_timeout=3600)
    def run(self) -> Any:
        first = yield Other.quote("apple")
        yield workflow_time.sleep(60)
        second = yield flows.Shop.price("pear")
        return first + second


def test_changed_code_fails_its_decision_task_and_fixed_code_carries_on(
    flow: Flow, caplog: pytest.LogCaptureFixture
) -> None:
    original = flow.workflow_worker(flows.Versioned, enter=False)
    flow.activity_worker(flows.Shop(), Other())
    original.__enter__()
    instance = flows.Versioned.run()
    flow.wait_for_event(instance.workflow_execution, "TimerStarted")
    original.__exit__(None, None, None)

    edited = flow.workflow_worker(VersionedEdited, enter=False)
    with caplog.at_level(logging.ERROR, logger="awsflow.workers.workflow_worker"), edited:
        flow.advance(60)  # the timer fires: a decision task the edited code cannot replay
        flow.wait_for_event(instance.workflow_execution, "TimerFired")
        flow.sticky_fallback(instance.workflow_execution)  # routed to the stopped original
        _wait_for_log(caplog, "replay diverged")
    message = next(r.getMessage() for r in caplog.records if "replay diverged" in r.getMessage())
    assert "Shop.price 1.0 (id '1')" in message and "Other.quote 1.0 (id '1')" in message
    assert "test_robustness.py" in message
    info = flow.client.describe_workflow_execution(domain=flow.domain, execution=_ids(instance))
    assert info["executionInfo"]["executionStatus"] == "OPEN"  # the execution waits for a fix

    with original:  # the fixed (original) code comes back
        flow.advance(30)  # the failure's retry timer (10 s) fires: a decision task it replays
        assert instance.wait_for_completion(timeout=10) == 0.5 + 0.75
    types = flow.event_types(instance.workflow_execution)
    assert "MarkerRecorded" in types  # the failure, recorded; the one timeout is the deploy's:
    assert [
        e["decisionTaskTimedOutEventAttributes"]["timeoutType"]
        for e in flow.history(instance.workflow_execution)
        if e["eventType"] == "DecisionTaskTimedOut"
    ] == ["SCHEDULE_TO_START"]


def test_leaving_the_with_block_stops_polling_and_leaves_no_thread(flow: Flow) -> None:
    worker = flow.workflow_worker(flows.Purchase, enter=False)
    activities_worker = flow.activity_worker(flows.Shop(), enter=False)
    with worker, activities_worker:
        # The decider polls the shared list and its own (routing), the activity worker its list.
        assert flow.swf.service.wait_for_pollers(3, timeout=10)
        assert len([thread for thread in threading.enumerate() if "Worker domain=" in thread.name]) == 3
    assert not worker.is_running and not activities_worker.is_running
    # (the service's own threads keep serving the clients' pooled connections)
    assert not [thread for thread in threading.enumerate() if "Worker domain=" in thread.name]
    assert flow.swf.service.wait_for_pollers(0, timeout=10, at_most=True)  # the service let them go


def _wait_for_log(caplog: pytest.LogCaptureFixture, text: str) -> None:
    from flowkit import wait_until

    wait_until(lambda: any(text in r.getMessage() for r in caplog.records), what=f"a log saying {text!r}")


def _ids(instance: Any) -> dict[str, str]:
    return {
        "workflowId": instance.workflow_execution.workflow_id,
        "runId": instance.workflow_execution.run_id,
    }
