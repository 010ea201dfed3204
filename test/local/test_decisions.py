"""Decision tasks and the decisions that act on the run itself (SWF-SEMANTICS §4, §5).

Every test reads the history back and checks the exact events and their cross-references.
"""

from __future__ import annotations

from typing import Any

import pytest
from swf_helpers import (
    ACTIVITY,
    TASK_LIST,
    attrs,
    decide,
    decision,
    describe,
    event_types,
    history,
    last,
    poll_activity,
    poll_decision,
    register_activity_type,
    schedule,
    setup_domain,
    start,
)


@pytest.fixture
def run(client: Any, domain: str) -> dict[str, str]:
    setup_domain(client, domain)
    return start(client, domain)


@pytest.mark.moto_gap("DecisionTaskScheduled lacks taskPriority")
def test_a_new_run_has_started_and_one_scheduled_decision_task(
    client: Any, domain: str, run: dict[str, str]
) -> None:
    events = history(client, domain, run)
    assert [e["eventType"] for e in events] == ["WorkflowExecutionStarted", "DecisionTaskScheduled"]
    started = attrs(events[0])
    assert started["taskList"] == TASK_LIST
    assert started["childPolicy"] == "TERMINATE"
    assert started["executionStartToCloseTimeout"] == "3600"
    assert started["taskStartToCloseTimeout"] == "60"
    assert attrs(events[1]) == {"taskList": TASK_LIST, "taskPriority": "0", "startToCloseTimeout": "60"}
    assert describe(client, domain, run)["openCounts"]["openDecisionTasks"] == 1


@pytest.mark.moto_gap("decision tasks lack previousStartedEventId")
def test_decision_task_events_point_at_each_other(client: Any, domain: str, run: dict[str, str]) -> None:
    task = decide(
        client, domain, decision("RecordMarker", markerName="m", details="d"), executionContext="ctx"
    )
    assert task["startedEventId"] == 3
    assert task["previousStartedEventId"] == 0
    assert task["workflowType"] == {"name": "Flow", "version": "1"}
    assert task["workflowExecution"] == run
    events = history(client, domain, run)
    assert [e["eventType"] for e in events] == [
        "WorkflowExecutionStarted",
        "DecisionTaskScheduled",
        "DecisionTaskStarted",
        "DecisionTaskCompleted",
        "MarkerRecorded",
    ]
    assert attrs(events[2]) == {"identity": "test-decider", "scheduledEventId": 2}
    assert attrs(events[3]) == {"executionContext": "ctx", "scheduledEventId": 2, "startedEventId": 3}
    assert attrs(events[4]) == {"markerName": "m", "details": "d", "decisionTaskCompletedEventId": 4}
    info = describe(client, domain, run)
    assert info["latestExecutionContext"] == "ctx"
    assert info["openCounts"]["openDecisionTasks"] == 0


@pytest.mark.moto_gap("SignalWorkflowExecution answers HTTP 500")
def test_events_during_a_started_decision_task_schedule_exactly_one_more(
    client: Any, domain: str, run: dict[str, str]
) -> None:
    task = poll_decision(client, domain)
    for n in range(3):
        client.signal_workflow_execution(domain=domain, signalName=f"s{n}", **run)
    assert event_types(client, domain, run)[-3:] == ["WorkflowExecutionSignaled"] * 3
    client.respond_decision_task_completed(taskToken=task["taskToken"], decisions=[])
    types = event_types(client, domain, run)
    assert types[-2:] == ["DecisionTaskCompleted", "DecisionTaskScheduled"]
    assert types.count("DecisionTaskScheduled") == 2
    second = poll_decision(client, domain)
    assert second["previousStartedEventId"] == task["startedEventId"]


@pytest.mark.moto_gap("SignalWorkflowExecution answers HTTP 500")
def test_events_while_a_decision_task_is_only_scheduled_join_it(
    client: Any, domain: str, run: dict[str, str]
) -> None:
    client.signal_workflow_execution(domain=domain, signalName="s", **run)
    client.signal_workflow_execution(domain=domain, signalName="t", **run)
    assert event_types(client, domain, run) == [
        "WorkflowExecutionStarted",
        "DecisionTaskScheduled",
        "WorkflowExecutionSignaled",
        "WorkflowExecutionSignaled",
    ]
    task = poll_decision(client, domain)
    assert [e["eventType"] for e in task["events"]][-1] == "DecisionTaskStarted"


