"""History events as typed values, read page by page, with their payloads decoded on request.

A :class:`HistoryEvent` is one event of GetWorkflowExecutionHistory: its id, SWF type name,
timestamp (always a UTC :class:`~datetime.datetime`, whether botocore parsed it or a saved JSON
history holds epoch seconds) and attributes (the wire dict, camelCase as SWF writes it). With
``decode=True`` the payloads it carries (``input``, ``result``, ``details``, ``control``) are also
given decoded by the workflow's data converter in :attr:`HistoryEvent.decoded`; a payload the
converter cannot read is given as :class:`UndecodablePayload` (text and error), never dropped.

:func:`iter_history` pages lazily: the next GetWorkflowExecutionHistory request is sent only when
the caller reaches the end of the page it has.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from .._swf import as_datetime, attributes_of, iter_pages

__all__ = ["PAYLOAD_MEMBERS", "HistoryEvent", "UndecodablePayload", "iter_history", "to_datetime"]

# The attribute members that hold encoded values (what the data converter wrote).
PAYLOAD_MEMBERS = ("input", "result", "details", "control")

Caller = Callable[[str, dict[str, Any]], Mapping[str, Any]]


@dataclass(frozen=True, slots=True)
class UndecodablePayload:
    """A payload the data converter could not read: its text and why."""

    text: str
    error: str


@dataclass(frozen=True, slots=True)
class HistoryEvent:
    """One history event.

    Attributes:
        event_id: SWF's event id (1, 2, ... in order).
        event_type: SWF's type name, e.g. ``"ActivityTaskScheduled"``.
        timestamp: when SWF recorded it (UTC).
        attributes: the event's ``<type>EventAttributes`` member, as on the wire.
        decoded: with ``decode=True``, the payload members decoded (``{"result": 42}``);
            otherwise empty.
    """

    event_id: int
    event_type: str
    timestamp: dt.datetime
    attributes: Mapping[str, Any]
    decoded: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def from_wire(cls, event: Mapping[str, Any], converter: Any = None) -> HistoryEvent:
        """Make one from a wire event; with a ``converter``, decode its payloads."""
        attributes = attributes_of(event)
        decoded = {} if converter is None else decode_payloads(attributes, converter)
        return cls(
            int(event["eventId"]),
            str(event["eventType"]),
            to_datetime(event["eventTimestamp"]),
            attributes,
            decoded,
        )


def to_datetime(value: Any) -> dt.datetime:
    """A timestamp as botocore gives it (a datetime) or the wire and JSON histories hold it
    (epoch seconds): see :func:`awsflow._swf.as_datetime`."""
    return as_datetime(value)


def decode_payloads(attributes: Mapping[str, Any], converter: Any) -> dict[str, Any]:
    """The payload members of ``attributes``, each decoded (or an UndecodablePayload)."""
    decoded: dict[str, Any] = {}
    for member in PAYLOAD_MEMBERS:
        text = attributes.get(member)
        if not isinstance(text, str) or not text:
            continue
        try:
            decoded[member] = converter.loads(text)
        # The converter may be the user's, and the text anyone's: whatever its loads raises
        # means "this payload is not readable here", which is reported with the text.
        except Exception as error:
            decoded[member] = UndecodablePayload(text, f"{type(error).__name__}: {error}")
    return decoded


def iter_history(
    call: Caller,
    request: Mapping[str, Any],
    converter: Any = None,
) -> Iterator[HistoryEvent]:
    """The events of the execution ``request`` names, fetching each page when it is reached."""
    for event in iter_pages(call, "GetWorkflowExecutionHistory", request, "events"):
        yield HistoryEvent.from_wire(event, converter)
