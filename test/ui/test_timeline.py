"""The timeline model, from histories built by hand: bars, lanes, retries grouped, points."""

from __future__ import annotations

import datetime as dt
from typing import Any

from awsflow.handles import HistoryEvent
from awsflow.ui import BarKind, Outcome, build_timeline

T0 = dt.datetime(2026, 12, 5, 8, 0, tzinfo=dt.timezone.utc)


class History:
    """Events appended in order, one second apart unless told otherwise."""

    def __init__(self) -> None:
        self.events: list[HistoryEvent] = []
        self.now = T0

    def add(self, event_type: str, after: float = 1.0, **attributes: Any) -> int:
        self.now += dt.timedelta(seconds=after)
        event_id = len(self.events) + 1
        self.events.append(HistoryEvent(event_id, event_type, self.now, attributes))
        return event_id

    def decision(self) -> int:
        scheduled = self.add("DecisionTaskScheduled")
        started = self.add("DecisionTaskStarted", scheduledEventId=scheduled)
        return self.add("DecisionTaskCompleted", scheduledEventId=scheduled, startedEventId=started)

    def activity(self, name: str, activity_id: str) -> int:
        return self.add(
            "ActivityTaskScheduled", activityType={"name": name, "version": "1.0"}, activityId=activity_id
        )


def test_parallel_activities_are_bars_in_lanes_of_their_own_with_their_outcomes() -> None:
    h = History()
    h.add("WorkflowExecutionStarted", after=0)
    h.decision()
    a = h.activity("Shop.buy", "1")
    b = h.activity("Shop.ship", "2")
    h.add("ActivityTaskStarted", scheduledEventId=a)
    h.add("ActivityTaskStarted", scheduledEventId=b)
    h.add("ActivityTaskCompleted", scheduledEventId=a, result='"ok"')
    h.add("ActivityTaskFailed", scheduledEventId=b, reason="OutOfStock", details="none left")
    timeline = build_timeline(h.events)
    assert [lane.label for lane in timeline.lanes] == ["Shop.buy (1)", "Shop.ship (2)"]
    (buy,), (ship,) = (lane.bars for lane in timeline.lanes)
    assert buy.kind is BarKind.ACTIVITY and buy.outcome is Outcome.COMPLETED
    assert buy.scheduled_at < buy.started_at < buy.closed_at  # type: ignore[operator]
    assert ship.outcome is Outcome.FAILED and ship.detail == "OutOfStock"
    assert ship.event_ids == (b, b + 2, b + 4)
    assert not timeline.closed and timeline.started_at == T0


def test_retried_attempts_and_their_backoff_timers_share_one_lane() -> None:
    h = History()
    h.add("WorkflowExecutionStarted", after=0)
    first = h.activity("Inventory.reserve", "4-attempt-1")
    h.add("ActivityTaskTimedOut", scheduledEventId=first, timeoutType="START_TO_CLOSE")
    timer = h.add("TimerStarted", timerId="4-backoff-2", startToFireTimeout="30")
    h.add("TimerFired", after=30, timerId="4-backoff-2", startedEventId=timer)
    second = h.activity("Inventory.reserve", "4-attempt-2")
    h.add("ActivityTaskCompleted", scheduledEventId=second)
    other = h.add("TimerStarted", timerId="5", startToFireTimeout="60")
    (retried, plain_timer) = build_timeline(h.events).lanes
    assert retried.key == "activity:4" and retried.label == "Inventory.reserve (4), 2 attempts"
    assert [(b.kind, b.attempt, b.outcome) for b in retried.bars] == [
        (BarKind.ACTIVITY, 1, Outcome.TIMED_OUT),
        (BarKind.TIMER, 2, Outcome.FIRED),
        (BarKind.ACTIVITY, 2, Outcome.COMPLETED),
    ]
    assert retried.bars[0].detail == "START_TO_CLOSE"
    assert (retried.bars[1].closed_at - retried.bars[1].scheduled_at).total_seconds() == 30  # type: ignore[operator]
    assert plain_timer.label == "timer 5" and plain_timer.bars[0].outcome is Outcome.OPEN
    assert plain_timer.bars[0].event_ids == (other,)


