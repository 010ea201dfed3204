"""Markers: what workflow code records in its history to decide the same way on every replay.

Two helpers record a ``RecordMarker`` decision, named in an ``awsflow.`` namespace so that
other markers (the user's, another SDK's) never collide with them:

- ``awsflow.patch.<change id>``: :func:`awsflow.patched` took the new code path. Recorded once
  per change id per run, the first time the code asks while not replaying.
- ``awsflow.side_effect.<n>``: the encoded outcome of the n-th :func:`awsflow.side_effect` call
  of the run (``{"value": ...}`` or ``{"error": ...}``).

Like every decision, these markers are confirmed on replay by their ``MarkerRecorded`` events,
in order (see :mod:`._replay`): code that no longer records one, or records one the history
lacks, diverges with NondeterminismError.

The code needs the answer when it asks, but the history records it later: SWF writes a
decision task's ``MarkerRecorded`` events after its ``DecisionTaskCompleted``, behind the point
the replay has reached when the code asks. So the markers are read from the events fed to the
current ``apply`` (:meth:`Markers.observe`), ahead of the replay's position, the first time
replayed code asks. That works for a cold replay fed the whole history and for a kept replay fed
only new events alike: whenever the code is replaying, the decision task that recorded its
answer has been fed in the same call (it completed, which is what makes it a replay).

SWF may refuse a marker (``RecordMarkerFailed``, cause OPERATION_NOT_PERMITTED: an IAM policy).
A refused patch marker still says the first run took the new path; a refused side effect's
value is lost, and replaying that call raises NondeterminismError naming the cause.

A change id's first answer is kept for the run: repeated calls with one id agree, so the code
that ran first decides. On replay that first answer is True exactly when the history holds the
id's marker; a marker recorded where the replayed code does not record one is a divergence, as
for any decision.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Protocol

from .._swf import EVENTS, Limits, check_size, encodable_failure
from ..exceptions import NondeterminismError, RemoteExceptionStandIn
from ._commands import Command, caller_origin

__all__ = ["PATCH_PREFIX", "SIDE_EFFECT_PREFIX", "MarkerOwner", "Markers"]


class MarkerOwner(Protocol):
    """What the markers need of the replay that owns them (:class:`~._replay.ExecutionReplay`):
    its limits and workflow type, whether it is replaying, and where new decisions go."""

    limits: Limits

    @property
    def workflow_type(self) -> Any: ...

    def is_replaying(self) -> bool: ...

    def emit(self, command: Command) -> Command: ...


PATCH_PREFIX = "awsflow.patch."
SIDE_EFFECT_PREFIX = "awsflow.side_effect."


class Markers:
    """The marker state of one run's replay (owned by :class:`~._replay.ExecutionReplay`)."""

    def __init__(self, replay: MarkerOwner) -> None:
        self._replay = replay
        self._patches_recorded: set[str] = set()  # change ids whose markers the history holds
        self._patches_decided: dict[str, bool] = {}
        self._deprecated: set[str] = set()
        self._side_effects: dict[str, str | None] = {}  # marker name -> details
        self._side_effects_refused: dict[str, str] = {}  # marker name -> SWF's cause
        self._side_effect_calls = 0
        self.random_stream: Any = None  # awsflow.random()'s generator, made on first use
        self._problem: str | None = None  # why a side effect could not be replayed, if one was not
        self._unread: tuple[Sequence[dict[str, Any]], int] | None = None

    # -- reading the history ahead of the replay ------------------------------------------------
    def observe(self, events: Sequence[dict[str, Any]], start: int) -> None:
        """Note ``events[start:]``, fed to the replay now, to be read if the code asks.

        Read lazily: most workflows never ask, and reading is a pass over every event. What
        replayed code asks about is always among the events of the same ``apply`` (the decision
        task that recorded the answer completed, which is what makes the code a replay, and SWF
        writes the markers right after its completion), so nothing is kept past :meth:`release`.
        """
        self._unread = (events, start)

    def release(self) -> None:
        """The replay's ``apply`` is over: drop the events it was fed."""
        self._unread = None

    def _read_ahead(self) -> None:
        if self._unread is None:
            return
        events, start = self._unread
        self._unread = None
        for position in range(start, len(events)):
            event = events[position]
            event_type = event["eventType"]
            if event_type == "MarkerRecorded" or event_type == "RecordMarkerFailed":
                attributes = event.get(EVENTS[event_type].attributes) or {}
                name = str(attributes.get("markerName", ""))
                if name.startswith(PATCH_PREFIX):
                    self._patches_recorded.add(name[len(PATCH_PREFIX) :])
                elif not name.startswith(SIDE_EFFECT_PREFIX):
                    continue
                elif event_type == "MarkerRecorded":
                    self._side_effects[name] = attributes.get("details")
                else:
                    self._side_effects_refused[name] = str(attributes.get("cause", ""))

    def tolerates(self, attributes: dict[str, Any]) -> bool:
        """True for the marker of a patch the code deprecated: replay skips it."""
        name = str(attributes.get("markerName", ""))
        return name.startswith(PATCH_PREFIX) and name[len(PATCH_PREFIX) :] in self._deprecated

    # -- versioning -----------------------------------------------------------------------------
    def patched(self, change_id: str) -> bool:
        """See :func:`awsflow.patched`."""
        decided = self._patches_decided.get(change_id)
        if decided is not None:
            return decided
        replay = self._replay
        name = _marker_name(PATCH_PREFIX, change_id, "change id", replay.limits)
        # Replaying, the history says which path the first run took; otherwise this is it.
        if replay.is_replaying():
            self._read_ahead()
            decided = change_id in self._patches_recorded
        else:
            decided = True
        self._patches_decided[change_id] = decided
        if decided:
            replay.emit(_record_marker(name, change_id, replay.limits))
        return decided

    def deprecate_patch(self, change_id: str) -> None:
        """See :func:`awsflow.deprecate_patch`."""
        _marker_name(PATCH_PREFIX, change_id, "change id", self._replay.limits)
        self._deprecated.add(change_id)

    def first_problem(self) -> str:
        """For a divergence message: the side effect that could not be replayed, if any."""
        return f" (Before that: {self._problem}.)" if self._problem else ""

    # -- side effects ---------------------------------------------------------------------------
    def side_effect(self, fn: Callable[[], Any]) -> Any:
        """See :func:`awsflow.side_effect`."""
        replay = self._replay
        converter = replay.workflow_type.data_converter
        self._side_effect_calls += 1
        name = f"{SIDE_EFFECT_PREFIX}{self._side_effect_calls}"
        if replay.is_replaying():
            self._read_ahead()
            if name in self._side_effects_refused:
                problem = (
                    f"side_effect call {self._side_effect_calls} at {_where()} cannot be replayed: "
                    f"SWF refused to record its {name} marker "
                    f"({self._side_effects_refused[name]}), so its value is not in the history"
                )
            elif name not in self._side_effects:
                problem = (
                    f"side_effect call {self._side_effect_calls} at {_where()} has no recorded "
                    f"{name} marker in the history: the code now calls side_effect where it did "
                    "not when the history was written"
                )
            else:
                problem = ""
            if problem:
                # The command is emitted all the same: confirming it against the history
                # reports the divergence from apply(), whatever the code does with this error.
                self._problem = self._problem or problem
                replay.emit(_record_marker(name, None, replay.limits))
                raise NondeterminismError(problem)
            details = self._side_effects[name]
        else:
            details = _run_and_encode(fn, converter, replay.limits)
        replay.emit(_record_marker(name, details, replay.limits))
        # The first run decodes the recorded text too, so it sees exactly what replays will.
        outcome = converter.loads(details) if details else {"value": None}
        if isinstance(outcome, dict) and "error" in outcome:
            raise outcome["error"]
        return outcome.get("value") if isinstance(outcome, dict) else outcome


