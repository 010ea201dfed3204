"""``awsflow workflow profile ID``: where an execution's time went (pure computation + output).

Per activity type: how many tasks were scheduled (each retry is one), how many failed or timed
out, how long they waited in the task list (scheduled -> started) and ran (started -> closed).

The critical path is the chain of calls the execution's end waited on, walked backwards: the
decision that closed the run was made in a decision task; that task was scheduled because
some event arrived (the event right before its ``DecisionTaskScheduled``); if that event
closed a call (an activity, timer or child workflow), the call is on the path, and the walk
continues from the decision task that scheduled the call. It stops at the start or at a signal.
"""

from __future__ import annotations

import argparse
import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from .._swf import CLOSING_EVENTS
from ..handles import HistoryEvent
from ._arguments import handle_for
from ._context import Cli
from ._format import duration, table

__all__ = ["CallTiming", "Profile", "TypeProfile", "profile_of", "register"]

_OPENS = {
    "ActivityTaskScheduled": "activity",
    "TimerStarted": "timer",
    "StartChildWorkflowExecutionInitiated": "child",
}
# closing event type -> the attribute naming the call's opening event
_CLOSES = {
    "ActivityTaskCompleted": "scheduledEventId",
    "ActivityTaskFailed": "scheduledEventId",
    "ActivityTaskTimedOut": "scheduledEventId",
    "ActivityTaskCanceled": "scheduledEventId",
    "TimerFired": "startedEventId",
    "TimerCanceled": "startedEventId",
    "ChildWorkflowExecutionCompleted": "initiatedEventId",
    "ChildWorkflowExecutionFailed": "initiatedEventId",
    "ChildWorkflowExecutionTimedOut": "initiatedEventId",
    "ChildWorkflowExecutionCanceled": "initiatedEventId",
    "ChildWorkflowExecutionTerminated": "initiatedEventId",
}
_STARTS = {"ActivityTaskStarted": "scheduledEventId", "ChildWorkflowExecutionStarted": "initiatedEventId"}


@dataclass(frozen=True, slots=True)
class CallTiming:
    """One activity task, timer or child workflow of the execution."""

    kind: str
    name: str
    call_id: str
    opened_event_id: int
    scheduled_at: dt.datetime
    started_at: dt.datetime | None
    closed_at: dt.datetime | None
    outcome: str | None

    @property
    def waited(self) -> float | None:
        """Seconds from scheduled to started (None if it never started)."""
        return None if self.started_at is None else (self.started_at - self.scheduled_at).total_seconds()

    @property
    def ran(self) -> float | None:
        """Seconds from started (or scheduled, for a timer) to closed."""
        begin = self.started_at or (self.scheduled_at if self.kind == "timer" else None)
        return None if begin is None or self.closed_at is None else (self.closed_at - begin).total_seconds()

    @property
    def total(self) -> float | None:
        """Seconds from scheduled to closed."""
        return None if self.closed_at is None else (self.closed_at - self.scheduled_at).total_seconds()


@dataclass(frozen=True, slots=True)
class TypeProfile:
    """The activity tasks of one activity type."""

    activity_type: str
    scheduled: int
    failed: int
    timed_out: int
    wait_avg: float | None
    wait_max: float | None
    run_avg: float | None
    run_max: float | None


@dataclass(frozen=True, slots=True)
class Profile:
    """Where an execution's time went."""

    duration: float
    decision_time: float
    decision_tasks: int
    activity_types: tuple[TypeProfile, ...]
    critical_path: tuple[CallTiming, ...]
    calls: tuple[CallTiming, ...]


def profile_of(events: Sequence[HistoryEvent], now: dt.datetime) -> Profile:
    """The profile of a history (``now`` ends an open execution's duration)."""
    by_id = {event.event_id: event for event in events}
    calls: dict[int, dict[str, Any]] = {}
    decision_started: dict[int, dt.datetime] = {}
    decision_time = 0.0
    decision_tasks = 0
    for event in events:
        kind = _OPENS.get(event.event_type)
        if kind is not None:
            named = event.attributes.get("activityType") or event.attributes.get("workflowType") or {}
            name = (
                f"{named.get('name')} {named.get('version')}"
                if named
                else f"timer {event.attributes.get('startToFireTimeout')}s"
            )
            call_id = (
                event.attributes.get("activityId")
                or event.attributes.get("timerId")
                or event.attributes.get("workflowId")
            )
            calls[event.event_id] = {
                "kind": kind,
                "name": name,
                "call_id": str(call_id),
                "opened_event_id": event.event_id,
                "scheduled_at": event.timestamp,
                "started_at": None,
                "closed_at": None,
                "outcome": None,
            }
        elif event.event_type in _STARTS:
            call = calls.get(int(event.attributes.get(_STARTS[event.event_type], 0)))
            if call is not None:
                call["started_at"] = event.timestamp
        elif event.event_type in _CLOSES:
            call = calls.get(int(event.attributes.get(_CLOSES[event.event_type], 0)))
            if call is not None:
                call["closed_at"] = event.timestamp
                call["outcome"] = event.event_type
        elif event.event_type == "DecisionTaskStarted":
            decision_started[event.event_id] = event.timestamp
        elif event.event_type == "DecisionTaskCompleted":
            begun = decision_started.get(int(event.attributes.get("startedEventId", 0)))
            if begun is not None:
                decision_time += (event.timestamp - begun).total_seconds()
                decision_tasks += 1
    timings = {event_id: CallTiming(**call) for event_id, call in calls.items()}
    end = events[-1].timestamp if events and events[-1].event_type in CLOSING_EVENTS else now
    total = (end - events[0].timestamp).total_seconds() if events else 0.0
    return Profile(
        duration=total,
        decision_time=decision_time,
        decision_tasks=decision_tasks,
        activity_types=_by_type([t for t in timings.values() if t.kind == "activity"]),
        critical_path=_critical_path(events, by_id, timings),
        calls=tuple(timings.values()),
    )


