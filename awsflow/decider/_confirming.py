"""Confirming: the history's record of each decision checked against the code's commands.

When a decision task completed, SWF recorded one event per decision it sent, in order, right
after ``DecisionTaskCompleted`` (:mod:`._commands` says how each event names its decision). The
replay hands each such event here with the commands that task sent, *awaiting* confirmation:
the first one must be the decision the event records — same type, same id, same activity or
workflow type — or the code is no longer the code that wrote the history, and the replay stops
with a :class:`~awsflow.exceptions.NondeterminismError` naming both sides and the line of code.

Two kinds of recorded decisions confirm nothing the code makes: awsflow's failure marker (the
task decided nothing: its commands go back to pending) and its retry timer
(:mod:`awsflow.decision_failures`); a deprecated patch's marker is tolerated (:mod:`._markers`).
"""

from __future__ import annotations

from collections import deque
from typing import Any

from ..decision_failures import is_failure_marker, is_retry_timer
from ..exceptions import NondeterminismError
from ._calls import ActivityCall
from ._closing import Closing
from ._commands import PACKAGE_DIR, Command
from ._splitting import SplitTimer

__all__ = ["Confirming", "innermost_frame"]


class Confirming(Closing):
    """The confirmation of recorded decisions (a mixin of ExecutionReplay)."""

    _awaiting: deque[Command]
    _split_rest: list[Command] | None

    def _decided_nothing(self) -> None:
        """The decision task just completed failed (awsflow.decision_failures' marker, the first
        of its events): what the code decides there was not sent, as if the task timed out."""
        sent = [command for command in self._awaiting if not isinstance(command, SplitTimer)]
        self._awaiting.clear()
        self._pending = sent + self._pending

    def _confirm(
        self, event: dict[str, Any], attributes: dict[str, Any], result: tuple[str, Any, Any]
    ) -> None:
        decision_type, read_id, read_detail = result
        if decision_type == "RecordMarker":
            if is_failure_marker(attributes.get("markerName")):
                self._decided_nothing()
                return
            if self.markers.tolerates(attributes):
                return  # the marker of a patch the code deprecated: it no longer records one
        recorded_id = str(read_id(attributes))
        if decision_type == "StartTimer" and is_retry_timer(recorded_id):
            return  # a failed decision task's retry timer (awsflow.decision_failures)
        if not self._awaiting:
            raise self._divergence(
                event, _recorded(result, attributes), f"nothing (the code waits at {self._waiting_at()})"
            )
        command = self._awaiting.popleft()
        key = command.key
        if key[0] != decision_type or (key[1] != recorded_id and not command.generated_id):
            if isinstance(command, SplitTimer) and decision_type != "StartTimer":
                self._confirm_unsplit(command, event, attributes, result)
                return
            raise self._divergence(
                event, _recorded(result, attributes), f"{command.describe()} at {command.where}", command
            )
        if command.detail:
            recorded_detail = read_detail(attributes)
            if recorded_detail and command.detail != recorded_detail:
                raise self._divergence(
                    event, _recorded(result, attributes), f"{command.describe()} at {command.where}", command
                )
        command.confirmed(event, attributes)

    def _confirm_scheduled(
        self, event: dict[str, Any], attributes: dict[str, Any], result: tuple[str, Any, Any]
    ) -> None:
        """:meth:`_confirm` for the commonest result event, ActivityTaskScheduled: the activity
        the code scheduled next, under the recorded id, type and version, is confirmed here;
        anything else takes the general way (which explains the divergence, if it is one)."""
        awaiting = self._awaiting
        if awaiting:
            command = awaiting[0]
            named = attributes.get("activityType")
            if (
                command.__class__ is ActivityCall
                and command.activity_id == attributes.get("activityId")
                and named is not None
                and command.detail == (named.get("name"), named.get("version"))
                and event["eventType"] == "ActivityTaskScheduled"
            ):
                awaiting.popleft()
                command.scheduled(event["eventId"])
                return
        self._confirm(event, attributes, result)

    def _confirm_unsplit(
        self,
        timer: SplitTimer,
        event: dict[str, Any],
        attributes: dict[str, Any],
        result: tuple[str, Any, Any],
    ) -> None:
        """The history sent in one response what this replay split (written by a decider that
        never splits, e.g. botoflow's): expect the rest now, not in the next decision task."""
        rest = self._split_rest or []
        if not rest:
            raise self._divergence(
                event, _recorded(result, attributes), f"{timer.describe()} at {timer.where}", timer
            )
        self._pending = [command for command in self._pending if all(command is not r for r in rest)]
        self._awaiting.extendleft(reversed(rest))
        self._split_rest = None
        self._confirm(event, attributes, result)

    def _divergence(
        self, event: dict[str, Any], recorded: str, actual: str, command: Command | None = None
    ) -> NondeterminismError:
        """The error for a divergence; its ``source`` is the command's call, else where the code waits."""
        name = self._workflow_type.name if self._workflow_type else "workflow"
        error = NondeterminismError(
            f"{name} {tuple(self.workflow_execution)}: replay diverged at event {event['eventId']} "
            f"({event['eventType']}); history has {recorded} but the code now makes {actual}. Keep the "
            "old code path for running executions, or start new ones under a new workflow version."
            + self.markers.first_problem()
        )
        origin = command.origin if command is not None else None
        if isinstance(origin, tuple):
            code, line = origin
            error.source = (code.co_filename, line)
        elif command is None:
            frame = innermost_frame(getattr(self._root, "_gen", None))
            if frame is not None:
                error.source = (frame.f_code.co_filename, frame.f_lineno)
        return error

    def _waiting_at(self) -> str:
        frame = innermost_frame(getattr(self._root, "_gen", None))
        if frame is None:
            return "<the workflow's code is not running>"
        return f"{frame.f_code.co_filename}:{frame.f_lineno}"


def innermost_frame(body: Any) -> Any:
    """Where a suspended generator or ``async def`` chain waits: its innermost frame outside awsflow."""
    found = None
    while body is not None:
        frame = getattr(body, "gi_frame", None) or getattr(body, "cr_frame", None)
        if frame is not None and not frame.f_code.co_filename.startswith(PACKAGE_DIR):
            found = frame
        body = getattr(body, "gi_yieldfrom", None) or getattr(body, "cr_await", None)
    return found


def _recorded(result: tuple[str, Any, Any], attributes: dict[str, Any]) -> str:
    """How a divergence message names the decision an event recorded."""
    decision_type, read_id, read_detail = result
    detail = " ".join(read_detail(attributes))
    return f"{decision_type} {detail} (id {str(read_id(attributes))!r})".replace("  ", " ")
