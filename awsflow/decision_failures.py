"""Failing decisions, made visible in the history and retried with a growing interval.

A decision task fails when awsflow cannot decide it: replaying the history with the worker's
code raises (:class:`~awsflow.exceptions.NondeterminismError` after a change to running code, a
workflow type the worker lacks, an input the data converter cannot decode, a bug). Left
unanswered, SWF times the task out after its ``taskStartToCloseTimeout`` and schedules another:
three events per timeout (DecisionTaskScheduled, Started, TimedOut), for as long as the run may
last, and nothing outside the worker's log says why.

Design
------
A workflow worker answers a decision task it could not decide with exactly two decisions and no
``executionContext``:

1. ``RecordMarker`` named :data:`FAILURE_MARKER` (``awsflow.decision-failure``). Its details are
   JSON: the error's type, message, the source file and line it names, and the stack (Python's
   traceback). SWF caps marker details at 32,768 characters (SWF-SEMANTICS.md §9.2: "≤32768:
   ... details"); a longer stack is cut from the top (the innermost frames, which say where, are
   kept) behind a note saying how much was cut, and an over-long message likewise: never
   silently, and never a refused decision.
2. ``StartTimer`` with id ``awsflow.decision-retry.<startedEventId of the failed task>``
   (:data:`RETRY_TIMER_PREFIX`; unique because event ids are), firing after
   :func:`retry_interval` of the attempt: 10 s, doubling, at most 10 minutes. When it fires SWF
   schedules a decision task (SWF-SEMANTICS.md §4.2 and §6: TimerFired triggers one); so does any
   other triggering event (a signal, an activity finishing). Markers trigger none (§8.4).

Each retry thus writes six events (DecisionTaskScheduled, Started, Completed, MarkerRecorded,
TimerStarted, TimerFired) once per interval instead of three per task timeout, the history says
why and since when (:func:`current_failure`, for ``describe()``, ``awsflow workflow stuck`` and the
web timeline), and a worker running fixed code picks the run up at the next retry without anyone
doing anything: its replay reads the failure's events as if that decision task had timed out.

Replaying
---------
The failure's events are invisible to workflow code (``awsflow.decider``):

- the marker is never confirmed against a decision; it says the decision task it follows decided
  nothing, so what the code decides there stays pending for the next task, exactly as after
  DecisionTaskTimedOut;
- the retry timer's TimerStarted (or StartTimerFailed) confirms no decision, and its TimerFired
  or TimerCanceled resolves no timer of the code;
- nothing of workflow code's is counted for them: decision ids, timer ids, split timers, the
  side-effect and patch markers are all numbered by the code's own calls. Workflow time is read
  from DecisionTaskStarted events, as always.

A history without these events (every history written before, botoflow's included) replays as
it did. A retry timer still open when fixed code carries on (because another event brought the
decision task first) fires later into an ordinary decision task with nothing to do, or vanishes
when the run closes (SWF-SEMANTICS.md §8.4: open timers vanish when the run closes).

The replay counts a decision task as deciding nothing from its marker, which SWF writes right
after the task's DecisionTaskCompleted, in the same write (SWF-SEMANTICS.md §4.2: a response's
events are its DecisionTaskCompleted, then each decision's events in list order); a poll's
history ends at a later DecisionTaskStarted, so a worker always has both. Were SWF to refuse the marker
(RecordMarkerFailed, cause OPERATION_NOT_PERMITTED: an IAM policy), that event does the same job
for the replay, but :func:`current_failure` then has nothing to read.

A failing decision never closes the run: the run closes only through a close decision, which
the failed task did not make. Code that fails while deciding a task that would have closed the
run is retried like any other.

Why not ``executionContext``: it is the workflow's ``workflow_state`` (botoflow's API), which
the failure would overwrite; DescribeWorkflowExecution's ``latestExecutionContext`` would then
show the failure until the code next sets its state, and whether a later response that omits it
clears it is unverified (SWF-SEMANTICS.md §4.5). The marker needs no such restoring; readers pay
a history read (the end of it suffices, see :func:`current_failure`).

This module is pure (no I/O, no clock): the worker calls :func:`failure_decisions` and readers
call :func:`current_failure` on history events as botocore returns them.
"""

