"""What ``activity_options(...)`` and ``workflow_options(...)`` blocks set: typed, frozen values.

A field left :data:`UNSET` keeps the option the call would have without the block (the
decorator's, or SWF's registered default); ``None`` is a value (an unlimited timeout, no retry
policy). Blocks nest: an inner block's value is the outer one merged with the options it names.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

__all__ = [
    "NO_ACTIVITY_OVERRIDES",
    "NO_WORKFLOW_OVERRIDES",
    "UNSET",
    "ActivityOverrides",
    "WorkflowOverrides",
]


class _Unset:
    """The value of an option a block does not set."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "UNSET"

    def __reduce__(self) -> str:
        return "UNSET"  # one instance, even through pickle


UNSET: Any = _Unset()


class _Overrides:
    """What both kinds of overrides do (fields: see the subclasses)."""

    __slots__ = ()

    def get(self, field: str, default: Any = None) -> Any:
        """The option ``field`` if set, else ``default``."""
        value = getattr(self, field)
        return default if value is UNSET else value

    def as_dict(self) -> dict[str, Any]:
        """The options that are set, by name."""
        return {
            field.name: getattr(self, field.name)
            for field in dataclasses.fields(self)  # type: ignore[arg-type]
            if getattr(self, field.name) is not UNSET
        }

    def merged(self, options: Mapping[str, Any]) -> Any:
        """These overrides with ``options`` (names of fields) set over them."""
        return dataclasses.replace(self, **options)  # type: ignore[type-var]

    def without(self, *names: str) -> Any:
        """These overrides with the named options unset."""
        return dataclasses.replace(self, **dict.fromkeys(names, UNSET))  # type: ignore[type-var]

    def __bool__(self) -> bool:
        return any(getattr(self, field.name) is not UNSET for field in dataclasses.fields(self))  # type: ignore[arg-type]


@dataclass(frozen=True, slots=True, repr=False)
class ActivityOverrides(_Overrides):
    """The options ``activity_options(...)`` blocks set for the activities scheduled inside them."""

    task_list: Any = UNSET
    version: Any = UNSET
    name: Any = UNSET
    heartbeat_timeout: Any = UNSET
    schedule_to_start_timeout: Any = UNSET
    start_to_close_timeout: Any = UNSET
    schedule_to_close_timeout: Any = UNSET
    task_priority: Any = UNSET
    retry_policy: Any = UNSET

    def __repr__(self) -> str:
        return f"ActivityOverrides({self.as_dict()})"


@dataclass(frozen=True, slots=True, repr=False)
class WorkflowOverrides(_Overrides):
    """The options ``workflow_options(...)`` blocks set for the workflows started inside them."""

    task_list: Any = UNSET
    workflow_id: Any = UNSET
    version: Any = UNSET
    execution_start_to_close_timeout: Any = UNSET
    task_start_to_close_timeout: Any = UNSET
    child_policy: Any = UNSET
    name: Any = UNSET
    data_converter: Any = UNSET
    tag_list: Any = UNSET
    task_priority: Any = UNSET
    retry_policy: Any = UNSET

    @classmethod
    def of(cls, options: WorkflowOverrides | Mapping[str, Any]) -> WorkflowOverrides:
        """``options`` as WorkflowOverrides (a mapping names the fields it sets)."""
        return options if isinstance(options, WorkflowOverrides) else cls(**options)

    def __repr__(self) -> str:
        return f"WorkflowOverrides({self.as_dict()})"


NO_ACTIVITY_OVERRIDES = ActivityOverrides()
NO_WORKFLOW_OVERRIDES = WorkflowOverrides()