def test_an_empty_answer_completes_the_task_and_the_run_idles(
    client: Any, domain: str, run: dict[str, str]
) -> None:
    decide(client, domain)
    assert event_types(client, domain, run)[-1] == "DecisionTaskCompleted"
    assert client.count_pending_decision_tasks(domain=domain, taskList=TASK_LIST)["count"] == 0
    assert describe(client, domain, run)["executionInfo"]["executionStatus"] == "OPEN"


@pytest.mark.parametrize(
    ("decision_type", "attributes", "close_status", "close_event", "expected"),
    [
        (
            "CompleteWorkflowExecution",
            {"result": "r"},
            "COMPLETED",
            "WorkflowExecutionCompleted",
            {"result": "r"},
        ),
        (
            "FailWorkflowExecution",
            {"reason": "why", "details": "d"},
            "FAILED",
            "WorkflowExecutionFailed",
            {"reason": "why", "details": "d"},
        ),
        (
            "CancelWorkflowExecution",
            {"details": "d"},
            "CANCELED",
            "WorkflowExecutionCanceled",
            {"details": "d"},
        ),
    ],
)
def test_close_decisions_close_the_run(
    client: Any,
    domain: str,
    run: dict[str, str],
    decision_type: str,
    attributes: dict[str, str],
    close_status: str,
    close_event: str,
    expected: dict[str, str],
) -> None:
    decide(client, domain, decision(decision_type, **attributes))
    closing = last(client, domain, run, close_event)
    assert closing == {"eventId": 5, **expected, "decisionTaskCompletedEventId": 4}
    info = describe(client, domain, run)["executionInfo"]
    assert info["executionStatus"] == "CLOSED"
    assert info["closeStatus"] == close_status
    assert "closeTimestamp" in info


@pytest.mark.moto_gap("UNHANDLED_DECISION is not implemented")
@pytest.mark.parametrize(
    "decision_type",
    [
        "CompleteWorkflowExecution",
        "FailWorkflowExecution",
        "CancelWorkflowExecution",
        "ContinueAsNewWorkflowExecution",
    ],
)
def test_closing_fails_with_unhandled_decision_when_events_arrived_meanwhile(
    client: Any, domain: str, run: dict[str, str], decision_type: str
) -> None:
    task = poll_decision(client, domain)
    client.signal_workflow_execution(domain=domain, signalName="late", **run)
    client.respond_decision_task_completed(taskToken=task["taskToken"], decisions=[decision(decision_type)])
    failed = last(client, domain, run, decision_type + "Failed")
    assert failed["cause"] == "UNHANDLED_DECISION"
    assert failed["decisionTaskCompletedEventId"] == failed["eventId"] - 1
    assert event_types(client, domain, run)[-1] == "DecisionTaskScheduled"
    assert describe(client, domain, run)["executionInfo"]["executionStatus"] == "OPEN"
    decide(client, domain, decision("CompleteWorkflowExecution"))
    assert describe(client, domain, run)["executionInfo"]["closeStatus"] == "COMPLETED"


def test_a_close_decision_that_is_not_last_is_rejected_whole(
    client: Any, domain: str, run: dict[str, str]
) -> None:
    task = poll_decision(client, domain)
    before = event_types(client, domain, run)
    with pytest.raises(client.exceptions.ClientError) as info:
        client.respond_decision_task_completed(
            taskToken=task["taskToken"],
            decisions=[decision("CompleteWorkflowExecution"), decision("RecordMarker", markerName="m")],
        )
    assert info.value.response["Error"]["Code"] == "ValidationException"
    assert event_types(client, domain, run) == before
    client.respond_decision_task_completed(
        taskToken=task["taskToken"], decisions=[decision("CompleteWorkflowExecution")]
    )
    assert describe(client, domain, run)["executionInfo"]["closeStatus"] == "COMPLETED"


def test_a_decision_without_its_attributes_is_a_validation_error(
    client: Any, domain: str, run: dict[str, str]
) -> None:
    task = poll_decision(client, domain)
    with pytest.raises(client.exceptions.ClientError) as info:
        client.respond_decision_task_completed(
            taskToken=task["taskToken"], decisions=[{"decisionType": "StartTimer"}]
        )
    assert info.value.response["Error"]["Code"] == "ValidationException"
    assert "decisions.1.member.startTimerDecisionAttributes" in info.value.response["Error"]["Message"]


