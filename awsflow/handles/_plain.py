"""What handles return, as JSON-ready data (the ``--json`` of the command and the web UI's API)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
from collections.abc import Mapping
from typing import Any

__all__ = ["to_plain"]


def to_plain(value: Any) -> Any:
    """``value`` as JSON-ready data.

    A value with its own ``as_json()`` (DecisionFailure) is written as that; dataclasses as dicts
    of their fields, enums as their values, datetimes as ISO 8601 text, named tuples
    (WorkflowExecution) as dicts of their fields, other sequences as lists, exceptions as their
    type and message, and anything else JSON cannot hold as its ``repr``.
    """
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    as_json = getattr(value, "as_json", None)
    if callable(as_json) and not isinstance(value, type):
        return to_plain(as_json())
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, enum.Enum):
        return to_plain(value.value)
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(key): to_plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        if hasattr(value, "_fields"):
            return {name: to_plain(item) for name, item in zip(value._fields, value, strict=True)}
        return [to_plain(item) for item in value]
    if isinstance(value, BaseException):
        return {"error": type(value).__name__, "message": str(value)}
    return repr(value)
