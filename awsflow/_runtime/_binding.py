"""What awsflow keeps on the workflow instances it makes: each one's data converter, and for an
instance started from outside, the worker or starter that started it.

An instance of a user's WorkflowDefinition subclass stands for an execution: the running one
(made by the replay), a child (made when the code starts one), or one started from outside
(made by ``with worker:`` / ``workflow_starter``). Its signals are encoded with its workflow
type's converter, and ``wait_for_completion`` or a ``@query`` reach SWF through its starter.
These are kept in the instance's private attributes, set and read here only.
"""

from __future__ import annotations

from typing import Any

__all__ = ["bind_instance", "converter_of", "starter_of"]


def bind_instance(instance: Any, data_converter: Any, starter: Any = None) -> Any:
    """Note ``instance``'s converter (and starter); returns ``instance``."""
    instance._data_converter = data_converter
    instance._starter = starter
    return instance


def converter_of(instance: Any) -> Any:
    """The data converter of ``instance``'s workflow type."""
    return instance._data_converter


def starter_of(instance: Any) -> Any:
    """What started ``instance`` from outside (a worker or ``workflow_starter``); None otherwise."""
    # An instance a user's own __init__ made without WorkflowDefinition's has none.
    return instance._starter if "_starter" in vars(instance) else None
