"""How many decisions one response may carry, and the timer that brings the next decision task.

SWF bounds a RespondDecisionTaskCompleted request at 1 MB and the AWS Flow Framework sends at
most 100 decisions per response (SWF-SEMANTICS §9, §10.5). When the code makes more — a fan-out
of hundreds of activities in one step — the replay sends the first part with a 0-second timer;
its firing starts another decision task, which sends the rest. Replay makes the same split at the
same place (it depends only on the commands), so the history confirms it like any decision.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from .._swf import Limits
from ..exceptions import NondeterminismError, PayloadTooLargeError
from ._commands import Command

__all__ = ["SplitTimer", "measured_from", "split_point"]


def measured_from(limits: Limits) -> int:
    """Fewer decisions than this cannot reach ``limits.decisions_bytes``: they are never measured
    (measuring encodes replayed inputs, which replay otherwise skips).

    >>> from awsflow._swf import LIMITS
    >>> measured_from(LIMITS)
    26
    """
    return limits.decisions_bytes // limits.largest_decision + 1


class SplitTimer(Command):
    """The 0-second StartTimer that ends a split response; its events mean nothing to the code."""

    __slots__ = ()

    def __init__(self, timer_id: str) -> None:
        super().__init__(
            ("StartTimer", timer_id),
            {
                "decisionType": "StartTimer",
                "startTimerDecisionAttributes": {"timerId": timer_id, "startToFireTimeout": "0"},
            },
            origin="awsflow (more decisions than one response carries)",
        )


def split_point(commands: Sequence[Command], limits: Limits) -> int | None:
    """Where to cut ``commands`` so the first part fits one response; None if all fit."""
    count = len(commands)
    most = limits.decisions_per_response
    size = 0
    for index, command in enumerate(commands):
        if index == most - 1 and count > most:
            return index
        size += _encoded_size(command)
        if size > limits.decisions_bytes:
            return max(index, 1)
    return None


def _encoded_size(command: Command) -> int:
    try:
        decision: Any = command.materialize()
    except PayloadTooLargeError as too_large:
        # Only a fast replay defers encoding: the original call raised this in the workflow's
        # code, so the history cannot hold it; the strict replay that follows decides.
        raise NondeterminismError(f"replayed {command.describe()} no longer encodes: {too_large}") from None
    return len(json.dumps(decision, separators=(",", ":")))
