"""The cyclic collector is held off while a decision task is decided, never while its answer waits.

A throttled or failing answer is retried for minutes (``ANSWER_PATIENCE``) with backoff; the
collector is process-wide, so holding it off meanwhile would stop it for every thread of the
process (activities included) for as long as SWF does not take the answer.
"""

from __future__ import annotations

import gc
import time
from typing import Any

import pytest

from awsflow import WorkflowDefinition, WorkflowWorker, execute, workflow_starter
from awsflow.local import LocalSWF, VirtualClock

DOMAIN = "collector"
TASK_LIST = "collector"


class Quick(WorkflowDefinition):
    @execute(version="1.0", execution_start_to_close_timeout=600, task_start_to_close_timeout=60)
    def run(self) -> Any:
        return 1
        yield  # a generator: the workflow's body


class Other(WorkflowDefinition):
    @execute(version="1.0", execution_start_to_close_timeout=600, task_start_to_close_timeout=60)
    def run(self) -> Any:
        return 2
        yield  # a generator: the workflow's body


@pytest.mark.parametrize(
    "decider",
    [
        pytest.param(Quick, id="decided"),
        pytest.param(Other, id="failed: the worker lacks the run's workflow type"),
    ],
)
def test_the_collector_runs_while_an_answer_swf_refused_waits_to_be_sent_again(decider: type) -> None:
    faults = "RespondDecisionTaskCompleted:throttle@nth=1"
    with LocalSWF(clock=VirtualClock(start=time.time()), faults=faults) as swf:
        client = swf.client()
        client.register_domain(name=DOMAIN, workflowExecutionRetentionPeriodInDays="1")
        collecting: list[bool] = []  # at each attempt to answer the decision task

        def answering(**kwargs: Any) -> None:
            collecting.append(gc.isenabled())

        client.meta.events.register("before-call.swf.RespondDecisionTaskCompleted", answering)
        WorkflowWorker(None, "us-east-1", DOMAIN, TASK_LIST, Quick, client=client)  # registers its type
        assert gc.isenabled()
        with workflow_starter(None, "us-east-1", DOMAIN, TASK_LIST, client=client):
            instance = Quick.run()
        deciding = WorkflowWorker(None, "us-east-1", DOMAIN, TASK_LIST, decider, client=client)
        assert deciding.run_once() is True
        assert collecting == [True, True]  # throttled once, then taken; both sent collecting
        assert gc.isenabled()
        if decider is Quick:
            assert instance.wait_for_completion(timeout=10) == 1
        else:  # the failure was recorded: the task is retried after a while
            assert deciding.stats.tasks_failed == 1
