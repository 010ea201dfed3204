"""Replaying saved histories against the current workflow code: the CI guard before a deploy.

Each history is replayed, in this process and with no I/O, by the same
:class:`~awsflow.decider.ExecutionReplay` the workers use, as of its last completed decision task
(what a query replays, :func:`awsflow.queries.decided_part`): every decision the history recorded
must be made again by the code, in order, with the same ids and types. The workflow code is never
run past what the history decided, so no ``side_effect`` runs for the first time here.

Each history gets a :class:`ReplayResult`: ``OK``; ``NONDETERMINISM``, with what the history
recorded, the call the code makes now and its source line; or ``ERROR`` (the workflow type is not
among the classes given, the file is no history, the decider raised something else). One
history's failure never stops the others.
"""

from __future__ import annotations

import enum
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from .._swf import attributes_of
from ..decider import ExecutionReplay
from ..exceptions import NondeterminismError, QueryError
from ..queries import decided_part
from ..workflow_definition import execute_methods
from ._fetching import fetch_histories
from ._sources import (
    HistoryFormatError,
    SavedHistory,
    history_files,
    history_from,
    load_histories,
    load_history,
)

__all__ = ["ReplayOutcome", "ReplayReport", "ReplayResult", "Replayer"]

# The decider's divergence message: "... history has X but the code now makes Y at F:L." or
# "... but the code now makes nothing (the code waits at F:L)."
_DIVERGENCE = re.compile(
    r"history has (?P<recorded>.*?) but the code now makes "
    r"(?:nothing \(the code waits at (?P<waits>\S+:\d+)\)|(?P<call>.*?) at (?P<where>\S+:\d+))\."
)


class ReplayOutcome(str, enum.Enum):
    """How one history replayed."""

    OK = "ok"
    NONDETERMINISM = "nondeterminism"
    ERROR = "error"


@dataclass(frozen=True, slots=True)
class ReplayResult:
    """The replay of one history.

    Attributes:
        source: the file, ``domain/workflowId/runId``, or label the history came from.
        workflow_id, run_id: the execution, as far as the history says.
        workflow_type: ``(name, version)`` from its first event (None if unreadable).
        outcome: OK, NONDETERMINISM or ERROR.
        message: empty when OK; otherwise the whole explanation.
        recorded: for a nondeterminism, the decision the history recorded.
        call: for a nondeterminism, what the code does now (``"nothing"`` if it makes no call).
        location: ``file:line`` of that call (or where the code waits).
        decision_tasks: how many recorded decision tasks were checked.
    """

    source: str
    workflow_id: str | None
    run_id: str | None
    workflow_type: tuple[str, str] | None
    outcome: ReplayOutcome
    message: str = ""
    recorded: str | None = None
    call: str | None = None
    location: str | None = None
    decision_tasks: int = 0

    @property
    def ok(self) -> bool:
        """True when the history replayed."""
        return self.outcome is ReplayOutcome.OK


@dataclass(frozen=True, slots=True)
class ReplayReport:
    """The results of replaying several histories, in order."""

    results: tuple[ReplayResult, ...]

    @property
    def ok(self) -> bool:
        """True when every history replayed (and there was at least one)."""
        return bool(self.results) and all(result.ok for result in self.results)

    @property
    def failures(self) -> tuple[ReplayResult, ...]:
        """The results that are not OK."""
        return tuple(result for result in self.results if not result.ok)

    def summary(self) -> str:
        """One line per history that failed, then the counts: for an assertion message or a log."""
        lines = [
            f"{r.source}: {r.outcome.value}: {r.message.removeprefix(f'{r.source}: ')}" for r in self.failures
        ]
        lines.append(f"{len(self.results)} histories replayed, {len(self.failures)} failed")
        return "\n".join(lines)


