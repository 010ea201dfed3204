"""``awsflow workflow history ID [--json] [--follow]``: the event table, or a history file.

The table shows, per event, its id, time, type and the attributes that say what happened (the
activity or workflow type, ids, timer durations, reasons, and the payloads decoded); long
payloads are shortened with ``…`` in the table only: ``--json`` writes every event whole, in the
file format :class:`awsflow.replaying.Replayer` (``awsflow replay``) reads.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import threading
from collections.abc import Callable, Mapping
from typing import Any

from .._swf import CLOSING_EVENTS
from ..data_converter import JSONDataConverter
from ..handles import HistoryEvent, UndecodablePayload
from ._arguments import handle_for
from ._context import Cli
from ._format import table, timestamp

__all__ = ["HISTORY_FORMAT", "event_details", "history_document", "register"]

HISTORY_FORMAT = "awsflow-history/1"
_CONVERTER = JSONDataConverter()
_SHOWN = 80  # characters of a payload shown in the table
_FIRST_POLL, _MAX_POLL = 0.2, 2.0

# The attributes worth a column, in the order they are shown.
_KEYS = (
    "workflowType",
    "activityType",
    "activityId",
    "timerId",
    "startToFireTimeout",
    "markerName",
    "signalName",
    "workflowExecution",
    "workflowId",
    "timeoutType",
    "cause",
    "reason",
    "identity",
    "newExecutionRunId",
    "input",
    "result",
    "details",
    "control",
)


def register(actions: Any, shared: argparse.ArgumentParser, with_id: Callable[..., Any]) -> None:
    """Add ``workflow history``."""
    history = with_id(
        actions,
        shared,
        "history",
        "the execution's history: a table, or (--json) a file for awsflow replay",
        "examples:\n  awsflow workflow history order-42\n  awsflow workflow history order-42 --follow\n"
        "  awsflow workflow history order-42 --json > order-42.json",
    )
    history.formatter_class = argparse.RawDescriptionHelpFormatter
    history.add_argument(
        "--follow", action="store_true", help="keep printing new events until the execution closes"
    )
    history.set_defaults(run=show_history)


def event_details(event: HistoryEvent) -> str:
    """The key attributes of ``event`` as ``name=value`` pairs (payloads decoded, shortened)."""
    parts = []
    for key in _KEYS:
        value = event.attributes.get(key)
        if value in (None, ""):
            continue
        if key in ("workflowType", "activityType") and isinstance(value, Mapping):
            text = f"{value.get('name')} {value.get('version')}"
        elif key == "workflowExecution" and isinstance(value, Mapping):
            text = str(value.get("workflowId"))
        elif key in event.decoded:
            decoded = event.decoded[key]
            text = (
                f"<undecodable: {decoded.text}>"
                if isinstance(decoded, UndecodablePayload)
                else json.dumps(_plain(decoded), ensure_ascii=False, default=repr)
            )
        else:
            text = str(value)
        if len(text) > _SHOWN:
            text = text[: _SHOWN - 1] + "…"
        parts.append(f"{key}={text}")
    return " ".join(parts)


def _plain(value: Any) -> Any:
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, BaseException):
        return f"{type(value).__name__}: {value}"
    return value


def history_document(domain: str, events: list[dict[str, Any]]) -> dict[str, Any]:
    """The ``--json`` history file: the execution, its type and every event as SWF's JSON has it
    (timestamps in epoch seconds)."""
    started = events[0].get("workflowExecutionStartedEventAttributes", {}) if events else {}
    return {
        "format": HISTORY_FORMAT,
        "domain": domain,
        "workflowType": started.get("workflowType"),
        "events": [_wire(event) for event in events],
    }


def _wire(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.timestamp()
    if isinstance(value, Mapping):
        return {key: _wire(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_wire(item) for item in value]
    return value


def show_history(args: argparse.Namespace, cli: Cli) -> int:
    handle = handle_for(cli, args)
    if cli.json:
        if args.follow:
            _wait_closed(handle)
        events = handle.wire_history()
        document = history_document(cli.domain, events)
        document["execution"] = {"workflowId": handle.workflow_id, "runId": handle.run_id}
        cli.print(json.dumps(document, indent=1))
        return 0
    headers = ["ID", "TIME", "TYPE", "DETAILS"]
    shown = list(handle.history(decode=True))
    lines = table(
        headers, ([e.event_id, timestamp(e.timestamp), e.event_type, event_details(e)] for e in shown)
    )
    cli.print(*lines)
    if not args.follow:
        return 0
    last = shown[-1] if shown else None
    interval = _FIRST_POLL
    pause = threading.Event()
    while last is None or last.event_type not in CLOSING_EVENTS:
        pause.wait(interval)
        new = [e for e in handle.history(decode=True) if last is None or e.event_id > last.event_id]
        interval = _FIRST_POLL if new else min(interval * 2, _MAX_POLL)
        for event in new:
            cli.print(
                f"{event.event_id}  {timestamp(event.timestamp)}  {event.event_type}  {event_details(event)}".rstrip()
            )
            last = event
        cli.stdout.flush()
    return 0


def _wait_closed(handle: Any) -> None:
    """Until the run closes (any way, continue-as-new included)."""
    pause = threading.Event()
    interval = _FIRST_POLL
    while True:
        newest = next(iter(handle.history(reverse=True)))
        if newest.event_type in CLOSING_EVENTS:
            return
        pause.wait(interval)
        interval = min(interval * 2, _MAX_POLL)