from __future__ import annotations

import json
import os
import traceback
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from ._swf import CLOSING_EVENTS, LIMITS, as_datetime

__all__ = [
    "FAILURE_MARKER",
    "FIRST_RETRY_INTERVAL",
    "MOST_RETRY_INTERVAL",
    "RETRY_TIMER_PREFIX",
    "DecisionFailure",
    "current_failure",
    "failure_decisions",
    "failure_details",
    "is_failure_marker",
    "is_retry_timer",
    "next_attempt",
    "retry_interval",
]

FAILURE_MARKER = "awsflow.decision-failure"
RETRY_TIMER_PREFIX = "awsflow.decision-retry."

FIRST_RETRY_INTERVAL = 10  # seconds
MOST_RETRY_INTERVAL = 600  # seconds
_MESSAGE_MOST = 8_192  # encoded characters of the message kept; the stack gets the rest of the details

_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))


@dataclass(frozen=True)
class DecisionFailure:
    """Why an open run's decisions fail, as its history records it.

    Attributes:
        error_type: the exception's qualified name (``awsflow.exceptions.NondeterminismError``).
        message: its message (cut, with a note saying so, only past 8,192 characters).
        source_file, source_line: the workflow code's line the error names: for
            NondeterminismError the call that no longer matches the history, else the innermost
            frame of the traceback outside awsflow; None if there is none.
        stack: Python's traceback of the failure (its top cut, with a note, past SWF's limit).
        since: when the current streak of failures began (the first failure's marker).
        failed_at: when the latest failure was recorded.
        attempts: failed decision tasks in the streak.
        next_retry_at: when the retry timer fires (or fired); None if the history has none.
    """

    error_type: str
    message: str
    source_file: str | None
    source_line: int | None
    stack: str
    since: datetime | None
    failed_at: datetime | None
    attempts: int
    next_retry_at: datetime | None

    @property
    def location(self) -> str | None:
        """``file:line``, or None."""
        if self.source_file is None:
            return None
        return self.source_file if self.source_line is None else f"{self.source_file}:{self.source_line}"

    def as_json(self) -> dict[str, Any]:
        """The fields as JSON values (times as ISO 8601 strings, None as null), plus the summary."""
        return {
            "errorType": self.error_type,
            "message": self.message,
            "sourceFile": self.source_file,
            "sourceLine": self.source_line,
            "stack": self.stack,
            "since": _iso(self.since),
            "failedAt": _iso(self.failed_at),
            "attempts": self.attempts,
            "nextRetryAt": _iso(self.next_retry_at),
            "summary": self.summary(),
        }

    def summary(self) -> str:
        """One line: ``decision failing since T (n attempts): Error at file.py:42: message``."""
        name = self.error_type.rsplit(".", 1)[-1]
        where = f" at {self.location}" if self.location else ""
        since = self.since.isoformat() if self.since is not None else "?"
        first_line = self.message.splitlines()[0] if self.message else ""
        attempts = f"{self.attempts} attempt{'' if self.attempts == 1 else 's'}"
        return f"decision failing since {since} ({attempts}): {name}{where}: {first_line}"


def retry_interval(attempt: int) -> int:
    """Seconds before retrying after the ``attempt``-th failure in a row (1-based).

    >>> [retry_interval(n) for n in (1, 2, 3, 7, 8, 100)]
    [10, 20, 40, 600, 600, 600]
    """
    if attempt >= 10:
        return MOST_RETRY_INTERVAL
    return int(min(FIRST_RETRY_INTERVAL * 2 ** max(attempt - 1, 0), MOST_RETRY_INTERVAL))