class Replayer:
    """Replays histories against workflow classes (see the module docstring).

    Example::

        report = Replayer([OrderWorkflow]).replay_path("tests/histories")
        assert report.ok, report.summary()

    Args:
        workflows: the WorkflowDefinition subclasses the histories' executions run.

    Raises:
        TypeError: an item is not a WorkflowDefinition subclass.
        ValueError: two classes define the same workflow type.

    .. versionadded:: 0.1
    """

    def __init__(self, workflows: Iterable[type]) -> None:
        self.workflows = tuple(workflows)
        self._table: dict[tuple[str, str], tuple[type, Any, str]] = {}
        for definition in self.workflows:
            for workflow_type, method in execute_methods(definition).items():
                key = (workflow_type.name, workflow_type.version)
                if key in self._table and self._table[key][0] is not definition:
                    raise ValueError(
                        f"{self._table[key][0].__name__} and {definition.__name__} both define workflow "
                        f"{key[0]} {key[1]}: give the replayer one of them"
                    )
                self._table[key] = (definition, workflow_type, method)

    def replay(
        self, history: SavedHistory | Mapping[str, Any] | list[Any], source: str = "<history>"
    ) -> ReplayResult:
        """Replay one history: a SavedHistory, or a decoded JSON value in an accepted shape."""
        if not isinstance(history, SavedHistory):
            try:
                history = history_from(history, source)
            except HistoryFormatError as error:
                return ReplayResult(source, None, None, None, ReplayOutcome.ERROR, str(error))
        return self._replay(history)

    def replay_file(self, path: str | os.PathLike[str]) -> ReplayResult:
        """Replay the history in one JSON file (a file that is no history is an ERROR result)."""
        try:
            history = load_history(path)
        except (HistoryFormatError, OSError, UnicodeDecodeError) as error:
            return ReplayResult(str(path), None, None, None, ReplayOutcome.ERROR, str(error))
        return self._replay(history)

    def replay_path(self, *paths: str | os.PathLike[str]) -> ReplayReport:
        """Replay each file named, and every ``*.json`` file under each directory named (with the
        executions a file lists under ``children``).

        Raises:
            FileNotFoundError: a path does not exist.
        """
        files = [file for path in paths for file in history_files(path)]
        results: list[ReplayResult] = []
        for file in files:
            try:
                histories = load_histories(file)
            except (HistoryFormatError, OSError, UnicodeDecodeError) as error:
                results.append(ReplayResult(str(file), None, None, None, ReplayOutcome.ERROR, str(error)))
                continue
            results.extend(self._replay(history) for history in histories)
        return ReplayReport(tuple(results))

    def replay_many(self, histories: Iterable[SavedHistory]) -> ReplayReport:
        """Replay each history."""
        return ReplayReport(tuple(self._replay(history) for history in histories))

    def replay_from_service(
        self,
        domain: str,
        *,
        client: Any = None,
        workflow_type: str | None = None,
        workflow_id: str | None = None,
        since: Any = None,
        open: bool = True,
        closed: bool = True,
        limit: int | None = None,
    ) -> ReplayReport:
        """Fetch executions from SWF and replay them: the CI check before deploying a change.

        Args:
            domain: the SWF domain.
            client: a botocore SWF client (default: botocore's default session's).
            workflow_type: only executions of this workflow type name.
            workflow_id: only executions with this workflow id.
            since: only executions started at or after this datetime (default: all).
            open, closed: include open / closed executions.
            limit: replay at most this many executions (newest first).

        Raises:
            SWFResponseError: SWF refused a request (unknown domain, ...).
        """
        histories = fetch_histories(
            domain,
            client=client,
            workflow_type=workflow_type,
            workflow_id=workflow_id,
            since=since,
            open=open,
            closed=closed,
            limit=limit,
        )
        return self.replay_many(histories)

    # -- one history ----------------------------------------------------------------------------
    def _replay(self, history: SavedHistory) -> ReplayResult:
        events = [dict(event) for event in history.events]
        named = attributes_of(events[0]).get("workflowType", {})
        key = (str(named.get("name")), str(named.get("version")))
        execution = history.execution
        base = ReplayResult(history.source, execution.workflow_id, execution.run_id, key, ReplayOutcome.OK)
        if key not in self._table:
            known = ", ".join(f"{name} {version}" for name, version in sorted(self._table)) or "none"
            message = f"no workflow class given defines {key[0]} {key[1]} (the classes define: {known})"
            return replace(base, outcome=ReplayOutcome.ERROR, message=message)
        tasks = sum(1 for event in events if event["eventType"] == "DecisionTaskCompleted")
        try:
            decided = decided_part(events, execution)
        except QueryError:
            return replace(base, outcome=ReplayOutcome.OK, message="no decision task completed yet")
        try:
            ExecutionReplay(self._table, execution, "replay").apply(decided)
        except NondeterminismError as error:
            found = _DIVERGENCE.search(str(error))
            return replace(
                base,
                outcome=ReplayOutcome.NONDETERMINISM,
                message=str(error),
                recorded=found["recorded"] if found else None,
                call=(found["call"] or "nothing") if found else None,
                location=(found["where"] or found["waits"]) if found else None,
                decision_tasks=tasks,
            )
        # The replay runs the user's workflow code and the decider on a history from anywhere:
        # whatever else it raises is this history's ERROR, and the next history still replays.
        except Exception as error:
            message = f"{type(error).__name__}: {error}"
            return replace(base, outcome=ReplayOutcome.ERROR, message=message, decision_tasks=tasks)
        return replace(base, outcome=ReplayOutcome.OK, decision_tasks=tasks)
