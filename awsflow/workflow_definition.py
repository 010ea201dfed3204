"""``WorkflowDefinition``: the base class of workflow implementations.

A subclass declares ``@execute`` entry points (one per workflow type version) and ``@signal``
handlers. Each subclass gets its own :class:`~awsflow.flow_types.WorkflowType` objects, named
after it (or ``@workflow(name=...)``), including for entry points it inherits; botoflow shared
and renamed the base class's types instead, so defining a subclass changed the base workflow's
name.
"""

from __future__ import annotations

import copy
from typing import Any

from ._runtime import Binding, DecisionContext, converter_of, current, starter_of
from ._swf import LIMITS, check_size
from .core import CancelledError, Future, coroutine
from .decorator_descriptors import SignalFunc, WorkflowExecuteFunc
from .flow_types import WorkflowType
from .workflow_execution import WorkflowExecution

__all__ = ["WorkflowDefinition", "execute_methods"]


class WorkflowDefinition:
    """Subclass this to implement a workflow (see the module docstring).

    Example::

        class MyWorkflow(WorkflowDefinition):
            @execute(version="1.0", execution_start_to_close_timeout=60)
            def start(self, order_id):
                self.workflow_state = "charging"
                receipt = yield BillingActivities.charge(order_id)
                return receipt

            @signal()
            def cancel_order(self, reason):
                self.reason = reason
    """

    _workflow_types: dict[WorkflowType, str] = {}
    _workflow_type_by_func: dict[str, WorkflowType] = {}
    _workflow_signals: dict[str, tuple[SignalFunc, Any]] = {}
    _binding: Binding | None = None  # see awsflow._runtime._binding

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        by_func: dict[str, WorkflowType] = {}
        signals: dict[str, tuple[SignalFunc, Any]] = {}
        # Walk from the most basic class so that a subclass's own definitions win.
        for klass in reversed(cls.__mro__):
            for attribute, value in vars(klass).items():
                if isinstance(value, WorkflowExecuteFunc):
                    workflow_type = copy.copy(value.workflow_type)
                    workflow_type.name = cls.__name__  # @workflow(name=...) renames it afterwards
                    by_func[value.func.__name__] = workflow_type
                elif isinstance(value, SignalFunc):
                    signals[value.signal_type.name] = (value, value.func)
                elif attribute in by_func and klass is cls:
                    del by_func[attribute]  # overridden by a plain method
        cls._workflow_type_by_func = by_func
        cls._workflow_types = {workflow_type: name for name, workflow_type in by_func.items()}
        cls._workflow_signals = signals

    def __init__(self, workflow_execution: WorkflowExecution | None = None) -> None:
        self.workflow_execution = workflow_execution
        self.workflow_state = ""
        self._workflow_result: Future | None = None
        self._binding = Binding(WorkflowType.DEFAULT_DATA_CONVERTER)

    @property
    def _data_converter(self) -> Any:
        # botoflow's name for the instance's converter, which programs written for it may read.
        return converter_of(self)

    @property
    def workflow_state(self) -> str:
        """A string the workflow reports as its execution context (visible in SWF's console)."""
        return self._workflow_state

    @workflow_state.setter
    def workflow_state(self, state: str) -> None:
        # SWF refuses a decision whose executionContext is over 32,768 characters; saying so at the
        # assignment (in the workflow's own frame) beats a cut string or a refused decision task.
        check_size("workflow_state (the execution context)", state, LIMITS.payload)
        self._workflow_state = state

    @property
    def workflow_result(self) -> Future | None:
        """For a child workflow instance: the Future of its result (set by awsflow)."""
        return self._workflow_result

    @workflow_result.setter
    def workflow_result(self, future: Future | None) -> None:
        self._workflow_result = future

    def cancel(self, details: str = "") -> Any:
        """Cancel this workflow execution.

        Called on the running workflow itself, raises CancelledError(details); if the workflow
        lets it escape, it runs :meth:`cancellation_handler`, asks SWF to cancel each activity
        still open, and closes as canceled with ``str(details)`` (botoflow's rule: ``None``
        records ``'None'``). Called on another execution (a child), asks SWF to cancel it and
        returns a Future of the request's delivery.
        """
        context = current()
        if not isinstance(context, DecisionContext):
            raise TypeError(f"{type(self).__name__}.cancel can only be called from workflow code")
        runtime = context.runtime
        if self is runtime.workflow_instance or self.workflow_execution == context.workflow_execution:
            raise CancelledError(details)
        if self.workflow_execution is None:
            raise TypeError(f"this {type(self).__name__} stands for no execution: there is nothing to cancel")
        return runtime.request_cancel_external(self.workflow_execution)

    def wait_for_completion(self, timeout: float | None = None) -> Any:
        """For an execution started from outside: its result, or its failure raised.

        Follows continue-as-new to the last run. Raises WorkflowFailedError (``.cause`` is the
        workflow's exception), WorkflowTimedOutError, WorkflowTerminatedError,
        WorkflowCanceledError, or TimeoutError after ``timeout`` seconds.
        """
        return _handle_of(self, "wait_for_completion").result(timeout)

    # -- the execution handle (outside workflow code; see awsflow.handles) -------------------------
    def result(self, timeout: float | None = None) -> Any:
        """For an execution started from outside: wait for its result (``wait_for_completion``).

        .. versionadded:: 0.1
        """
        return _handle_of(self, "result").result(timeout)

    def signal(self, name: str, /, *args: Any, **kwargs: Any) -> None:
        """For an execution started from outside: send it the signal ``name``.

        .. versionadded:: 0.1
        """
        _handle_of(self, "signal").signal(name, *args, **kwargs)

    def request_cancel(self) -> None:
        """For an execution started from outside: ask SWF to cancel it.

        .. versionadded:: 0.1
        """
        _handle_of(self, "request_cancel").request_cancel()

    def terminate(self, reason: str | None = None, details: str | None = None) -> None:
        """For an execution started from outside: terminate it (its code is not told).

        .. versionadded:: 0.1
        """
        _handle_of(self, "terminate").terminate(reason, details)

    def describe(self) -> Any:
        """For an execution started from outside: an :class:`awsflow.handles.ExecutionDescription`.

        .. versionadded:: 0.1
        """
        return _handle_of(self, "describe").describe()

    def history(self, *, decode: bool = False, reverse: bool = False) -> Any:
        """For an execution started from outside: its :class:`awsflow.handles.HistoryEvent` s,
        fetched page by page.

        .. versionadded:: 0.1
        """
        return _handle_of(self, "history").history(decode=decode, reverse=reverse)

    @coroutine
    def cancellation_handler(self) -> Any:
        """Override to clean up before the execution closes as canceled.

        Runs when the workflow is canceled: it raised CancelledError (:meth:`cancel`), or
        someone asked SWF to cancel it (RequestCancelWorkflowExecution). In the latter case the
        execute method is not resumed again, as in botoflow: clean up here. Any form works —
        a plain method, a generator or ``async def`` method that yields/awaits activities, a
        ``@coroutine``, or a plain method returning a Future — and the run closes once it is
        done, after asking SWF to cancel the activities still open. If it raises, the workflow
        fails with its exception instead.
        """
        return None


