"""How call arguments cross SWF: an input is the data converter's encoding of ``[args, kwargs]``.

That is botoflow's form, for workflow, child workflow, activity and signal inputs alike, so each
framework reads the other's. A JSON object alone is read as keyword arguments.
"""

from __future__ import annotations

import reprlib
from collections.abc import Mapping
from typing import Any

from ..exceptions import WorkflowDefinitionError

__all__ = ["decode_arguments", "encode_arguments"]


def encode_arguments(converter: Any, args: tuple[Any, ...], kwargs: Mapping[str, Any]) -> str:
    """``[args, kwargs]`` encoded with ``converter``."""
    encoded: str = converter.dumps([args, kwargs])
    return encoded


def decode_arguments(converter: Any, encoded: str | None) -> tuple[tuple[Any, ...], dict[str, Any]]:
    """``(args, kwargs)`` from an input; a dict is kwargs, nothing is no arguments.

    Raises:
        WorkflowDefinitionError: the input is not of that shape.
    """
    if not encoded:
        return (), {}
    value = converter.loads(encoded)
    if isinstance(value, dict):
        return (), value
    if (
        isinstance(value, (list, tuple))
        and len(value) == 2
        and isinstance(value[0], (list, tuple))
        and isinstance(value[1], dict)
    ):
        return tuple(value[0]), dict(value[1])
    raise WorkflowDefinitionError(
        f"input must encode [args, kwargs] (botoflow's form), got {reprlib.repr(value)}"
    )
