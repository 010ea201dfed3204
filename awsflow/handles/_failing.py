"""Whether an open execution's decision tasks keep failing, read from its history.

awsflow's workflow workers record why a decision task failed (``awsflow.decision_failures``: a
marker and a retry timer); that record is read first. A worker that dies or hangs while deciding
(or one not written with awsflow) leaves only the symptom: SWF times the task out
(``DecisionTaskTimedOut``, START_TO_CLOSE) and schedules another. Without a record, this module
reports the run of such time-outs since the last decision task that completed: how many, and
since when.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ..decision_failures import DecisionFailure
from ..decision_failures import current_failure as recorded_failure
from ._events import to_datetime

__all__ = ["DecisionFailure", "current_failure"]


def current_failure(events: Sequence[Mapping[str, Any]]) -> DecisionFailure | None:
    """Why the run's decision tasks keep failing: the recorded failure, else the time-outs in a row.

    None when the latest decision task completed normally (or none failed).
    """
    events = list(events)
    recorded = recorded_failure(events)
    if recorded is not None:
        return recorded
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