@pytest.mark.moto_gap("dead task tokens give ValidationException, not UnknownResourceFault")
def test_a_used_decision_token_is_unknown(client: Any, domain: str, run: dict[str, str]) -> None:
    task = decide(client, domain)
    with pytest.raises(client.exceptions.UnknownResourceFault):
        client.respond_decision_task_completed(taskToken=task["taskToken"], decisions=[])
    with pytest.raises(client.exceptions.UnknownResourceFault):
        client.respond_decision_task_completed(taskToken="not-a-token", decisions=[])


@pytest.mark.moto_gap("ActivityTaskScheduled lacks resolved defaults")
# -- ScheduleActivityTask -------------------------------------------------------------------------
def test_schedule_activity_task_resolves_defaults_into_the_scheduled_event(
    client: Any, domain: str, run: dict[str, str]
) -> None:
    decide(client, domain, schedule("a1", input="in", control="c", startToCloseTimeout="30"))
    scheduled = last(client, domain, run, "ActivityTaskScheduled")
    assert scheduled == {
        "eventId": 5,
        "activityType": ACTIVITY,
        "activityId": "a1",
        "input": "in",
        "control": "c",
        "scheduleToCloseTimeout": "NONE",
        "scheduleToStartTimeout": "NONE",
        "startToCloseTimeout": "30",
        "heartbeatTimeout": "NONE",
        "taskList": TASK_LIST,
        "taskPriority": "0",
        "decisionTaskCompletedEventId": 4,
    }
    info = describe(client, domain, run)
    assert info["openCounts"]["openActivityTasks"] == 1
    assert "latestActivityTaskTimestamp" in info


@pytest.mark.parametrize(
    ("setup", "attributes", "cause"),
    [
        ("none", {"activityType": {"name": "Missing", "version": "1"}}, "ACTIVITY_TYPE_DOES_NOT_EXIST"),
        ("deprecated", {}, "ACTIVITY_TYPE_DEPRECATED"),
        ("bare", {}, "DEFAULT_TASK_LIST_UNDEFINED"),
        pytest.param(
            "bare",
            {"taskList": TASK_LIST},
            "DEFAULT_SCHEDULE_TO_CLOSE_TIMEOUT_UNDEFINED",
            marks=pytest.mark.moto_gap("a missing schedule-to-close timeout is accepted"),
        ),
        (
            "bare",
            {"taskList": TASK_LIST, "scheduleToCloseTimeout": "9"},
            "DEFAULT_SCHEDULE_TO_START_TIMEOUT_UNDEFINED",
        ),
        (
            "bare",
            {"taskList": TASK_LIST, "scheduleToCloseTimeout": "9", "scheduleToStartTimeout": "9"},
            "DEFAULT_START_TO_CLOSE_TIMEOUT_UNDEFINED",
        ),
        (
            "bare",
            {
                "taskList": TASK_LIST,
                "scheduleToCloseTimeout": "9",
                "scheduleToStartTimeout": "9",
                "startToCloseTimeout": "9",
            },
            "DEFAULT_HEARTBEAT_TIMEOUT_UNDEFINED",
        ),
    ],
)
def test_schedule_activity_task_failures_carry_swf_causes(
    client: Any, domain: str, run: dict[str, str], setup: str, attributes: dict[str, Any], cause: str
) -> None:
    activity_type = {"name": "Bare", "version": "1"}
    if setup == "bare":
        client.register_activity_type(domain=domain, **activity_type)
        attributes = {"activityType": activity_type, **attributes}
    elif setup == "deprecated":
        client.deprecate_activity_type(domain=domain, activityType=ACTIVITY)
    decide(client, domain, schedule("a1", **attributes))
    failed = last(client, domain, run, "ScheduleActivityTaskFailed")
    assert failed["cause"] == cause
    assert failed["activityId"] == "a1"
    assert failed["decisionTaskCompletedEventId"] == 4
    assert event_types(client, domain, run)[-1] == "DecisionTaskScheduled"


@pytest.mark.moto_gap("ACTIVITY_ID_ALREADY_IN_USE is not produced")
def test_an_open_activity_id_cannot_be_reused_but_a_closed_one_can(
    client: Any, domain: str, run: dict[str, str]
) -> None:
    decide(client, domain, schedule("a1"), schedule("a1"))
    assert last(client, domain, run, "ScheduleActivityTaskFailed")["cause"] == "ACTIVITY_ID_ALREADY_IN_USE"
    task = poll_activity(client, domain)
    client.respond_activity_task_completed(taskToken=task["taskToken"])
    decide(client, domain, schedule("a1"))
    assert event_types(client, domain, run)[-1] == "ActivityTaskScheduled"


