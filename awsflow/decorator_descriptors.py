"""Descriptors behind the decorators: the same attribute behaves by context.

``SomeActivities.method`` is a plain function outside workflows, but inside workflow code it is
the :class:`~awsflow.flow_types.ActivityType` that schedules the activity. ``Workflow.execute``
starts an execution (or a child workflow, or continues as new). ``instance.signal_method`` sends
a signal to the execution ``instance`` stands for; ``instance.query_method`` answers from a
replay of that execution's history (:mod:`awsflow.queries`).
"""

from __future__ import annotations

import functools
from typing import Any

from .context._contexts import DecisionContext, _local, peek_context
from .flow_types import ActivityType, SignalType, WorkflowType

__all__ = ["ActivityFunc", "QueryFunc", "SignalFunc", "WorkflowExecuteFunc"]


def _in_workflow_test(context: Any) -> bool:
    from .test import WorkflowTestingContext

    return isinstance(context, WorkflowTestingContext)


class ActivityFunc:
    """An ``@activity`` method."""

    def __init__(self, func: Any, activity_type: ActivityType) -> None:
        self.func = func
        self.activity_type = activity_type
        functools.update_wrapper(self, func)  # type: ignore[arg-type]

    def __set_name__(self, owner: type, name: str) -> None:
        self.activity_type._reset_name(owner, self.func)

    def __get__(self, instance: Any, owner: type | None = None) -> Any:
        context = getattr(_local, "context", None)  # peek_context(), inlined: replay's hot path
        if type(context) is DecisionContext:
            return self.activity_type
        if _in_workflow_test(context):
            raise NotImplementedError(
                f"Activity {self.activity_type.name} must be stubbed or mocked when unit-testing "
                "workflow code: WorkflowTestingContext runs no activities"
            )
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
        context = peek_context()
        if _in_workflow_test(context):
            from .core import coroutine

            return functools.partial(coroutine(self.func), instance if instance is not None else cls(None))
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
        context = peek_context()
        if isinstance(context, DecisionContext) and instance is context._workflow_instance:
            # The workflow calling its own signal method: just run the handler.
            return functools.partial(self.func, instance)
        return self.signal_type.bound(instance.workflow_execution, instance._data_converter)


class QueryFunc:
    """A ``@query`` method.

    On an instance returned by starting a workflow (outside workflow code), the method asks
    the execution: :func:`awsflow.queries.query_workflow` replays its history and calls the
    method on the replayed instance. Anywhere else (workflow code, a replayed instance) it is
    the plain method.
    """

    def __init__(self, func: Any) -> None:
        self.func = func
        functools.update_wrapper(self, func)  # type: ignore[arg-type]

    def __get__(self, instance: Any, owner: type | None = None) -> Any:
        if instance is None:
            return self.func
        starter = getattr(instance, "_starter", None)
        if starter is None or isinstance(peek_context(), DecisionContext):
            return functools.partial(self.func, instance)
        from .queries import query_workflow

        ask = functools.partial(
            query_workflow, starter, type(instance), instance.workflow_execution, self.func.__name__
        )
        functools.update_wrapper(ask, self.func)
        return ask
