"""Commands: the decisions workflow code makes, and how history events confirm them.

Every decision the code makes becomes a :class:`Command` with a *key* — the decision type and
the id SWF echoes back (activity id, timer id, child workflow id, ...). When a decision task
completes, SWF records one event per decision, in order, each naming that id
(``ActivityTaskScheduled`` for ``ScheduleActivityTask``, ``StartTimerFailed`` for a refused
``StartTimer`` ...). Replay checks the recorded events against the commands the code makes
again: same keys in the same order, or the code is no longer the code that wrote the history.
"""

from __future__ import annotations

import os
import sys
from typing import Any

from .._swf import EVENTS, LIMITS
from .._swf import check_size as check_size

# What awsflow.workers import from here (with check_size) until they take them from awsflow._swf
# (issue 12: the workers are reworked on another branch). Nothing else uses these names.
PAYLOAD_LIMIT = LIMITS.payload
REASON_LIMIT = LIMITS.reason

PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class Command:
    """One decision made by workflow code, with where in the code it was made.

    The wire dict may be built late (:meth:`build`): a replayed decision is only compared with
    the event that recorded it, so encoding its input would be wasted work on the hot path.
    Subclasses (the activity call) override :meth:`build` and :meth:`confirmed`.
    """

    __slots__ = ("decision", "detail", "generated_id", "is_close", "key", "on_confirm", "origin")

    def __init__(
        self,
        key: tuple[str, str],
        decision: dict[str, Any] | None,
        detail: tuple[str, ...] = (),
        origin: Any = "",
        *,
        is_close: bool = False,
        on_confirm: Any = None,
        generated_id: bool = False,
    ) -> None:
        self.key = key
        self.decision = decision
        self.detail = detail
        self.origin = origin  # (code, line) of the call, or already a string
        self.is_close = is_close
        self.on_confirm = on_confirm
        self.generated_id = generated_id  # an id awsflow made up: another SDK's history may differ

    def build(self) -> dict[str, Any]:
        raise NotImplementedError("a command made without its decision must build it")

    def materialize(self) -> dict[str, Any]:
        """The decision's wire dict (built now if it was deferred)."""
        if self.decision is None:
            self.decision = self.build()
        return self.decision

    def confirmed(self, event: dict[str, Any], attributes: dict[str, Any]) -> None:
        """The history recorded this decision (``event``)."""
        if self.on_confirm is not None:
            self.on_confirm(event, attributes)

    @property
    def where(self) -> str:
        """``file:line`` of the workflow code that made the decision."""
        origin = self.origin
        if isinstance(origin, tuple):
            code, line = origin
            return f"{code.co_filename}:{line}"
        return str(origin)

    def describe(self) -> str:
        what = f"{self.key[0]} {' '.join(self.detail)}".strip()
        return f"{what} (id {self.key[1]!r})" if self.key[1] else what


def caller_origin(depth: int = 1) -> Any:
    """(code, line) of the innermost frame outside awsflow: the workflow code making a call.

    ``depth`` skips frames known to be awsflow's (a cheap start for the walk). The string is
    made only if a divergence needs it.
    """
    frame = sys._getframe(depth)
    while frame is not None and frame.f_code.co_filename.startswith(PACKAGE_DIR):
        frame = frame.f_back  # type: ignore[assignment]
    if frame is None:
        return "<unknown>"
    return (frame.f_code, frame.f_lineno)


def _id_of(member: str) -> Any:
    return lambda attributes: attributes.get(member, "")


def _type_detail(member: str) -> Any:
    def detail(attributes: dict[str, Any]) -> tuple[str, ...]:
        named = attributes.get(member) or {}
        return (str(named.get("name", "")), str(named.get("version", "")))

    return detail


def _no_detail(attributes: dict[str, Any]) -> tuple[str, ...]:
    return ()


def _no_id(attributes: dict[str, Any]) -> str:
    return ""


# Result event type -> (decision type, how to read the id, how to read the detail), from the table.
RESULT_EVENTS: dict[str, tuple[str, Any, Any]] = {
    spec.event_type: (
        spec.records,
        _id_of(spec.id_member) if spec.id_member else _no_id,
        _type_detail(spec.type_member) if spec.type_member else _no_detail,
    )
    for spec in EVENTS.values()
    if spec.records is not None
}

# Failures that may also arrive later, asynchronously; only those with initiatedEventId 0 answer
# a decision of the task that just completed.
ASYNC_FAILURES = frozenset(spec.event_type for spec in EVENTS.values() if spec.late)