def _run_and_encode(fn: Callable[[], Any], converter: Any, limits: Limits) -> str:
    """``fn``'s result, or the exception it raised, encoded for the marker's details."""
    try:
        details = str(converter.dumps({"value": fn()}))
        check_size("result of the side effect", details, limits.payload)
        return details
    # Any failure of the user's function (or of encoding its result) is the outcome to record:
    # the replay must raise it again at the same call without running fn.
    except Exception as error:
        details = str(converter.dumps({"error": encodable_failure(converter, error)}))
        if len(details) > limits.payload:  # a huge message: the stand-in keeps its start, says so
            stand_in = RemoteExceptionStandIn(
                f"{type(error).__module__}:{type(error).__qualname__}",
                str(error)[:1000],
                f"the error was {len(details)} characters once encoded; a marker holds {limits.payload}",
            )
            details = str(converter.dumps({"error": stand_in}))
        return details


def _marker_name(prefix: str, key: str, what: str, limits: Limits) -> str:
    if not isinstance(key, str) or not key:
        raise ValueError(f"a {what} must be a non-empty string, not {key!r}")
    name = prefix + key
    if len(name) > limits.marker_name:
        raise ValueError(
            f"{what} {key[:40]!r}... is {len(key)} characters; at most "
            f"{limits.marker_name - len(prefix)} fit in an SWF marker name"
        )
    if any(ord(char) < 32 or 127 <= ord(char) < 160 for char in key):
        raise ValueError(f"{what} {key!r} has control characters, which SWF refuses in names")
    return name


def _record_marker(name: str, details: str | None, limits: Limits) -> Command:
    attributes: dict[str, Any] = {"markerName": name}
    if details is not None:
        check_size(f"details of marker {name}", details, limits.payload)
        attributes["details"] = details
    return Command(
        ("RecordMarker", name),
        {"decisionType": "RecordMarker", "recordMarkerDecisionAttributes": attributes},
        origin=caller_origin(),
    )


def _where() -> str:
    origin = caller_origin()
    if isinstance(origin, tuple):
        return f"{origin[0].co_filename}:{origin[1]}"
    return str(origin)