@pytest.mark.moto_gap("task priorities are ignored")
def test_activity_priority_comes_from_the_decision_or_the_type(
    client: Any, domain: str, run: dict[str, str]
) -> None:
    register_activity_type(client, domain, {"name": "Urgent", "version": "1"}, defaultTaskPriority="7")
    decide(
        client,
        domain,
        schedule("low", taskPriority="-3"),
        schedule("high", activityType={"name": "Urgent", "version": "1"}),
    )
    assert poll_activity(client, domain)["activityId"] == "high"
    assert poll_activity(client, domain)["activityId"] == "low"
    scheduled = [attrs(e) for e in history(client, domain, run) if e["eventType"] == "ActivityTaskScheduled"]
    assert [s["taskPriority"] for s in scheduled] == ["-3", "7"]


# -- timers and markers --------------------------------------------------------------------------
@pytest.mark.moto_gap("timers and their failure causes are incomplete")
def test_timers_start_fail_on_duplicate_ids_and_cancel(client: Any, domain: str, run: dict[str, str]) -> None:
    decide(
        client,
        domain,
        decision("StartTimer", timerId="t1", startToFireTimeout="60", control="c"),
        decision("StartTimer", timerId="t1", startToFireTimeout="60"),
        decision("CancelTimer", timerId="nope"),
    )
    started = last(client, domain, run, "TimerStarted")
    assert started == {
        "eventId": 5,
        "timerId": "t1",
        "control": "c",
        "startToFireTimeout": "60",
        "decisionTaskCompletedEventId": 4,
    }
    assert last(client, domain, run, "StartTimerFailed")["cause"] == "TIMER_ID_ALREADY_IN_USE"
    assert last(client, domain, run, "CancelTimerFailed") == {
        "eventId": 7,
        "timerId": "nope",
        "cause": "TIMER_ID_UNKNOWN",
        "decisionTaskCompletedEventId": 4,
    }
    assert describe(client, domain, run)["openCounts"]["openTimers"] == 1
    decide(client, domain, decision("CancelTimer", timerId="t1"))
    canceled = last(client, domain, run, "TimerCanceled")
    assert canceled["timerId"] == "t1"
    assert canceled["startedEventId"] == 5
    assert describe(client, domain, run)["openCounts"]["openTimers"] == 0


def test_a_zero_second_timer_fires_at_once_and_its_id_is_reusable(
    client: Any, domain: str, run: dict[str, str]
) -> None:
    decide(client, domain, decision("StartTimer", timerId="FORCE", startToFireTimeout="0"))
    fired = last(client, domain, run, "TimerFired")
    assert fired["timerId"] == "FORCE"
    assert fired["startedEventId"] == 5
    decide(client, domain, decision("StartTimer", timerId="FORCE", startToFireTimeout="0"))
    assert event_types(client, domain, run).count("TimerFired") == 2


def test_timers_fire_on_the_service_clock(client: Any, domain: str, run: dict[str, str], clock: Any) -> None:
    decide(client, domain, decision("StartTimer", timerId="t", startToFireTimeout="1800"))
    clock.advance(1799)
    assert "TimerFired" not in event_types(client, domain, run)
    clock.advance(1)
    types = event_types(client, domain, run)
    assert types[-2:] == ["TimerFired", "DecisionTaskScheduled"]


def test_markers_may_repeat_and_schedule_nothing(client: Any, domain: str, run: dict[str, str]) -> None:
    decide(client, domain, decision("RecordMarker", markerName="m"), decision("RecordMarker", markerName="m"))
    assert event_types(client, domain, run)[-3:] == [
        "DecisionTaskCompleted",
        "MarkerRecorded",
        "MarkerRecorded",
    ]


@pytest.mark.moto_gap("invalid durations crash the server into HTTP 500")
def test_invalid_durations_in_decisions_are_rejected(client: Any, domain: str, run: dict[str, str]) -> None:
    task = poll_decision(client, domain)
    with pytest.raises(client.exceptions.ClientError) as info:
        client.respond_decision_task_completed(
            taskToken=task["taskToken"],
            decisions=[decision("StartTimer", timerId="t", startToFireTimeout="NONE")],
        )
    assert info.value.response["Error"]["Code"] == "ValidationException"