def is_failure_marker(name: object) -> bool:
    """Whether a marker name is awsflow's decision-failure marker."""
    return name == FAILURE_MARKER


def is_retry_timer(timer_id: object) -> bool:
    """Whether a timer id is one of awsflow's decision-retry timers."""
    return isinstance(timer_id, str) and timer_id.startswith(RETRY_TIMER_PREFIX)


# -- writing ---------------------------------------------------------------------------------------
def failure_decisions(error: BaseException, started_event_id: int, attempt: int) -> list[dict[str, Any]]:
    """The two decisions answering a decision task that failed with ``error`` (module docstring).

    ``attempt`` is the failure's number in its streak (1 for the first), which sets the interval.
    """
    return [
        {
            "decisionType": "RecordMarker",
            "recordMarkerDecisionAttributes": {
                "markerName": FAILURE_MARKER,
                "details": failure_details(error, retry_interval(attempt)),
            },
        },
        {
            "decisionType": "StartTimer",
            "startTimerDecisionAttributes": {
                "timerId": f"{RETRY_TIMER_PREFIX}{started_event_id}",
                "startToFireTimeout": str(retry_interval(attempt)),
            },
        },
    ]


def failure_details(error: BaseException, retry_in: int, limit: int = LIMITS.payload) -> str:
    """The marker's JSON details, at most ``limit`` characters (cut visibly, see the docstring)."""
    kind = type(error)
    module = kind.__module__
    error_type = kind.__qualname__ if module == "builtins" else f"{module}.{kind.__qualname__}"
    try:
        message = str(error)
    except Exception as unprintable:  # any: user code's __str__ may raise anything; say so instead
        message = f"<str() of this {error_type} raised {type(unprintable).__name__}: {unprintable!r}>"
    if len(_encode(message)) - 2 > _MESSAGE_MOST:
        message = _cut(
            message, _MESSAGE_MOST, "[awsflow: the last {} characters of this message were cut]", head=True
        )
    source_file, source_line = _source(error)
    record: dict[str, Any] = {
        "type": error_type,
        "message": message,
        "file": source_file,
        "line": source_line,
        "retryIn": retry_in,
        "stack": "",
    }
    stack = "".join(traceback.format_exception(kind, error, error.__traceback__))
    room = limit - len(_encode(record))  # the stack's encoded characters that fit
    if len(_encode(stack)) - 2 > room:
        note = (
            f"[awsflow: the top {{}} characters of this stack were cut to fit SWF's {limit}-character limit]"
        )
        stack = _cut(stack, room, note, head=False)
    record["stack"] = stack
    details = _encode(record)
    if len(details) > limit:  # only if the limit leaves no room even for the note
        raise ValueError(f"a decision failure's details need more than {limit} characters")
    return details


