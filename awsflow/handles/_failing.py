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

    The fields are those of ``awsflow.decision_failures.DecisionFailure`` (issue 14 §2, being
    built on another branch), which takes this one's place when it lands: only the time-outs
    are known here, so there is no source line, no stack and no retry timer.

    Attributes:
        error_type: what failed (``"DecisionTaskTimedOut"`` when only the time-outs are known).
        message: a sentence saying what happened.
        source_file, source_line: the workflow code's line the error names, when known.
        stack: the failure's traceback, when known ("" otherwise).
        since: when the first failing decision task of the current streak failed.
        failed_at: when the latest one failed.
        attempts: decision tasks failed since the last one that completed.
        next_retry_at: when the next attempt is due, when known.
    """

    error_type: str
    message: str
    source_file: str | None
    source_line: int | None
    stack: str
    since: dt.datetime | None
    failed_at: dt.datetime | None
    attempts: int
    next_retry_at: dt.datetime | None

    @property
    def location(self) -> str | None:
        """``file:line``, or None."""
        if self.source_file is None:
            return None
        return self.source_file if self.source_line is None else f"{self.source_file}:{self.source_line}"


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
        source_file=None,
        source_line=None,
        stack="",
        since=since,
        failed_at=to_datetime(timed_out[-1]["eventTimestamp"]),
        attempts=count,
        next_retry_at=None,
    )
