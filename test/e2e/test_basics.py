"""Activities, failures, results and starters, end to end over HTTP against awsflow.local."""

from __future__ import annotations

import gc
import subprocess
import sys
import threading
from collections import Counter
from pathlib import Path
from typing import Any

import flows
import pytest
from flowkit import TASK_LIST, Flow
from waiting import wait_until

from awsflow import workflow_starter
from awsflow.exceptions import WorkflowFailedError

ROOT = Path(__file__).resolve().parents[2]


def test_hello_world_example_prints_its_greeting() -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "hello_world.py")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == "Hello World!\n"
    assert "Traceback" not in done.stderr


def test_a_workflow_of_activities_returns_its_result(flow: Flow) -> None:
    flow.workflow_worker(flows.Purchase)
    flow.activity_worker(flows.Shop())
    instance = flows.Purchase.buy("pear", 4)
    assert instance.wait_for_completion(timeout=10) == "receipt for 3.0"
    scheduled = [
        e for e in flow.history(instance.workflow_execution) if e["eventType"] == "ActivityTaskScheduled"
    ]
    attributes = [e["activityTaskScheduledEventAttributes"] for e in scheduled]
    assert [a["activityType"]["name"] for a in attributes] == ["Shop.price", "Shop.charge"]
    assert attributes[0]["input"] == '[{"__tuple":["pear"]},{"quantity":4}]'


def test_an_activity_failure_fails_the_workflow_with_the_original_exception(flow: Flow) -> None:
    flow.workflow_worker(flows.Purchase)
    flow.activity_worker(flows.Shop())
    instance = flows.Purchase.buy("apple", 1000)
    with pytest.raises(WorkflowFailedError) as info:
        instance.wait_for_completion(timeout=10)
    assert isinstance(info.value.cause, flows.PaymentDeclined)
    assert info.value.cause.args == ("500.0 is over the limit",)
    remote = "".join(info.value.format_exc())
    assert "in buy" in remote and "awsflow/core" not in remote  # the workflow's own frames


def test_workflow_starter_starts_executions_for_workers_elsewhere(flow: Flow) -> None:
    flow.workflow_worker(flows.Purchase)
    flow.activity_worker(flows.Shop())
    with workflow_starter(None, "us-east-1", flow.domain, TASK_LIST, client=flow.swf.client()) as starter:
        instance = flows.Purchase.buy("apple", 2)
        assert instance.workflow_execution.run_id
    assert starter.wait_for_completion(instance, 0.1, 100) == "receipt for 1.0"


def test_activity_context_tells_the_activity_its_task_and_execution(flow: Flow) -> None:
    flow.workflow_worker(flows.Identify)
    flow.activity_worker(flows.Shop())
    instance = flows.Identify.run()
    results = instance.wait_for_completion(timeout=10)
    assert sorted(task_id for task_id, _ in results) == [str(n) for n in range(1, 7)]
    assert {workflow_id for _, workflow_id in results} == {instance.workflow_execution.workflow_id}


def test_several_activity_workers_share_one_task_list(flow: Flow) -> None:
    flow.workflow_worker(flows.Identify)
    flow.activity_worker(flows.Shop(), identity="worker-one")
    flow.activity_worker(flows.Shop(), identity="worker-two")
    instance = flows.Identify.run()
    instance.wait_for_completion(timeout=10)
    identities = {
        e["activityTaskStartedEventAttributes"]["identity"]
        for e in flow.history(instance.workflow_execution)
        if e["eventType"] == "ActivityTaskStarted"
    }
    assert identities <= {"worker-one", "worker-two"} and identities


def test_the_types_are_registered_with_their_decorator_defaults(flow: Flow) -> None:
    flow.workflow_worker(flows.Purchase)
    flow.activity_worker(flows.Shop())
    activity = flow.client.describe_activity_type(
        domain=flow.domain, activityType={"name": "Shop.wait_at_gate", "version": "1.0"}
    )
    config = activity["configuration"]
    # the method's own options win over the class's (botoflow's precedence)
    assert (config["defaultTaskStartToCloseTimeout"], config["defaultTaskHeartbeatTimeout"]) == ("30", "10")
    assert config["defaultTaskScheduleToStartTimeout"] == "60"  # from @activities
    assert config["defaultTaskList"] == {"name": TASK_LIST}
    workflow = flow.client.describe_workflow_type(
        domain=flow.domain, workflowType={"name": "Purchase", "version": "1.0"}
    )
    assert workflow["configuration"]["defaultExecutionStartToCloseTimeout"] == "600"
    assert workflow["configuration"]["defaultTaskStartToCloseTimeout"] == "30"
    assert workflow["configuration"]["defaultChildPolicy"] == "TERMINATE"


def test_task_priority_reaches_the_scheduled_activity(flow: Flow) -> None:
    flow.workflow_worker(flows.Prioritised)
    flow.activity_worker(flows.Shop())
    instance = flows.Prioritised.run()
    instance.wait_for_completion(timeout=10)
    scheduled = flow.wait_for_event(instance.workflow_execution, "ActivityTaskScheduled")
    assert scheduled["activityTaskScheduledEventAttributes"]["taskPriority"] == "7"