def test_a_retried_generated_child_gets_its_backoff_timers_by_the_calls_number() -> None:
    h = History()
    first = h.add(
        "StartChildWorkflowExecutionInitiated",
        workflowId="run/x:3-attempt-1",
        workflowType={"name": "Child", "version": "1"},
    )
    h.add("ChildWorkflowExecutionStarted", initiatedEventId=first)
    h.add("ChildWorkflowExecutionFailed", initiatedEventId=first, reason="Boom")
    timer = h.add("TimerStarted", timerId="3-backoff-2")
    h.add("TimerFired", timerId="3-backoff-2", startedEventId=timer)
    second = h.add(
        "StartChildWorkflowExecutionInitiated",
        workflowId="run/x:3-attempt-2",
        workflowType={"name": "Child", "version": "1"},
    )
    h.add("ChildWorkflowExecutionStarted", initiatedEventId=second)
    h.add("ChildWorkflowExecutionTerminated", initiatedEventId=second)
    (lane,) = build_timeline(h.events).lanes
    assert [(b.kind, b.outcome) for b in lane.bars] == [
        (BarKind.CHILD_WORKFLOW, Outcome.FAILED),
        (BarKind.TIMER, Outcome.FIRED),
        (BarKind.CHILD_WORKFLOW, Outcome.TERMINATED),
    ]
    assert lane.bars[0].detail == "Boom" and lane.bars[0].name == "Child"


def test_refused_decisions_are_failed_bars_of_no_length_with_swfs_cause() -> None:
    h = History()
    h.add(
        "ScheduleActivityTaskFailed",
        activityId="9",
        activityType={"name": "Gone", "version": "1"},
        cause="ACTIVITY_TYPE_DEPRECATED",
    )
    h.add("StartTimerFailed", timerId="t", cause="TIMER_ID_ALREADY_IN_USE")
    activity, timer = (lane.bars[0] for lane in build_timeline(h.events).lanes)
    assert activity.outcome is Outcome.FAILED and activity.closed_at == activity.scheduled_at
    assert activity.detail == "refused: ACTIVITY_TYPE_DEPRECATED" and activity.name == "Gone"
    assert timer.detail == "refused: TIMER_ID_ALREADY_IN_USE"


def test_decision_tasks_are_their_own_lane_and_signals_and_markers_are_points() -> None:
    h = History()
    h.add("WorkflowExecutionStarted", after=0)
    completed = h.decision()
    scheduled = h.add("DecisionTaskScheduled")
    started = h.add("DecisionTaskStarted", scheduledEventId=scheduled)
    h.add(
        "DecisionTaskTimedOut",
        scheduledEventId=scheduled,
        startedEventId=started,
        timeoutType="START_TO_CLOSE",
    )
    h.add("WorkflowExecutionSignaled", signalName="approve", input="[]")
    h.add("MarkerRecorded", markerName="awsflow.decision-failure", details="{}")
    h.add("TimerStarted", timerId="awsflow.decision-retry.7")
    h.add("WorkflowExecutionCancelRequested")
    pending = h.add("DecisionTaskScheduled")
    h.add("WorkflowExecutionTerminated", reason="stop")
    timeline = build_timeline(h.events)
    assert [(d.outcome, d.event_ids[-1]) for d in timeline.decisions] == [
        (Outcome.COMPLETED, completed),
        (Outcome.TIMED_OUT, started + 1),
        (Outcome.OPEN, pending),
    ]
    assert timeline.decisions[1].detail == "START_TO_CLOSE"
    assert [(p.kind, p.name) for p in timeline.points] == [
        ("signal", "approve"),
        ("marker", "awsflow.decision-failure"),
        ("cancel_request", ""),
    ]
    (retry_lane,) = timeline.lanes
    assert retry_lane.key == "decision-retry" and retry_lane.label == "decision retries"
    assert timeline.closed and timeline.ended_at == h.now


def test_the_json_form_gives_offsets_from_the_start_and_open_bars_no_close() -> None:
    h = History()
    h.add("WorkflowExecutionStarted", after=0)
    h.activity("A.b", "1")
    document = build_timeline(h.events).as_json()
    (lane,) = document["lanes"]
    (bar,) = lane["bars"]
    assert bar["scheduledOffset"] == 1.0 and bar["closedOffset"] is None and bar["outcome"] == "open"
    assert document["duration"] == 1.0 and document["startedAt"] == T0.isoformat()


def test_an_empty_history_is_an_empty_timeline() -> None:
    timeline = build_timeline([])
    assert timeline.lanes == () and timeline.started_at is None and not timeline.closed
    assert timeline.as_json()["duration"] == 0.0