# -- RequestCancelActivityTask --------------------------------------------------------------------
@pytest.mark.moto_gap("RequestCancelActivityTask is not implemented")
def test_cancelling_an_unstarted_activity_cancels_it_at_once(
    client: Any, domain: str, run: dict[str, str]
) -> None:
    decide(client, domain, schedule("a1"))
    client.signal_workflow_execution(domain=domain, signalName="wake", **run)
    decide(client, domain, decision("RequestCancelActivityTask", activityId="a1"))
    requested = last(client, domain, run, "ActivityTaskCancelRequested")
    assert requested["activityId"] == "a1"
    canceled = last(client, domain, run, "ActivityTaskCanceled")
    assert canceled == {
        "eventId": canceled["eventId"],
        "scheduledEventId": 5,
        "startedEventId": 0,
        "latestCancelRequestedEventId": requested["eventId"],
    }
    assert client.count_pending_activity_tasks(domain=domain, taskList=TASK_LIST)["count"] == 0
    assert describe(client, domain, run)["openCounts"]["openActivityTasks"] == 0


@pytest.mark.moto_gap("RequestCancelActivityTask is not implemented")
def test_cancelling_a_started_activity_reaches_its_worker(
    client: Any, domain: str, run: dict[str, str]
) -> None:
    decide(client, domain, schedule("a1"))
    task = poll_activity(client, domain)
    assert client.record_activity_task_heartbeat(taskToken=task["taskToken"])["cancelRequested"] is False
    client.signal_workflow_execution(domain=domain, signalName="wake", **run)
    decide(client, domain, decision("RequestCancelActivityTask", activityId="a1"))
    requested = last(client, domain, run, "ActivityTaskCancelRequested")
    assert client.record_activity_task_heartbeat(taskToken=task["taskToken"])["cancelRequested"] is True
    client.respond_activity_task_canceled(taskToken=task["taskToken"], details="stopped")
    canceled = last(client, domain, run, "ActivityTaskCanceled")
    assert canceled["details"] == "stopped"
    assert canceled["scheduledEventId"] == 5
    assert canceled["startedEventId"] == task["startedEventId"]
    assert canceled["latestCancelRequestedEventId"] == requested["eventId"]


@pytest.mark.moto_gap("RequestCancelActivityTask is not implemented")
def test_cancelling_an_unknown_activity_fails(client: Any, domain: str, run: dict[str, str]) -> None:
    decide(client, domain, decision("RequestCancelActivityTask", activityId="ghost"))
    failed = last(client, domain, run, "RequestCancelActivityTaskFailed")
    assert failed == {
        "eventId": 5,
        "activityId": "ghost",
        "cause": "ACTIVITY_ID_UNKNOWN",
        "decisionTaskCompletedEventId": 4,
    }


# -- limits -----------------------------------------------------------------------------------------
@pytest.mark.moto_gap("open activity limits are not enforced")
def test_at_most_1000_activities_may_be_open(client: Any, domain: str, run: dict[str, str]) -> None:
    decide(client, domain, *[schedule(f"a{n}") for n in range(1001)])
    failed = last(client, domain, run, "ScheduleActivityTaskFailed")
    assert (failed["activityId"], failed["cause"]) == ("a1000", "OPEN_ACTIVITIES_LIMIT_EXCEEDED")
    assert describe(client, domain, run)["openCounts"]["openActivityTasks"] == 1000


@pytest.mark.moto_gap("open timer limits are not enforced")
def test_at_most_1000_timers_may_be_open(client: Any, domain: str, run: dict[str, str]) -> None:
    decide(
        client,
        domain,
        *[decision("StartTimer", timerId=f"t{n}", startToFireTimeout="60") for n in range(1001)],
    )
    assert last(client, domain, run, "StartTimerFailed")["cause"] == "OPEN_TIMERS_LIMIT_EXCEEDED"


@pytest.mark.moto_gap("payload sizes are not checked")
def test_inputs_over_32768_characters_are_refused(client: Any, domain: str, run: dict[str, str]) -> None:
    with pytest.raises(client.exceptions.ClientError) as info:
        client.signal_workflow_execution(domain=domain, signalName="big", input="x" * 32769, **run)
    assert info.value.response["Error"]["Code"] == "ValidationException"
    assert "Member must have length less than or equal to 32768" in info.value.response["Error"]["Message"]
