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

from ..exceptions import NondeterminismError, PayloadTooLargeError
from ._commands import Command

__all__ = [
    "DECISIONS_BYTES",
    "HISTORY_EVENT_LIMIT",
    "HISTORY_WARNING_AT",
    "MAX_DECISIONS",
    "MEASURE_FROM",
    "SplitTimer",
    "split_point",
]

MAX_DECISIONS = 100
# Of SWF's 1 MB request: the rest is for the task token, the execution context and JSON framing.
DECISIONS_BYTES = 900_000
# A decision is at most ~34 KB (a 32 KB input plus names and options): fewer than this many
# cannot reach DECISIONS_BYTES, so they are never measured (measuring encodes replayed inputs).
MEASURE_FROM = 26

HISTORY_EVENT_LIMIT = 25_000  # SWF terminates a run whose history reaches it
HISTORY_WARNING_AT = HISTORY_EVENT_LIMIT * 8 // 10


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


def split_point(commands: Sequence[Command]) -> int | None:
    """Where to cut ``commands`` so the first part fits one response; None if all fit."""
    count = len(commands)
    if count < MEASURE_FROM:
        return None
    size = 0
    for index, command in enumerate(commands):
        if index == MAX_DECISIONS - 1 and count > MAX_DECISIONS:
            return index
        size += _encoded_size(command)
        if size > DECISIONS_BYTES:
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
