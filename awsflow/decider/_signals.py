"""Reading a signal's input for its ``@signal`` handler, and what a malformed one becomes.

awsflow (and botoflow) send a signal's arguments as the converter's encoding of
``[args, kwargs]``; a JSON object alone is read as kwargs. But any SWF client can signal an
execution with any string (``aws swf signal-workflow-execution --input hello``), and an input
that cannot be read used to raise out of the replay: every decision task of the run failed
until it timed out, and later, valid signals could not help.

A signal is *malformed* when its input does not decode, is not ``[args, kwargs]`` (args a list
or tuple, kwargs an object) or a kwargs object, or does not bind to the handler's parameters.
Then, by default, the run carries on without calling the handler, and the decision task that
handles the signal also records a marker, visible in the history to anyone::

    RecordMarker  markerName: "awsflow.malformed-signal"
                  details: {"signalName": ..., "eventId": ..., "problem": ..., "input": ...}

(plain JSON, whatever the workflow's data converter; ``input`` is the raw input, cut to
:data:`INPUT_SHOWN` characters with the cut said). With ``@signal(strict=True)`` the signal
fails the workflow instead, with :class:`~awsflow.exceptions.MalformedSignalError` as its
reason, as an exception in the handler would.

Replay stays deterministic: whether an input is malformed depends only on the recorded input and
the handler's code, so a replay records the marker at the same place, and the marker is checked
against its ``MarkerRecorded`` event like any decision. Code whose handler changed so that a
recorded signal now reads differently diverges with NondeterminismError, as any changed decision.
"""

from __future__ import annotations

import inspect
import json
from collections.abc import Callable
from typing import Any

from .._swf import decode_arguments
from ..exceptions import MalformedSignalError, WorkflowDefinitionError
from ._commands import Command

__all__ = ["INPUT_SHOWN", "MALFORMED_SIGNAL_MARKER", "decode_signal_input", "malformed_signal_marker"]

MALFORMED_SIGNAL_MARKER = "awsflow.malformed-signal"
INPUT_SHOWN = 1000  # characters of a malformed input copied into its marker
PROBLEM_SHOWN = 2000  # the marker's details stay far below SWF's 32,768 characters


def decode_signal_input(
    converter: Any, handler: Callable[..., Any], instance: Any, signal_name: str, event_id: int, encoded: Any
) -> tuple[tuple[Any, ...], dict[str, Any]]:
    """The ``(args, kwargs)`` to call ``handler(instance, *args, **kwargs)`` with.

    Raises:
        MalformedSignalError: the input cannot be read as arguments of ``handler``.
    """
    try:
        args, kwargs = decode_arguments(converter, encoded)
    # What reading someone else's string can raise: the JSON converter's ValueError, the
    # input's shape (WorkflowDefinitionError), and for other converters (pickle, a user's)
    # whatever their loads raises on foreign data — reported, never raised out of the replay.
    except Exception as error:
        problem = (
            str(error) if isinstance(error, WorkflowDefinitionError) else f"{type(error).__name__}: {error}"
        )
        raise MalformedSignalError(
            signal_name, event_id, f"its input cannot be read: {_cut(problem, PROBLEM_SHOWN)}"
        ) from error
    try:
        inspect.signature(handler).bind(instance, *args, **kwargs)
    except TypeError as error:
        raise MalformedSignalError(
            signal_name,
            event_id,
            f"its arguments {_cut(repr(args), 200)}, {_cut(repr(kwargs), 200)} do not fit the "
            f"handler {getattr(handler, '__qualname__', handler)}: {_cut(str(error), 500)}",
        ) from error
    return args, kwargs


def malformed_signal_marker(error: MalformedSignalError, encoded: Any) -> Command:
    """The RecordMarker decision that says, in the history, why the signal was ignored."""
    raw = "" if encoded is None else str(encoded)
    details = json.dumps(
        {
            "signalName": error.signal_name,
            "eventId": error.event_id,
            "problem": error.problem,
            "input": _cut(raw, INPUT_SHOWN),
        },  # ASCII: a lone surrogate in someone's input must not make the decision unsendable
    )
    attributes = {"markerName": MALFORMED_SIGNAL_MARKER, "details": details}
    return Command(
        ("RecordMarker", MALFORMED_SIGNAL_MARKER),
        {"decisionType": "RecordMarker", "recordMarkerDecisionAttributes": attributes},
        origin=f"signal {error.signal_name!r} (event {error.event_id})",
    )


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else f"{text[:limit]}... ({len(text)} characters, cut)"
