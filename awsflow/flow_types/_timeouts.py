"""How option values become SWF strings: durations in whole seconds, None as SWF's "NONE"."""

from __future__ import annotations

from typing import Any


def str_or_none(value: Any) -> str:
    """SWF's spelling of an option: ``None`` is "NONE" (unlimited), numbers whole seconds."""
    if value is None:
        return "NONE"
    if isinstance(value, float):
        if value == float("inf"):
            return "NONE"
        return str(int(value))
    return str(value)