def _encode(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def _cut(text: str, room: int, note: str, *, head: bool) -> str:
    """``text`` cut, with ``note`` (formatted with the count cut) saying so, to encode to at most
    ``room`` characters: the head kept, or the tail (a stack's innermost frames)."""

    def shortened(cut: int) -> str:
        said = note.format(cut)
        return f"{text[: len(text) - cut]}\n{said}" if head else f"{said}\n{text[cut:]}"

    low, high = 0, len(text)  # the fewest characters cut that fit (more cut never encodes longer)
    while low < high:
        middle = (low + high) // 2
        if len(_encode(shortened(middle))) - 2 <= room:
            high = middle
        else:
            low = middle + 1
    return shortened(low)


def _source(error: BaseException) -> tuple[str | None, int | None]:
    named = getattr(error, "source", None)  # NondeterminismError: the workflow call that diverged
    if isinstance(named, tuple) and len(named) == 2 and isinstance(named[1], int):
        return str(named[0]), named[1]
    found: tuple[str | None, int | None] = (None, None)
    for frame, line in traceback.walk_tb(error.__traceback__):
        filename = frame.f_code.co_filename
        if not filename.startswith(_PACKAGE_DIR):
            found = (filename, line)
    return found


# -- reading ---------------------------------------------------------------------------------------
def next_attempt(events: Iterable[Mapping[str, Any]]) -> int:
    """The number a failure of the run's next decision task has in its streak (1 for the first):
    what :func:`failure_decisions` takes, read from the history as :func:`current_failure` does."""
    before = current_failure(events)
    return before.attempts + 1 if before is not None else 1


def current_failure(events: Iterable[Mapping[str, Any]]) -> DecisionFailure | None:
    """The failure an open run's decisions are stuck on, read from its history; else None.

    ``events`` are history events as botocore returns them (GetWorkflowExecutionHistory,
    oldest first; pages concatenated). A streak of failures ends with the first decision task
    that completes otherwise (fixed code decided it) and the run's close ends any. A suffix of
    the history will do (e.g. pages read with ``reverseOrder=True`` back to the last decision
    task not answered with a failure, then reversed): attempts and ``since`` are then those
    within it.
    """
    failed: dict[int, Mapping[str, Any]] = {}  # DecisionTaskCompleted id -> its failure marker
    timers: dict[int, Mapping[str, Any]] = {}  # DecisionTaskCompleted id -> its retry timer
    history = list(events)
    for event in history:
        event_type = event["eventType"]
        if event_type == "MarkerRecorded":
            attributes = event.get("markerRecordedEventAttributes") or {}
            if is_failure_marker(attributes.get("markerName")):
                failed[attributes.get("decisionTaskCompletedEventId", 0)] = event
        elif event_type == "TimerStarted":
            attributes = event.get("timerStartedEventAttributes") or {}
            if is_retry_timer(attributes.get("timerId")):
                timers[attributes.get("decisionTaskCompletedEventId", 0)] = event
    if not failed:
        return None
    first: Mapping[str, Any] | None = None
    last: Mapping[str, Any] | None = None
    last_completed = 0
    attempts = 0
    for event in history:
        event_type = event["eventType"]
        if event_type in CLOSING_EVENTS:
            return None
        if event_type == "DecisionTaskCompleted":
            marker = failed.get(event["eventId"])
            if marker is None:
                first, last, attempts = None, None, 0
            else:
                first = first or marker
                last, last_completed = marker, event["eventId"]
                attempts += 1
    if last is None:
        return None
    details = (last.get("markerRecordedEventAttributes") or {}).get("details") or ""
    try:
        record = json.loads(details)
        if not isinstance(record, dict):
            raise ValueError("not an object")
    except ValueError:
        # Not written by awsflow: show what is there rather than nothing.
        record = {"type": "<unreadable awsflow.decision-failure marker>", "message": details}
    line = record.get("line")
    return DecisionFailure(
        error_type=str(record.get("type") or ""),
        message=str(record.get("message") or ""),
        source_file=record.get("file") if isinstance(record.get("file"), str) else None,
        source_line=line if isinstance(line, int) else None,
        stack=str(record.get("stack") or ""),
        since=_when(first),
        failed_at=_when(last),
        attempts=attempts,
        next_retry_at=_fires_at(timers.get(last_completed)),
    )


def _iso(when: datetime | None) -> str | None:
    return None if when is None else when.isoformat()


def _when(event: Mapping[str, Any] | None) -> datetime | None:
    if event is None:
        return None
    stamp = event.get("eventTimestamp")
    return None if stamp is None else as_datetime(stamp)


def _fires_at(timer_started: Mapping[str, Any] | None) -> datetime | None:
    started = _when(timer_started)
    if started is None or timer_started is None:
        return None
    timeout = (timer_started.get("timerStartedEventAttributes") or {}).get("startToFireTimeout", "0")
    try:
        return started + timedelta(seconds=int(timeout))
    except ValueError:
        return None
