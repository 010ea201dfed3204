"""A workflow changed with ``patched`` while executions of it are open, end to end.

Executions start on V1 and wait on a timer; V2 (``patched``) replaces V1 under the same workflow
type; then V3 deprecates the patch. Every execution completes on the path it started on.
"""

from __future__ import annotations

from typing import Any

from flowkit import Flow

import awsflow
from awsflow import WorkflowDefinition, activities, activity, execute, workflow, workflow_time


@activities(schedule_to_start_timeout=60, start_to_close_timeout=60)
class Arithmetic:
    @activity("1.0")
    def double(self, x: int) -> int:
        return 2 * x

    @activity("1.0")
    def triple(self, x: int) -> int:
        return 3 * x


@workflow(name="Order")
class OrderV1(WorkflowDefinition):
    @execute(version="1.0", execution_start_to_close_timeout=3600)
    def run(self, x: int) -> Any:
        first = yield Arithmetic.double(x)
        yield workflow_time.sleep(60)
        return first


@workflow(name="Order")
class OrderV2(WorkflowDefinition):
    @execute(version="1.0", execution_start_to_close_timeout=3600)
    def run(self, x: int) -> Any:
        if awsflow.patched("triple"):
            first = yield Arithmetic.triple(x)
        else:
            first = yield Arithmetic.double(x)
        yield workflow_time.sleep(60)
        return first + 1000 if awsflow.patched("triple") else first


@workflow(name="Order")
class OrderV3(WorkflowDefinition):
    @execute(version="1.0", execution_start_to_close_timeout=3600)
    def run(self, x: int) -> Any:
        awsflow.deprecate_patch("triple")
        first = yield Arithmetic.triple(x)
        yield workflow_time.sleep(60)
        return first + 1000


def markers(flow: Flow, instance: Any) -> list[str]:
    return [
        event["markerRecordedEventAttributes"]["markerName"]
        for event in flow.history(instance.workflow_execution)
        if event["eventType"] == "MarkerRecorded"
    ]


def test_executions_open_across_a_patched_deploy_and_its_cleanup_all_complete(flow: Flow) -> None:
    flow.activity_worker(Arithmetic())
    with flow.workflow_worker(OrderV1, enter=False):
        old = OrderV1.run(5)
        flow.wait_for_event(old.workflow_execution, "TimerStarted")

    with flow.workflow_worker(OrderV2, enter=False):  # the deploy: same type, new code
        new = OrderV2.run(5)
        flow.wait_for_event(new.workflow_execution, "TimerStarted")
        flow.advance(61)
        flow.sticky_fallback(old.workflow_execution)  # routed to the stopped v1 worker: back
        assert old.wait_for_completion(timeout=10) == 10  # the old path, to the end
        assert new.wait_for_completion(timeout=10) == 1015
        pending = OrderV2.run(7)  # will finish under the cleanup deploy
        flow.wait_for_event(pending.workflow_execution, "TimerStarted")

    with flow.workflow_worker(OrderV3, enter=False):  # the cleanup: patch deprecated
        fresh = OrderV3.run(1)
        flow.wait_for_event(fresh.workflow_execution, "TimerStarted")
        flow.advance(61)
        flow.sticky_fallback(pending.workflow_execution)
        assert pending.wait_for_completion(timeout=10) == 1021
        assert fresh.wait_for_completion(timeout=10) == 1003

    assert markers(flow, old) == []
    assert markers(flow, new) == markers(flow, pending) == ["awsflow.patch.triple"]
    assert markers(flow, fresh) == []


# examples/versioning.py, deploy by deploy: its whole output is checked against the one
# docs/guides/versioning.rst shows (test_examples_tutorial.test_each_documented_output_...).