def test_a_worker_new_to_a_run_reads_its_whole_history_page_by_page(flow: Flow) -> None:
    first = flow.workflow_worker(flows.CrowdThenNap, enter=False)
    flow.activity_worker(flows.Shop())
    with first:
        instance = flows.CrowdThenNap.run(300)

        def napping() -> bool:  # the nap's timer, not those that split the 300 decisions
            return any(
                e["eventType"] == "TimerStarted"
                and not e["timerStartedEventAttributes"]["timerId"].startswith("awsflow.")
                for e in flow.history(instance.workflow_execution)
            )

        wait_until(napping, 20, "the nap's TimerStarted")
    assert len(flow.history(instance.workflow_execution)) > 1000  # SWF pages histories by 1000
    second = flow.workflow_worker(flows.CrowdThenNap, enter=False)  # knows nothing of the run
    calls = _count_calls(second)
    with second:
        flow.advance(60)
        flow.sticky_fallback(instance.workflow_execution)  # routed to the stopped first worker
        assert instance.wait_for_completion(timeout=60) == sum(0.5 * i for i in range(300))
    assert calls["GetWorkflowExecutionHistory"] == 2  # two pages of the whole history
    assert gc.isenabled()  # held off while each task was decided, back on after


def test_a_worker_feeds_its_kept_replay_only_the_new_events(flow: Flow) -> None:
    worker = flow.workflow_worker(flows.Countdown, enter=False)
    flow.activity_worker(flows.Shop())
    calls = _count_calls(worker)
    with worker:
        instance = flows.Countdown.run(0)
        assert instance.wait_for_completion(timeout=10) == "lift-off"
    assert calls["RespondDecisionTaskCompleted"] == 2
    assert calls["GetWorkflowExecutionHistory"] == 0  # the second task reused the first's replay


def _count_calls(worker: Any) -> Counter[str]:
    calls: Counter[str] = Counter()
    original = worker._call

    def counting(operation: str, request: dict[str, Any]) -> Any:
        if not request.get("reverseOrder"):  # not wait_for_completion reading the last event
            calls[operation] += 1
        return original(operation, request)

    worker._call = counting
    return calls


def test_workflow_workers_sharing_a_task_list_take_turns_on_the_same_runs(flow: Flow) -> None:
    flow.workflow_worker(flows.Countdown)
    flow.workflow_worker(flows.Countdown)  # a decision task may go to either: kept replays go stale
    flow.activity_worker(flows.Shop())
    instances = [flows.Countdown.run(3) for _ in range(4)]
    assert [instance.wait_for_completion(timeout=20) for instance in instances] == ["lift-off"] * 4


def test_a_sticky_worker_gets_its_runs_next_decision_tasks_on_its_own_list(flow: Flow) -> None:
    worker = flow.workflow_worker(flows.Purchase, enter=False, sticky_schedule_to_start_timeout=5)
    flow.activity_worker(flows.Shop())
    calls = _count_calls(worker)
    with worker:
        instance = flows.Purchase.buy("pear", 2)
        assert instance.wait_for_completion(timeout=10) == "receipt for 1.5"
    scheduled = [
        e["decisionTaskScheduledEventAttributes"]["taskList"]["name"]
        for e in flow.history(instance.workflow_execution)
        if e["eventType"] == "DecisionTaskScheduled"
    ]
    assert scheduled[0] == TASK_LIST and all(
        name.startswith(f"{TASK_LIST}-sticky-") for name in scheduled[1:]
    )
    assert len(scheduled) == 3 and calls["GetWorkflowExecutionHistory"] == 0


def test_a_run_stuck_on_a_stopped_workers_sticky_list_returns_to_the_shared_list(flow: Flow) -> None:
    sticky = flow.workflow_worker(flows.Napping, enter=False, sticky_schedule_to_start_timeout=5)
    with sticky:
        instance = flows.Napping.run(1)
        flow.wait_for_event(instance.workflow_execution, "TimerStarted")
    flow.workflow_worker(flows.Napping)  # an ordinary worker on the shared list
    flow.advance(3600)  # the timer fires: the next decision task goes to the stopped worker's list
    flow.wait_for_event(instance.workflow_execution, "TimerFired")
    flow.advance(5)  # nobody starts it there: it times out and goes back to the shared list
    assert instance.wait_for_completion(timeout=10) == 3605  # decided 5 s late, in workflow time too
    timed_out = flow.wait_for_event(instance.workflow_execution, "DecisionTaskTimedOut")
    assert timed_out["decisionTaskTimedOutEventAttributes"]["timeoutType"] == "SCHEDULE_TO_START"


def test_a_worker_run_in_the_foreground_routes_to_its_own_list_too(flow: Flow) -> None:
    worker = flow.workflow_worker(flows.Purchase, enter=False)  # routing on: the default
    flow.activity_worker(flows.Shop())
    calls = _count_calls(worker)
    runner = threading.Thread(target=worker.run)  # run(): a background thread polls its own list
    runner.start()
    try:
        with workflow_starter(None, "us-east-1", flow.domain, TASK_LIST, client=flow.swf.client()):
            instance = flows.Purchase.buy("pear", 2)
        assert instance.wait_for_completion(timeout=10) == "receipt for 1.5"
    finally:
        worker.stop()
        runner.join()
    assert not worker.is_running  # run() joined its own list's poller before returning
    scheduled = [
        e["decisionTaskScheduledEventAttributes"]["taskList"]["name"]
        for e in flow.history(instance.workflow_execution)
        if e["eventType"] == "DecisionTaskScheduled"
    ]
    assert scheduled == [TASK_LIST, worker.sticky_task_list, worker.sticky_task_list]
    assert calls["GetWorkflowExecutionHistory"] == 0
    assert (worker.stats.decisions_sticky, worker.stats.decisions_cold) == (2, 0)
