"""What awsflow keeps on the workflow instances it makes: each one's data converter, and for an
instance started from outside, the worker or starter that started it.

An instance of a user's WorkflowDefinition subclass stands for an execution: the running one
(made by the replay), a child (made when the code starts one), or one started from outside
(made by ``with worker:`` / ``workflow_starter``). Its signals are encoded with its workflow
type's converter, and ``wait_for_completion`` or a ``@query`` reach SWF through its starter.
Both are kept in one :class:`Binding`, in the instance's ``_binding`` attribute, which only this
module sets and reads (and WorkflowDefinition's own methods).
"""

from __future__ import annotations

from typing import Any, NamedTuple

__all__ = ["Binding", "bind_instance", "converter_of", "starter_of"]


class Binding(NamedTuple):
    """A workflow instance's data converter, and what started its execution from outside (or None)."""

    data_converter: Any
    starter: Any = None


def bind_instance(instance: Any, data_converter: Any, starter: Any = None) -> Any:
    """Note ``instance``'s converter (and starter); returns ``instance``."""
    instance._binding = Binding(data_converter, starter)
    return instance


def _binding_of(instance: Any) -> Binding | None:
    binding: Binding | None = instance._binding  # WorkflowDefinition's class attribute: None
    return binding


def converter_of(instance: Any) -> Any:
    """The data converter of ``instance``'s workflow type.

    Raises:
        AttributeError: ``instance`` was never bound (its class's ``__init__`` skipped
            WorkflowDefinition's).
    """
    binding = _binding_of(instance)
    if binding is None:
        raise AttributeError(
            f"{type(instance).__name__} instance has no data converter: call WorkflowDefinition.__init__"
        )
    return binding.data_converter


def starter_of(instance: Any) -> Any:
    """What started ``instance``'s execution from outside (a worker or ``workflow_starter``); None otherwise."""
    binding = _binding_of(instance)
    return None if binding is None else binding.starter
