"""Routing a run's decision tasks to the worker holding its replay (on by default).

SWF-SEMANTICS §4.6 and §10.6: an answer's ``taskList`` sends the run's next decision tasks to a
list only that worker polls; ``taskListScheduleToStartTimeout`` sends one nobody starts there in
time back to the run's own list, as does an answer naming the run's own list.
"""

from __future__ import annotations

import threading
from typing import Any

import flows
import pytest
from flowkit import TASK_LIST, Flow
from waiting import wait_until

from awsflow import WorkflowDefinition, WorkflowWorker, execute, workflow_starter
from awsflow.local import LocalSWF, VirtualClock


class Steps(WorkflowDefinition):
    @execute(version="1.0", execution_start_to_close_timeout=600)
    def run(self, n: int) -> Any:
        total = 0.0
        for _ in range(n):
            total += yield flows.Shop.price("apple")
        return total


def test_two_workers_on_one_task_list_decide_every_later_task_from_their_kept_replay(flow: Flow) -> None:
    workers = [flow.workflow_worker(Steps), flow.workflow_worker(Steps)]  # default settings
    flow.activity_worker(flows.Shop(), max_concurrent=4)
    runs, steps = 8, 5
    instances = [Steps.run(steps) for _ in range(runs)]
    assert [instance.wait_for_completion(timeout=30) for instance in instances] == [0.5 * steps] * runs
    stats = [worker.stats for worker in workers]
    assert sum(s.decisions_cold for s in stats) == 0
    assert sum(s.decisions_sticky for s in stats) == runs * steps  # every task after each run's first
    for instance in instances:  # and each run stayed with the worker that took its first task
        lists = {
            e["decisionTaskScheduledEventAttributes"]["taskList"]["name"]
            for e in flow.history(instance.workflow_execution)[1:]
            if e["eventType"] == "DecisionTaskScheduled"
        } - {TASK_LIST}
        assert len(lists) == 1 and lists <= {w.sticky_task_list for w in workers}


def test_the_next_task_taken_while_the_answer_is_still_on_its_way_back_is_decided_sticky(
    flow: Flow,
) -> None:
    # The answering thread is held after SWF took its answer, until the worker's other poller has
    # taken the run's next task: the replay must already be kept by then.
    client = flow.swf.client()
    next_task_taken = threading.Event()
    tasks_taken = []

    def polled(parsed: dict[str, Any], **kwargs: Any) -> None:
        if parsed.get("taskToken"):
            tasks_taken.append(parsed["startedEventId"])
            if len(tasks_taken) == 2:
                next_task_taken.set()

    def answered(**kwargs: Any) -> None:
        if len(tasks_taken) == 1:  # the first task's answer: wait for the next task's poll
            next_task_taken.wait(timeout=10)

    client.meta.events.register("after-call.swf.PollForDecisionTask", polled)
    client.meta.events.register("after-call.swf.RespondDecisionTaskCompleted", answered)
    worker = WorkflowWorker(None, "us-east-1", flow.domain, TASK_LIST, Steps, client=client)
    flow.activity_worker(flows.Shop())
    with worker:
        instance = Steps.run(1)
        assert instance.wait_for_completion(timeout=30) == 0.5
    assert next_task_taken.is_set()  # the race did happen
    assert (worker.stats.decisions_sticky, worker.stats.decisions_cold) == (1, 0)


