"""SWF's wire, as the framework knows it: event and decision types, limits, how values cross.

Pure (no I/O): the decider, the workers, the workflow-code API and the clients all read SWF
through this package, so each fact about SWF is written once.

- :mod:`._table`: the history event and decision types (``EVENTS``, ``DECISIONS``);
- :mod:`._limits`: SWF's limits (``Limits``, ``LIMITS``);
- :mod:`._inputs` and :mod:`._failures`: how arguments and failures are encoded;
- :mod:`._history`: reading SWF's paged answers (lists, whole histories);
- :mod:`._timestamps`: timestamps as numbers (the wire) or datetimes (botocore).
"""

from __future__ import annotations

from ._failures import decode_failure, encodable_failure, encode_failure
from ._history import iter_pages, page_lists, read_history
from ._inputs import decode_arguments, encode_arguments
from ._limits import LIMITS, Limits, check_size
from ._table import (
    CLOSE_DECISIONS,
    CLOSING_EVENTS,
    DECISIONS,
    EVENTS,
    Call,
    DecisionSpec,
    EventSpec,
    Outcome,
    SwfType,
    attributes_of,
    decision_attributes_key,
    event_attributes_key,
)
from ._timestamps import as_datetime, epoch_seconds

__all__ = [
    "CLOSE_DECISIONS",
    "CLOSING_EVENTS",
    "DECISIONS",
    "EVENTS",
    "LIMITS",
    "Call",
    "DecisionSpec",
    "EventSpec",
    "Limits",
    "Outcome",
    "SwfType",
    "as_datetime",
    "attributes_of",
    "check_size",
    "decision_attributes_key",
    "decode_arguments",
    "decode_failure",
    "encodable_failure",
    "encode_arguments",
    "encode_failure",
    "epoch_seconds",
    "event_attributes_key",
    "iter_pages",
    "page_lists",
    "read_history",
]