def _by_type(activities: list[CallTiming]) -> tuple[TypeProfile, ...]:
    groups: dict[str, list[CallTiming]] = {}
    for timing in activities:
        groups.setdefault(timing.name, []).append(timing)
    profiles = []
    for name, group in sorted(groups.items()):
        waits = [t.waited for t in group if t.waited is not None]
        runs = [t.ran for t in group if t.ran is not None]
        profiles.append(
            TypeProfile(
                activity_type=name,
                scheduled=len(group),
                failed=sum(1 for t in group if t.outcome == "ActivityTaskFailed"),
                timed_out=sum(1 for t in group if t.outcome == "ActivityTaskTimedOut"),
                wait_avg=sum(waits) / len(waits) if waits else None,
                wait_max=max(waits) if waits else None,
                run_avg=sum(runs) / len(runs) if runs else None,
                run_max=max(runs) if runs else None,
            )
        )
    return tuple(profiles)


def _critical_path(
    events: Sequence[HistoryEvent], by_id: dict[int, HistoryEvent], timings: dict[int, CallTiming]
) -> tuple[CallTiming, ...]:
    closing = next((e for e in reversed(events) if "decisionTaskCompletedEventId" in e.attributes), None)
    completed_id = int(closing.attributes["decisionTaskCompletedEventId"]) if closing else 0
    path: list[CallTiming] = []
    for _ in range(len(events)):  # each step goes back in the history: this bounds the walk
        completed = by_id.get(completed_id)
        if completed is None:
            break
        scheduled_id = int(completed.attributes.get("scheduledEventId", 0))
        trigger = by_id.get(scheduled_id - 1)
        if trigger is None or trigger.event_type not in _CLOSES:
            break
        opened = int(trigger.attributes.get(_CLOSES[trigger.event_type], 0))
        timing = timings.get(opened)
        if timing is None:
            break
        path.append(timing)
        completed_id = int(by_id[opened].attributes.get("decisionTaskCompletedEventId", 0))
    return tuple(reversed(path))


def register(actions: Any, shared: argparse.ArgumentParser, with_id: Callable[..., Any]) -> None:
    """Add ``workflow profile``."""
    profile = with_id(
        actions,
        shared,
        "profile",
        "time per activity type (waiting, running, retries) and the critical path",
        "example: awsflow workflow profile order-42",
    )
    profile.set_defaults(run=show_profile)


def show_profile(args: argparse.Namespace, cli: Cli) -> int:
    events = list(handle_for(cli, args).history())
    found = profile_of(events, dt.datetime.now(dt.timezone.utc))
    if cli.json:
        cli.print_json(found)
        return 0
    cli.print(
        f"duration {duration(found.duration)}; {found.decision_tasks} decision tasks took {duration(found.decision_time)}",
        "",
        *table(
            [
                "ACTIVITY TYPE",
                "SCHEDULED",
                "FAILED",
                "TIMED OUT",
                "WAIT AVG",
                "WAIT MAX",
                "RUN AVG",
                "RUN MAX",
            ],
            (
                [
                    p.activity_type,
                    p.scheduled,
                    p.failed,
                    p.timed_out,
                    duration(p.wait_avg),
                    duration(p.wait_max),
                    duration(p.run_avg),
                    duration(p.run_max),
                ]
                for p in found.activity_types
            ),
        ),
        "",
        f"critical path ({len(found.critical_path)} calls):",
        *table(
            ["KIND", "NAME", "ID", "WAITED", "RAN", "OUTCOME"],
            (
                [c.kind, c.name, c.call_id, duration(c.waited), duration(c.ran), c.outcome]
                for c in found.critical_path
            ),
        ),
    )
    return 0
