"""Every timeout SWF enforces, on the virtual clock (SWF-SEMANTICS §7)."""

from __future__ import annotations

from typing import Any

import pytest
from swf_helpers import (
    TASK_LIST,
    decide,
    decision,
    describe,
    event_types,
    last,
    poll_activity,
    poll_decision,
    register_activity_type,
    schedule,
    setup_domain,
    start,
)

from awsflow.local import LocalSWF, VirtualClock


@pytest.fixture
def run(client: Any, domain: str) -> dict[str, str]:
    setup_domain(client, domain)
    return start(client, domain)


def test_the_run_times_out_and_its_tokens_die(
    client: Any, domain: str, run: dict[str, str], clock: Any
) -> None:
    task = poll_decision(client, domain)
    clock.advance(3599)
    assert describe(client, domain, run)["executionInfo"]["executionStatus"] == "OPEN"
    clock.advance(1)
    # The decision task timed out after 60 s and was rescheduled (events 4, 5) first.
    assert last(client, domain, run, "WorkflowExecutionTimedOut") == {
        "eventId": 6,
        "timeoutType": "START_TO_CLOSE",
        "childPolicy": "TERMINATE",
    }
    assert describe(client, domain, run)["executionInfo"]["closeStatus"] == "TIMED_OUT"
    with pytest.raises(client.exceptions.UnknownResourceFault):
        client.respond_decision_task_completed(taskToken=task["taskToken"], decisions=[])


def test_a_decision_task_times_out_and_is_rescheduled(
    client: Any, domain: str, run: dict[str, str], clock: Any
) -> None:
    first = poll_decision(client, domain)
    clock.advance(60)
    assert last(client, domain, run, "DecisionTaskTimedOut") == {
        "eventId": 4,
        "timeoutType": "START_TO_CLOSE",
        "scheduledEventId": 2,
        "startedEventId": 3,
    }
    assert event_types(client, domain, run)[-1] == "DecisionTaskScheduled"
    with pytest.raises(client.exceptions.UnknownResourceFault):
        client.respond_decision_task_completed(taskToken=first["taskToken"], decisions=[])
    second = decide(client, domain, decision("CompleteWorkflowExecution"))
    assert second["startedEventId"] == 6
    # The timed-out task was never processed by a decider.
    assert second["previousStartedEventId"] == 0
    assert describe(client, domain, run)["executionInfo"]["closeStatus"] == "COMPLETED"


@pytest.mark.parametrize(
    ("timeouts", "start_it", "advance", "kind"),
    [
        ({"scheduleToStartTimeout": "10"}, False, 10, "SCHEDULE_TO_START"),
        ({"scheduleToCloseTimeout": "10"}, False, 10, "SCHEDULE_TO_CLOSE"),
        ({"scheduleToCloseTimeout": "10"}, True, 10, "SCHEDULE_TO_CLOSE"),
        ({"startToCloseTimeout": "10"}, True, 10, "START_TO_CLOSE"),
        ({"heartbeatTimeout": "10"}, True, 10, "HEARTBEAT"),
    ],
)
def test_activity_timeouts(
    client: Any,
    domain: str,
    run: dict[str, str],
    clock: Any,
    timeouts: dict[str, str],
    start_it: bool,
    advance: int,
    kind: str,
) -> None:
    decide(client, domain, schedule("a1", **timeouts))
    token = poll_activity(client, domain)["taskToken"] if start_it else None
    clock.advance(advance - 1)
    assert "ActivityTaskTimedOut" not in event_types(client, domain, run)
    clock.advance(1)
    timed_out = last(client, domain, run, "ActivityTaskTimedOut")
    assert timed_out["timeoutType"] == kind
    assert timed_out["scheduledEventId"] == 5
    assert timed_out["startedEventId"] == (6 if start_it else 0)
    assert event_types(client, domain, run)[-1] == "DecisionTaskScheduled"
    assert describe(client, domain, run)["openCounts"]["openActivityTasks"] == 0
    assert client.count_pending_activity_tasks(domain=domain, taskList=TASK_LIST)["count"] == 0
    if token is not None:
        with pytest.raises(client.exceptions.UnknownResourceFault):
            client.respond_activity_task_completed(taskToken=token)


def test_heartbeats_extend_the_heartbeat_timeout_and_their_details_are_kept(
    client: Any, domain: str, run: dict[str, str], clock: Any
) -> None:
    decide(client, domain, schedule("a1", heartbeatTimeout="10"))
    token = poll_activity(client, domain)["taskToken"]
    for step in range(5):
        clock.advance(9)
        client.record_activity_task_heartbeat(taskToken=token, details=f"{step * 20}%")
    assert "ActivityTaskTimedOut" not in event_types(client, domain, run)
    clock.advance(10)
    timed_out = last(client, domain, run, "ActivityTaskTimedOut")
    assert timed_out["timeoutType"] == "HEARTBEAT"
    assert timed_out["details"] == "80%"


def test_heartbeats_do_not_extend_start_to_close(
    client: Any, domain: str, run: dict[str, str], clock: Any
) -> None:
    decide(client, domain, schedule("a1", startToCloseTimeout="20", heartbeatTimeout="10"))
    token = poll_activity(client, domain)["taskToken"]
    clock.advance(9)
    client.record_activity_task_heartbeat(taskToken=token)
    clock.advance(9)
    client.record_activity_task_heartbeat(taskToken=token)
    clock.advance(2)
    assert last(client, domain, run, "ActivityTaskTimedOut")["timeoutType"] == "START_TO_CLOSE"


