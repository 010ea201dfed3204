"""The command line's pure parts: tables, durations, --since, and the profile's critical path."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from awsflow.cli._format import duration, parse_since, table, to_plain
from awsflow.cli._profile import profile_of
from awsflow.handles import HistoryEvent
from awsflow.workflow_execution import WorkflowExecution

T0 = dt.datetime(2026, 12, 1, tzinfo=dt.timezone.utc)


def test_tables_align_columns_and_show_none_as_a_dash() -> None:
    assert table(["ID", "NAME"], [[1, "a"], [22, None]]) == ["ID  NAME", "1   a", "22  -"]


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (None, "-"),
        (0.25, "0.25s"),
        (42.04, "42.0s"),
        (185, "3m05s"),
        (7260, "2h01m"),
        (3 * 86400 + 4 * 3600, "3d04h"),
    ],
)
def test_durations_read_at_a_glance(seconds: float | None, text: str) -> None:
    assert duration(seconds) == text


def test_since_takes_a_duration_or_an_iso_date() -> None:
    assert parse_since("2h", T0) == T0 - dt.timedelta(hours=2)
    assert parse_since("7d", T0) == T0 - dt.timedelta(days=7)
    assert parse_since("2026-11-30T08:00", T0) == dt.datetime(2026, 11, 30, 8, tzinfo=dt.timezone.utc)
    with pytest.raises(ValueError, match="neither a duration"):
        parse_since("yesterday", T0)


def test_json_output_names_tuple_fields_and_keeps_errors_readable() -> None:
    assert to_plain({"e": WorkflowExecution("w", "r"), "t": (1, 2)}) == {
        "e": {"workflow_id": "w", "run_id": "r"},
        "t": [1, 2],
    }
    assert to_plain(ValueError("bad")) == {"error": "ValueError", "message": "bad"}
    assert to_plain({"raw": b"\x00"}) == {"raw": "b'\\x00'"}  # what JSON cannot hold: its repr


class History:
    """Builds a history: each event one second after the previous one."""

    def __init__(self) -> None:
        self.events: list[HistoryEvent] = []

    def add(self, event_type: str, **attributes: Any) -> int:
        event_id = len(self.events) + 1
        self.events.append(
            HistoryEvent(event_id, event_type, T0 + dt.timedelta(seconds=event_id), attributes)
        )
        return event_id

    def decision(self, trigger: str = "", **attributes: Any) -> int:
        if trigger:
            self.add(trigger, **attributes)
        scheduled = self.add("DecisionTaskScheduled")
        started = self.add("DecisionTaskStarted", scheduledEventId=scheduled)
        return self.add("DecisionTaskCompleted", scheduledEventId=scheduled, startedEventId=started)

    def activity(self, completed_by: int, name: str, activity_id: str) -> int:
        scheduled = self.add(
            "ActivityTaskScheduled",
            activityType={"name": name, "version": "1"},
            activityId=activity_id,
            decisionTaskCompletedEventId=completed_by,
        )
        self.add("ActivityTaskStarted", scheduledEventId=scheduled)
        return scheduled


def test_the_critical_path_follows_what_each_decision_waited_for() -> None:
    h = History()
    h.add("WorkflowExecutionStarted", workflowType={"name": "W", "version": "1"})
    first = h.decision()
    fetch = h.activity(first, "fetch", "1")
    side = h.activity(first, "audit", "2")
    h.add("ActivityTaskCompleted", scheduledEventId=side)  # not waited for: no decision follows it
    second = h.decision("ActivityTaskFailed", scheduledEventId=fetch)
    retry = h.activity(second, "fetch", "3")
    third = h.decision("ActivityTaskCompleted", scheduledEventId=retry)
    h.add("WorkflowExecutionCompleted", decisionTaskCompletedEventId=third)

    profile = profile_of(h.events, T0 + dt.timedelta(days=1))
    assert [(c.name, c.call_id, c.outcome) for c in profile.critical_path] == [
        ("fetch 1", "1", "ActivityTaskFailed"),
        ("fetch 1", "3", "ActivityTaskCompleted"),
    ]
    fetches = next(p for p in profile.activity_types if p.activity_type == "fetch 1")
    assert (fetches.scheduled, fetches.failed, fetches.timed_out) == (2, 1, 0)
    assert fetches.wait_max == 1.0
    assert profile.decision_tasks == 3 and profile.decision_time == 3.0
    assert profile.duration == (h.events[-1].timestamp - h.events[0].timestamp).total_seconds()
