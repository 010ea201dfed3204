"""Descriptors behind the decorators: the same attribute behaves by context.

``SomeActivities.method`` is a plain function outside workflows, but inside workflow code it is
the :class:`~awsflow.flow_types.ActivityType` that schedules the activity. ``Workflow.execute``
starts an execution (or a child workflow, or continues as new). ``instance.signal_method`` sends
a signal to the execution ``instance`` stands for. (``@query`` methods are
:class:`awsflow.queries.QueryFunc`.)

In workflow code, the activity types and workflow types these return call the
:class:`~awsflow.context.WorkflowRuntime` running the code (a replay, or a
``WorkflowTestingContext``): nothing here knows which.
"""

from __future__ import annotations

import functools
from typing import Any

from ._runtime import DecisionContext, converter_of, current
from .flow_types import ActivityType, SignalType, WorkflowType

__all__ = ["ActivityFunc", "SignalFunc", "WorkflowExecuteFunc"]


class ActivityFunc:
    """An ``@activity`` method."""

    def __init__(self, func: Any, activity_type: ActivityType) -> None:
        self.func = func
        self.activity_type = activity_type
        functools.update_wrapper(self, func)  # type: ignore[arg-type]

    def __set_name__(self, owner: type, name: str) -> None:
        self.activity_type.assign_name(owner, self.func)

    def __get__(self, instance: Any, owner: type | None = None) -> Any:
        if isinstance(current(), DecisionContext):  # replay's hot path: one C call, one check
            return self.activity_type
        if instance is None:
            return self.func
        return functools.partial(self.func, instance)


class WorkflowExecuteFunc:
    """An ``@execute`` method."""

    def __init__(self, func: Any, workflow_type: WorkflowType) -> None:
        self.func = func
        self.workflow_type = workflow_type
        functools.update_wrapper(self, func)  # type: ignore[arg-type]

    def type_for(self, cls: type) -> WorkflowType:
        """The workflow type this method stands for in ``cls`` (subclasses get their own)."""
        by_func: dict[str, WorkflowType] = getattr(cls, "_workflow_type_by_func", {})
        return by_func.get(self.func.__name__, self.workflow_type)

    def __get__(self, instance: Any, owner: type | None = None) -> Any:
        cls = owner if owner is not None else type(instance)
        workflow_type = self.type_for(cls)
        call = functools.partial(workflow_type, (cls, instance))
        functools.update_wrapper(call, self.func)
        return call


class SignalFunc:
    """A ``@signal`` method."""

    def __init__(self, func: Any, signal_type: SignalType) -> None:
        self.func = func
        self.signal_type = signal_type
        functools.update_wrapper(self, func)  # type: ignore[arg-type]

    def __get__(self, instance: Any, owner: type | None = None) -> Any:
        if instance is None:
            return self.func
        context = current()
        if isinstance(context, DecisionContext) and instance is context.runtime.workflow_instance:
            # The workflow calling its own signal method: just run the handler.
            return functools.partial(self.func, instance)
        return self.signal_type.bound(instance.workflow_execution, converter_of(instance))