def test_only_the_earliest_activity_timeout_is_recorded(
    client: Any, domain: str, run: dict[str, str], clock: Any
) -> None:
    decide(client, domain, schedule("a1", scheduleToStartTimeout="5", scheduleToCloseTimeout="6"))
    clock.advance(3600)
    assert event_types(client, domain, run).count("ActivityTaskTimedOut") == 1
    assert last(client, domain, run, "ActivityTaskTimedOut")["timeoutType"] == "SCHEDULE_TO_START"


def test_a_timeout_during_a_started_decision_blocks_closing(
    client: Any, domain: str, run: dict[str, str], clock: Any
) -> None:
    decide(client, domain, schedule("a1", scheduleToStartTimeout="5"))
    client.signal_workflow_execution(domain=domain, signalName="wake", **run)
    task = poll_decision(client, domain)
    clock.advance(5)
    client.respond_decision_task_completed(
        taskToken=task["taskToken"], decisions=[decision("CompleteWorkflowExecution")]
    )
    assert last(client, domain, run, "CompleteWorkflowExecutionFailed")["cause"] == "UNHANDLED_DECISION"
    assert event_types(client, domain, run)[-1] == "DecisionTaskScheduled"


def test_an_hour_long_timer_takes_no_wall_time(
    client: Any, domain: str, run: dict[str, str], clock: Any
) -> None:
    decide(client, domain, decision("StartTimer", timerId="t", startToFireTimeout="3000"))
    clock.advance(3000)
    assert last(client, domain, run, "TimerFired")["timerId"] == "t"


@pytest.mark.moto_gap("sticky task lists are not implemented")
# -- sticky task lists ----------------------------------------------------------------------------------
def test_a_sticky_task_list_receives_the_next_decision_task(
    client: Any, domain: str, run: dict[str, str]
) -> None:
    sticky = {"name": "host-1"}
    decide(client, domain, schedule("a1"), taskList=sticky, taskListScheduleToStartTimeout="5")
    completed = last(client, domain, run, "DecisionTaskCompleted")
    assert completed["taskList"] == sticky
    assert completed["taskListScheduleToStartTimeout"] == "5"
    client.respond_activity_task_completed(taskToken=poll_activity(client, domain)["taskToken"])
    scheduled = last(client, domain, run, "DecisionTaskScheduled")
    assert scheduled["taskList"] == sticky
    assert scheduled["scheduleToStartTimeout"] == "5"
    assert client.count_pending_decision_tasks(domain=domain, taskList=sticky)["count"] == 1
    # Answering with the run's own list gives it back.
    decide(client, domain, task_list=sticky, taskList=TASK_LIST)
    client.signal_workflow_execution(domain=domain, signalName="s", **run)
    assert last(client, domain, run, "DecisionTaskScheduled")["taskList"] == TASK_LIST


def test_an_unclaimed_sticky_task_times_out_back_to_the_run_list(
    client: Any, domain: str, run: dict[str, str], clock: Any
) -> None:
    sticky = {"name": "host-1"}
    decide(
        client,
        domain,
        decision("StartTimer", timerId="t", startToFireTimeout="1"),
        taskList=sticky,
        taskListScheduleToStartTimeout="5",
    )
    clock.advance(1)
    scheduled = last(client, domain, run, "DecisionTaskScheduled")
    clock.advance(5)
    assert last(client, domain, run, "DecisionTaskTimedOut") == {
        "eventId": scheduled["eventId"] + 1,
        "timeoutType": "SCHEDULE_TO_START",
        "scheduledEventId": scheduled["eventId"],
        "startedEventId": 0,
    }
    assert last(client, domain, run, "DecisionTaskScheduled")["taskList"] == TASK_LIST
    assert client.count_pending_decision_tasks(domain=domain, taskList=sticky)["count"] == 0
    assert client.count_pending_decision_tasks(domain=domain, taskList=TASK_LIST)["count"] == 1


# -- retention and history cap ------------------------------------------------------------------------
def test_closed_runs_are_kept_for_the_retention_period(
    client: Any, domain: str, run: dict[str, str], clock: Any
) -> None:
    decide(client, domain, decision("CompleteWorkflowExecution"))
    clock.advance(86_399)
    assert describe(client, domain, run)["executionInfo"]["closeStatus"] == "COMPLETED"
    clock.advance(1)
    with pytest.raises(client.exceptions.UnknownResourceFault):
        describe(client, domain, run)
    listed = client.list_closed_workflow_executions(domain=domain, startTimeFilter={"oldestDate": 0})
    assert listed["executionInfos"] == []


def test_a_run_past_the_history_cap_is_terminated() -> None:
    with LocalSWF(clock=VirtualClock(), history_event_limit=50) as swf:
        client = swf.client()
        client.register_domain(name="d", workflowExecutionRetentionPeriodInDays="1")
        setup_domain(client, "d")
        run = start(client, "d")
        for n in range(48):
            client.signal_workflow_execution(domain="d", signalName=f"s{n}", **run)
        terminated = last(client, "d", run, "WorkflowExecutionTerminated")
        assert terminated["cause"] == "EVENT_LIMIT_EXCEEDED"
        assert terminated["eventId"] == 51
        assert describe(client, "d", run)["executionInfo"]["closeStatus"] == "TERMINATED"


def test_an_activity_type_default_timeout_applies(client: Any, domain: str, clock: Any) -> None:
    setup_domain(client, domain)
    register_activity_type(
        client, domain, {"name": "Quick", "version": "1"}, defaultTaskStartToCloseTimeout="7"
    )
    run = start(client, domain)
    decide(client, domain, schedule("a1", activityType={"name": "Quick", "version": "1"}))
    poll_activity(client, domain)
    clock.advance(7)
    assert last(client, domain, run, "ActivityTaskTimedOut")["timeoutType"] == "START_TO_CLOSE"
