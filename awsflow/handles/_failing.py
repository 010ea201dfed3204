"""Whether an open execution's decision tasks keep failing, read from its history.

Until the decider records why a decision task failed (issue 14 §2), the history shows only the
symptom: a decision task that raised in the worker is left unanswered and SWF times it out
(``DecisionTaskTimedOut``, START_TO_CLOSE), then schedules another. This module reports the
run of such time-outs since the last decision task that completed: how many, and since when.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ._events import to_datetime

__all__ = ["DecisionFailure", "current_failure"]


@dataclass(frozen=True, slots=True)
class DecisionFailure:
    """The decision tasks of an execution keep failing.

    Attributes:
        error_type: what failed (``"DecisionTaskTimedOut"`` when only the time-outs are known).
        message: a sentence saying what happened.
        source: ``file:line`` in the workflow's code, when known.
        since: when the first failing decision task of the current run of failures failed.
        attempts: decision tasks failed since the last one that completed.
    """

    error_type: str
    message: str
    source: str | None
    since: dt.datetime
    attempts: int


def current_failure(events: Sequence[Mapping[str, Any]]) -> DecisionFailure | None:
    """The decision tasks that timed out since the last one that completed (None if none did)."""
    timed_out: list[Mapping[str, Any]] = []
    for event in events:
        kind = event["eventType"]
        if kind == "DecisionTaskCompleted":
            timed_out = []
        elif kind == "DecisionTaskTimedOut":
            timed_out.append(event)
    if not timed_out:
        return None
    since = to_datetime(timed_out[0]["eventTimestamp"])
    count = len(timed_out)
    return DecisionFailure(
        error_type="DecisionTaskTimedOut",
        message=f"{count} decision task{'s' if count > 1 else ''} timed out in a row since "
        f"{since:%Y-%m-%d %H:%M:%S} UTC: the workflow worker fails or is too slow to answer "
        "(see its log)",
        source=None,
        since=since,
        attempts=count,
    )