def _handle_of(instance: WorkflowDefinition, method: str) -> Any:
    """The execution handle (``awsflow.handles.WorkflowHandle``) of an instance returned by
    starting a workflow, made by the worker or starter that started it."""
    starter = starter_of(instance)
    if isinstance(current(), DecisionContext):
        raise TypeError(
            f"{type(instance).__name__}.{method} is for use outside workflow code; in workflow code "
            "cancel a child with .cancel(), signal it through its @signal methods, and wait on the "
            "Future its start returned"
        )
    if starter is None or instance.workflow_execution is None:
        raise TypeError(
            f"{type(instance).__name__}.{method} works on an instance returned by starting a workflow "
            "(or use awsflow.get_workflow(domain, workflow_id))"
        )
    return starter.workflow_handle(
        instance.workflow_execution, definition=type(instance), data_converter=converter_of(instance)
    )


def execute_methods(definition: type) -> dict[WorkflowType, str]:
    """The workflow types a WorkflowDefinition subclass declares, each with its @execute method's name.

    Raises:
        TypeError: ``definition`` is not a WorkflowDefinition subclass.
    """
    if not (isinstance(definition, type) and issubclass(definition, WorkflowDefinition)):
        raise TypeError(f"{definition!r} is not a WorkflowDefinition subclass")
    return dict(definition._workflow_types)