def test_a_stopping_worker_gives_the_run_it_decides_back_to_the_shared_list() -> None:
    domain = "routing"
    # A service that makes no promise to answer released polls, as Amazon SWF: the stopping
    # worker's polls stay held, and a task handed to one is decided.
    with LocalSWF(clock=VirtualClock(), announce_poll_release=False) as swf:
        client = swf.client()
        client.register_domain(name=domain, workflowExecutionRetentionPeriodInDays="1")
        first = WorkflowWorker(None, "us-east-1", domain, TASK_LIST, flows.Signals, client=swf.client())
        first.start()
        assert swf.service.wait_for_pollers(2, timeout=10)
        with workflow_starter(None, "us-east-1", domain, TASK_LIST, client=client):
            instance = flows.Signals.run(2)
        ids = {
            "workflowId": instance.workflow_execution.workflow_id,
            "runId": instance.workflow_execution.run_id,
        }

        def history() -> list[dict[str, Any]]:
            return client.get_workflow_execution_history(domain=domain, execution=ids)["events"]

        def completed() -> list[dict[str, Any]]:
            return [
                e["decisionTaskCompletedEventAttributes"]
                for e in history()
                if e["eventType"] == "DecisionTaskCompleted"
            ]

        wait_until(lambda: len(completed()) == 1, 10, "the first decision")
        assert completed()[0]["taskList"] == {"name": first.sticky_task_list}
        first.stop()
        client.signal_workflow_execution(domain=domain, signalName="deliver", input='[["one"], {}]', **ids)
        wait_until(lambda: len(completed()) == 2, 10, "the decision the stopping worker took")
        assert completed()[1]["taskList"] == {"name": TASK_LIST}  # given back, no timeout
        swf.service.end_held_polls()  # its shared list's poll ends empty, as its timeout would
        first.join(10)
        assert not first.is_running

        second = WorkflowWorker(None, "us-east-1", domain, TASK_LIST, flows.Signals, client=swf.client())
        second.start()
        client.signal_workflow_execution(domain=domain, signalName="deliver", input='[["two"], {}]', **ids)
        assert instance.wait_for_completion(timeout=10) == ["one", "two"]
        second.stop()
        swf.service.end_held_polls()
        second.join(10)
        scheduled = [
            e["decisionTaskScheduledEventAttributes"]["taskList"]["name"]
            for e in history()
            if e["eventType"] == "DecisionTaskScheduled"
        ]
        assert scheduled == [TASK_LIST, first.sticky_task_list, TASK_LIST]
        assert "DecisionTaskTimedOut" not in [e["eventType"] for e in history()]
        assert second.stats.decisions_cold == 1  # new to the run: replayed from the whole history


def test_routing_can_be_turned_off_and_its_timeout_must_be_whole_seconds(flow: Flow) -> None:
    worker = flow.workflow_worker(Steps, sticky_schedule_to_start_timeout=None)
    flow.activity_worker(flows.Shop())
    instance = Steps.run(2)
    assert instance.wait_for_completion(timeout=10) == 1.0
    lists = {
        e["decisionTaskScheduledEventAttributes"]["taskList"]["name"]
        for e in flow.history(instance.workflow_execution)
        if e["eventType"] == "DecisionTaskScheduled"
    }
    assert lists == {TASK_LIST} and worker.stats.decisions_sticky == 2  # one worker: still kept
    with pytest.raises(ValueError, match="1 or more"):
        flow.workflow_worker(Steps, enter=False, sticky_schedule_to_start_timeout=0)


@pytest.mark.parametrize("routing", [True, False])
def test_start_polls_the_sticky_list_with_as_many_threads_as_the_shared_list(routing: bool) -> None:
    # All but the first decision task of each run come on the sticky list: one thread there
    # decided them one at a time, however many pollers the shared list had.
    with LocalSWF(clock=VirtualClock()) as swf:
        client = swf.client()
        client.register_domain(name="pollers", workflowExecutionRetentionPeriodInDays="1")
        options: dict[str, Any] = {} if routing else {"sticky_schedule_to_start_timeout": None}
        worker = WorkflowWorker(None, "us-east-1", "pollers", TASK_LIST, Steps, client=client, **options)
        worker.start(3)
        try:
            expected = 6 if routing else 3
            assert swf.service.wait_for_pollers(expected, timeout=10)
            assert swf.service.wait_for_pollers(expected, timeout=10, at_most=True)
        finally:
            worker.stop()
            worker.join()
