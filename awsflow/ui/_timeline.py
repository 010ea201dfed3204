"""An execution's history as a timeline: bars for what took time, points for what happened at once.

Pure (no I/O, no clock): :func:`build_timeline` takes the run's events (oldest first) and returns
a :class:`Timeline`, which the web page draws.

- Each activity task, timer and child workflow is a :class:`Bar` from the event that asked for
  it (ActivityTaskScheduled, TimerStarted, StartChildWorkflowExecutionInitiated) to the event
  that closed it, with the outcome that event reports; ``started_at`` marks when a worker took
  the task (ActivityTaskStarted, ChildWorkflowExecutionStarted). A bar still open has no
  ``closed_at``: the page draws it to the timeline's end. A decision SWF refused
  (ScheduleActivityTaskFailed, StartTimerFailed, StartChildWorkflowExecutionFailed written at
  once) is a bar of no length, FAILED, with SWF's cause.
- Bars go in :class:`Lane` s. The attempts of one retried call share a lane: awsflow names a
  retried activity ``<n>-attempt-<k>``, the backoff timer before attempt ``k`` ``<n>-backoff-<k>``
  and a retried child ``<id>-attempt-<k>`` (``awsflow.decider._retrying``), so the lane is named
  after ``<n>`` (or ``<id>``). The decision-retry timers of a failing decision
  (``awsflow.decision_failures``) share one lane too. Everything else (botoflow's
  ``@retry_activity`` numbers each attempt afresh, so its attempts cannot be told apart from
  other calls) has a lane of its own.
- Decision tasks are bars of their own lane (:attr:`Timeline.decisions`), thin on the page.
- Signals, markers and cancel requests are :class:`Point` s.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from ..decision_failures import RETRY_TIMER_PREFIX
from ..handles import HistoryEvent

__all__ = ["Bar", "BarKind", "Lane", "Outcome", "Point", "Timeline", "build_timeline"]


class BarKind(str, enum.Enum):
    """What a bar stands for."""

    ACTIVITY = "activity"
    TIMER = "timer"
    CHILD_WORKFLOW = "child"
    DECISION = "decision"


class Outcome(str, enum.Enum):
    """How a bar ended (OPEN: not yet). The page colours bars by it."""

    OPEN = "open"
    COMPLETED = "completed"
    FIRED = "fired"
    FAILED = "failed"
    TIMED_OUT = "timed_out"
    CANCELED = "canceled"
    TERMINATED = "terminated"


@dataclass(frozen=True, slots=True)
class Bar:
    """One activity task, timer, child workflow or decision task, from asked for to closed.

    Attributes:
        kind: what it is.
        name: the activity or workflow type's name, the timer id, or ``decision``.
        ident: the activity id, timer id or child workflow id (the decision's scheduled event id).
        attempt: the attempt's number within its lane's retries (1 when not retried).
        scheduled_at: when it was asked for.
        started_at: when a worker took it (None if none did, or for timers).
        closed_at: when it closed (None while open).
        outcome: how it closed.
        detail: why it failed, timed out or was refused ("" otherwise).
        event_ids: the events it is made of, oldest first.
    """

    kind: BarKind
    name: str
    ident: str
    attempt: int
    scheduled_at: dt.datetime
    started_at: dt.datetime | None
    closed_at: dt.datetime | None
    outcome: Outcome
    detail: str
    event_ids: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class Lane:
    """A row of the timeline: one call and its retries (key: the id they share)."""

    key: str
    label: str
    bars: tuple[Bar, ...]


@dataclass(frozen=True, slots=True)
class Point:
    """Something that took no time: a signal, a marker, a cancel request."""

    kind: str  # "signal", "marker" or "cancel_request"
    name: str
    at: dt.datetime
    event_id: int


@dataclass(frozen=True, slots=True)
class Timeline:
    """A run drawn over time.

    Attributes:
        started_at: the run's first event.
        ended_at: its closing event, else its latest event (the page may extend it to now).
        closed: whether the run has closed.
        lanes: activities, timers and child workflows, in the order first asked for.
        decisions: the decision tasks.
        points: signals, markers and cancel requests.
    """

    started_at: dt.datetime | None
    ended_at: dt.datetime | None
    closed: bool
    lanes: tuple[Lane, ...]
    decisions: tuple[Bar, ...]
    points: tuple[Point, ...]

    def as_json(self) -> dict[str, Any]:
        """JSON values: times as ISO 8601 text plus seconds since ``started_at`` (``*Offset``)."""
        start = self.started_at

        def offset(when: dt.datetime | None) -> float | None:
            if when is None or start is None:
                return None
            return round((when - start).total_seconds(), 3)

        def bar(item: Bar) -> dict[str, Any]:
            return {
                "kind": item.kind.value,
                "name": item.name,
                "id": item.ident,
                "attempt": item.attempt,
                "outcome": item.outcome.value,
                "detail": item.detail,
                "eventIds": list(item.event_ids),
                "scheduledAt": _iso(item.scheduled_at),
                "startedAt": _iso(item.started_at),
                "closedAt": _iso(item.closed_at),
                "scheduledOffset": offset(item.scheduled_at),
                "startedOffset": offset(item.started_at),
                "closedOffset": offset(item.closed_at),
            }

        return {
            "startedAt": _iso(self.started_at),
            "endedAt": _iso(self.ended_at),
            "duration": offset(self.ended_at) or 0.0,
            "closed": self.closed,
            "lanes": [
                {"key": lane.key, "label": lane.label, "bars": [bar(b) for b in lane.bars]}
                for lane in self.lanes
            ],
            "decisions": [bar(b) for b in self.decisions],
            "points": [
                {
                    "kind": p.kind,
                    "name": p.name,
                    "at": _iso(p.at),
                    "offset": offset(p.at),
                    "eventId": p.event_id,
                }
                for p in self.points
            ],
        }


def _iso(when: dt.datetime | None) -> str | None:
    return None if when is None else when.isoformat()


# The id of a retried attempt or backoff timer, and the call's id it carries (module docstring).
_RETRIED = re.compile(r"^(?P<base>.+)-(?:attempt|backoff)-(?P<attempt>\d+)$")

_ACTIVITY_ENDS = {
    "ActivityTaskCompleted": Outcome.COMPLETED,
    "ActivityTaskFailed": Outcome.FAILED,
    "ActivityTaskTimedOut": Outcome.TIMED_OUT,
    "ActivityTaskCanceled": Outcome.CANCELED,
}
_CHILD_ENDS = {
    "ChildWorkflowExecutionCompleted": Outcome.COMPLETED,
    "ChildWorkflowExecutionFailed": Outcome.FAILED,
    "ChildWorkflowExecutionTimedOut": Outcome.TIMED_OUT,
    "ChildWorkflowExecutionCanceled": Outcome.CANCELED,
    "ChildWorkflowExecutionTerminated": Outcome.TERMINATED,
}
_CLOSING = frozenset(
    {
        "WorkflowExecutionCompleted",
        "WorkflowExecutionFailed",
        "WorkflowExecutionTimedOut",
        "WorkflowExecutionCanceled",
        "WorkflowExecutionTerminated",
        "WorkflowExecutionContinuedAsNew",
    }
)
_POINTS = {
    "WorkflowExecutionSignaled": ("signal", "signalName"),
    "MarkerRecorded": ("marker", "markerName"),
    "WorkflowExecutionCancelRequested": ("cancel_request", "cause"),
}


def lane_key(kind: BarKind, ident: str) -> tuple[str, int]:
    """The lane a bar goes in, and its attempt number (see the module docstring).

    >>> lane_key(BarKind.ACTIVITY, "3-attempt-2")
    ('activity:3', 2)
    >>> lane_key(BarKind.TIMER, "3-backoff-2")
    ('activity:3', 2)
    >>> lane_key(BarKind.TIMER, "7")
    ('timer:7', 1)
    """
    if kind is BarKind.TIMER and ident.startswith(RETRY_TIMER_PREFIX):
        return "decision-retry", 1
    match = _RETRIED.match(ident)
    if match is None:
        return f"{kind.value}:{ident}", 1
    base, attempt = match.group("base"), int(match.group("attempt"))
    if kind is BarKind.TIMER:
        # A backoff timer waits before an attempt of an activity or of a child workflow; which
        # one is learnt when the attempts are seen (build_timeline re-homes it).
        return f"retry:{base}", attempt
    return f"{kind.value}:{base}", attempt


class _Builder:
    """The bars and points so far, as the events are read in order."""

    def __init__(self) -> None:
        self.bars: dict[int, Bar] = {}  # keyed by the event that asked for it
        self.decisions: dict[int, Bar] = {}
        self.points: list[Point] = []
        self.timers: dict[str, int] = {}  # open timer id -> its TimerStarted event id
        self.children: dict[str, int] = {}  # child workflow id -> its Initiated event id

    def read(self, event: HistoryEvent) -> None:
        kind, at, attrs, event_id = event.event_type, event.timestamp, event.attributes, event.event_id
        if kind == "ActivityTaskScheduled":
            self._open(event_id, BarKind.ACTIVITY, _type_name(attrs, "activityType"), attrs["activityId"], at)
        elif kind == "ActivityTaskStarted":
            self._start(int(attrs["scheduledEventId"]), at, event_id)
        elif kind in _ACTIVITY_ENDS:
            self._close(int(attrs["scheduledEventId"]), at, _ACTIVITY_ENDS[kind], _why(attrs), event_id)
        elif kind == "ScheduleActivityTaskFailed":
            self._refused(
                event_id, BarKind.ACTIVITY, _type_name(attrs, "activityType"), attrs, "activityId", at
            )
        elif kind == "TimerStarted":
            timer_id = str(attrs["timerId"])
            self._open(event_id, BarKind.TIMER, timer_id, timer_id, at)
            self.timers[timer_id] = event_id
        elif kind in ("TimerFired", "TimerCanceled"):
            started = attrs.get("startedEventId") or self.timers.get(str(attrs.get("timerId")))
            outcome = Outcome.FIRED if kind == "TimerFired" else Outcome.CANCELED
            if started:
                self._close(int(started), at, outcome, "", event_id)
        elif kind == "StartTimerFailed":
            self._refused(event_id, BarKind.TIMER, str(attrs.get("timerId")), attrs, "timerId", at)
        elif kind == "StartChildWorkflowExecutionInitiated":
            child_id = str(attrs["workflowId"])
            self._open(event_id, BarKind.CHILD_WORKFLOW, _type_name(attrs, "workflowType"), child_id, at)
            self.children[child_id] = event_id
        elif kind == "ChildWorkflowExecutionStarted":
            self._start(int(attrs["initiatedEventId"]), at, event_id)
        elif kind in _CHILD_ENDS:
            self._close(int(attrs["initiatedEventId"]), at, _CHILD_ENDS[kind], _why(attrs), event_id)
        elif kind == "StartChildWorkflowExecutionFailed":
            initiated = int(attrs.get("initiatedEventId") or 0)
            if initiated in self.bars:  # failed later, after it was initiated
                self._close(initiated, at, Outcome.FAILED, _why(attrs), event_id)
            else:
                name = _type_name(attrs, "workflowType")
                self._refused(event_id, BarKind.CHILD_WORKFLOW, name, attrs, "workflowId", at)
        elif kind == "DecisionTaskScheduled":
            self.decisions[event_id] = Bar(
                BarKind.DECISION, "decision", str(event_id), 1, at, None, None, Outcome.OPEN, "", (event_id,)
            )
        elif kind == "DecisionTaskStarted":
            self._start(int(attrs["scheduledEventId"]), at, event_id, self.decisions)
        elif kind in ("DecisionTaskCompleted", "DecisionTaskTimedOut"):
            outcome = Outcome.COMPLETED if kind == "DecisionTaskCompleted" else Outcome.TIMED_OUT
            self._close(int(attrs["scheduledEventId"]), at, outcome, _why(attrs), event_id, self.decisions)
        elif kind in _POINTS:
            point_kind, member = _POINTS[kind]
            self.points.append(Point(point_kind, str(attrs.get(member) or ""), at, event_id))

    def _open(self, event_id: int, kind: BarKind, name: str, ident: Any, at: dt.datetime) -> None:
        ident = str(ident)
        attempt = lane_key(kind, ident)[1]
        self.bars[event_id] = Bar(kind, name, ident, attempt, at, None, None, Outcome.OPEN, "", (event_id,))

    def _refused(
        self, event_id: int, kind: BarKind, name: str, attrs: Mapping[str, Any], member: str, at: dt.datetime
    ) -> None:
        self._open(event_id, kind, name, attrs.get(member) or "?", at)
        self._close(event_id, at, Outcome.FAILED, f"refused: {attrs.get('cause', '')}", None)

    def _start(self, key: int, at: dt.datetime, event_id: int, bars: dict[int, Bar] | None = None) -> None:
        table = self.bars if bars is None else bars
        bar = table.get(key)
        if bar is not None:
            table[key] = replace(bar, started_at=at, event_ids=(*bar.event_ids, event_id))

    def _close(
        self,
        key: int,
        at: dt.datetime,
        outcome: Outcome,
        detail: str,
        event_id: int | None,
        bars: dict[int, Bar] | None = None,
    ) -> None:
        table = self.bars if bars is None else bars
        bar = table.get(key)
        if bar is None:  # the history we were given starts after it was asked for
            return
        ids = bar.event_ids if event_id is None else (*bar.event_ids, event_id)
        table[key] = replace(bar, closed_at=at, outcome=outcome, detail=detail, event_ids=ids)

    def lanes(self) -> tuple[Lane, ...]:
        homes: dict[str, str] = {}  # a retried call's base -> its lane (activity or child)
        for bar in self.bars.values():
            key = lane_key(bar.kind, bar.ident)[0]
            if bar.kind is not BarKind.TIMER and _RETRIED.match(bar.ident):
                base = key.split(":", 1)[1]
                homes.setdefault(base, key)
                # A generated child id is <runId>:<n>; its backoff timers are named after <n>.
                homes.setdefault(base.rsplit(":", 1)[-1], key)
        lanes: dict[str, list[Bar]] = {}
        for bar in self.bars.values():
            key = lane_key(bar.kind, bar.ident)[0]
            if key.startswith("retry:"):
                key = homes.get(key[len("retry:") :], f"timer:{bar.ident}")
            lanes.setdefault(key, []).append(bar)
        return tuple(Lane(key, _label(key, bars), tuple(bars)) for key, bars in lanes.items())


def _label(key: str, bars: list[Bar]) -> str:
    if key == "decision-retry":
        return "decision retries"
    named = next((bar for bar in bars if bar.kind is not BarKind.TIMER), bars[0])
    attempts = sum(1 for bar in bars if bar.kind is not BarKind.TIMER)
    base = key.split(":", 1)[1]
    if named.kind is BarKind.TIMER:
        return f"timer {base}"
    retried = f", {attempts} attempts" if attempts > 1 else ""
    return f"{named.name} ({base}){retried}"


def _type_name(attrs: Mapping[str, Any], member: str) -> str:
    value = attrs.get(member)
    return str(value.get("name", "?")) if isinstance(value, Mapping) else "?"


def _why(attrs: Mapping[str, Any]) -> str:
    """What a closing event says about why (empty for a plain completion)."""
    parts = [str(attrs[key]) for key in ("reason", "timeoutType", "cause") if attrs.get(key)]
    return ": ".join(parts)


def build_timeline(events: Sequence[HistoryEvent]) -> Timeline:
    """The timeline of a run from its events (oldest first; see the module docstring)."""
    builder = _Builder()
    for event in events:
        builder.read(event)
    closed = bool(events) and events[-1].event_type in _CLOSING
    return Timeline(
        started_at=events[0].timestamp if events else None,
        ended_at=events[-1].timestamp if events else None,
        closed=closed,
        lanes=builder.lanes(),
        decisions=tuple(builder.decisions.values()),
        points=tuple(builder.points),
    )
