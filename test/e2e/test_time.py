"""Timers and every timeout, on the service's virtual clock: hours pass in no wall time."""

from __future__ import annotations

import flows
import pytest
from flowkit import Flow

from awsflow import workflow_options
from awsflow.exceptions import WorkflowTimedOutError


def test_a_five_hour_sleep_completes_when_the_clock_moves(flow: Flow) -> None:
    flow.workflow_worker(flows.Napping)
    instance = flows.Napping.run(5)
    flow.wait_for_event(instance.workflow_execution, "TimerStarted")
    flow.advance(5 * 3600)
    assert instance.wait_for_completion(timeout=10) == 5 * 3600


def test_an_activity_nobody_polls_times_out_schedule_to_start(flow: Flow) -> None:
    flow.workflow_worker(flows.Unassigned)
    flow.activity_worker(flows.Shop(), enter=False)  # registers the activity types, polls nothing
    instance = flows.Unassigned.run(None)
    flow.wait_for_event(instance.workflow_execution, "ActivityTaskScheduled")
    flow.advance(61)
    assert instance.wait_for_completion(timeout=10) == "SCHEDULE_TO_START"


def test_schedule_to_close_fires_before_a_longer_schedule_to_start(flow: Flow) -> None:
    flow.workflow_worker(flows.Unassigned)
    flow.activity_worker(flows.Shop(), enter=False)  # registers the activity types, polls nothing
    instance = flows.Unassigned.run(40)
    flow.wait_for_event(instance.workflow_execution, "ActivityTaskScheduled")
    flow.advance(41)
    assert instance.wait_for_completion(timeout=10) == "SCHEDULE_TO_CLOSE"


def test_a_running_activity_times_out_start_to_close(flow: Flow) -> None:
    flow.workflow_worker(flows.Gated)
    flow.activity_worker(flows.Shop())
    flows.gate("slow")
    instance = flows.Gated.run("slow", False)
    assert flows.started["slow"].wait(10)
    flow.advance(31)
    assert instance.wait_for_completion(timeout=10) == "timed out: START_TO_CLOSE"


def test_an_activity_that_stops_heartbeating_times_out_heartbeat(flow: Flow) -> None:
    flow.workflow_worker(flows.Gated)
    flow.activity_worker(flows.Shop())
    flows.gate("silent")
    instance = flows.Gated.run("silent", True)
    assert flows.started["silent"].wait(10)
    flow.advance(11)
    assert instance.wait_for_completion(timeout=10) == "timed out: HEARTBEAT"


def test_the_execution_times_out_at_its_start_to_close_timeout(flow: Flow) -> None:
    flow.workflow_worker(flows.Napping)
    with workflow_options(execution_start_to_close_timeout=120):
        instance = flows.Napping.run(1)
    flow.wait_for_event(instance.workflow_execution, "TimerStarted")
    flow.advance(121)
    with pytest.raises(WorkflowTimedOutError):
        instance.wait_for_completion(timeout=10)
