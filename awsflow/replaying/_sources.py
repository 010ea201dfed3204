"""Reading saved histories: the shapes a history file comes in, and folders of them.

Accepted (JSON):

- awsflow's history file (what ``awsflow workflow history ID --json`` writes), and the files
  botoflow 0.8 histories were saved in: an object with ``events`` and, optionally,
  ``execution`` (``workflowId``, ``runId``), ``domain`` and ``workflowType``;
- one page of GetWorkflowExecutionHistory (``events`` and ``nextPageToken``), or a list of pages
  in order: their events are joined;
- a bare list of events.

A history object may also list further executions under ``children`` (each a history object),
as the project's recorded botoflow histories do: :func:`load_histories` reads them all.

A file in none of these shapes is an error naming the file (:class:`HistoryFormatError`),
never an empty history. Event timestamps may be epoch seconds (SWF's JSON) or ISO 8601 text.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..exceptions import AwsflowError
from ..workflow_execution import WorkflowExecution

__all__ = [
    "HistoryFormatError",
    "SavedHistory",
    "history_files",
    "history_from",
    "load_histories",
    "load_history",
]


class HistoryFormatError(AwsflowError, ValueError):
    """A file or value is not a workflow history in a shape awsflow reads.

    .. versionadded:: 0.1
    """


@dataclass(frozen=True, slots=True)
class SavedHistory:
    """One execution's history, as read from a file or fetched from SWF.

    Attributes:
        source: where it came from (a path, ``domain/workflowId/runId``, or a label).
        execution: its workflow id and run id (placeholders if the file does not say).
        events: its events, as SWF's wire dicts, in order.
    """

    source: str
    execution: WorkflowExecution
    events: Sequence[Mapping[str, Any]]


def history_from(value: Any, source: str = "<history>") -> SavedHistory:
    """A SavedHistory from a decoded JSON value in one of the accepted shapes.

    Raises:
        HistoryFormatError: the value is not a history.
    """
    execution_info: Mapping[str, Any] = {}
    if isinstance(value, Mapping):
        if not isinstance(value.get("events"), list):
            raise HistoryFormatError(f"{source}: a history object needs an 'events' list")
        events = value["events"]
        execution_info = value.get("execution") or {}
    elif (
        isinstance(value, list)
        and value
        and all(isinstance(page, Mapping) and "events" in page for page in value)
    ):
        events = [event for page in value for event in page["events"]]
    elif isinstance(value, list):
        events = value
    else:
        raise HistoryFormatError(f"{source}: expected a history object, a list of pages or a list of events")
    for index, event in enumerate(events):
        if not (isinstance(event, Mapping) and "eventId" in event and "eventType" in event):
            raise HistoryFormatError(f"{source}: event #{index + 1} has no eventId and eventType")
        if "eventTimestamp" not in event:
            raise HistoryFormatError(f"{source}: event {event['eventId']} has no eventTimestamp")
    if not events:
        raise HistoryFormatError(f"{source}: the history has no events")
    if events[0]["eventType"] != "WorkflowExecutionStarted":
        raise HistoryFormatError(
            f"{source}: the first event is {events[0]['eventType']}, not WorkflowExecutionStarted "
            "(a history must be whole, oldest event first)"
        )
    execution = WorkflowExecution(
        str(execution_info.get("workflowId") or Path(source).stem or "replayed"),
        str(execution_info.get("runId") or "replayed"),
    )
    return SavedHistory(source, execution, events)


def _read_json(path: str | os.PathLike[str]) -> Any:
    text = Path(path).read_text(encoding="utf-8")
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise HistoryFormatError(f"{path}: not JSON ({error})") from error


def load_history(path: str | os.PathLike[str]) -> SavedHistory:
    """The history in a JSON file (the top-level one, if it also lists ``children``).

    Raises:
        HistoryFormatError: it is not JSON, or not a history.
        OSError: it cannot be read.
    """
    return history_from(_read_json(path), str(path))


def load_histories(path: str | os.PathLike[str]) -> list[SavedHistory]:
    """The history in a JSON file, then those it lists under ``children`` (``file#children[0]``...).

    Raises:
        HistoryFormatError: it is not JSON, or it or a child is not a history.
        OSError: it cannot be read.
    """
    value = _read_json(path)
    histories = [history_from(value, str(path))]
    children = value.get("children", []) if isinstance(value, Mapping) else []
    if not isinstance(children, list):
        raise HistoryFormatError(f"{path}: 'children' must be a list of history objects")
    for index, child in enumerate(children):
        histories.append(history_from(child, f"{path}#children[{index}]"))
    return histories


def history_files(path: str | os.PathLike[str]) -> Iterator[Path]:
    """``path`` itself if it is a file; else every ``*.json`` file under it, in name order.

    Raises:
        FileNotFoundError: ``path`` does not exist.
    """
    root = Path(path)
    if root.is_file():
        yield root
        return
    if not root.is_dir():
        raise FileNotFoundError(f"no such file or directory: {root}")
    yield from sorted(root.rglob("*.json"))
