"""Testing helpers for workflow code.

``WorkflowTestingContext`` runs ``@execute`` and ``@coroutine`` code with no service: activities
must be replaced by stubs (calling a real one raises NotImplementedError naming it).

Example::

    with WorkflowTestingContext():
        future = MyWorkflow(None).start(order_id=1)   # activities patched with stubs
    assert future.result() == "receipt"
"""

from __future__ import annotations

from collections.abc import Callable
from types import TracebackType
from typing import Any

from .._runtime import (
    NO_WORKFLOW_OVERRIDES,
    AsyncioGuard,
    DecisionContext,
    WorkflowOverrides,
    current,
    set_context,
)
from ..core import AsyncEventLoop, Future, coroutine
from ..decorator_descriptors import WorkflowExecuteFunc
from ..exceptions import NotInWorkflowError
from ..workflow_execution import WorkflowExecution
from ._harness import Harness as EngineHarness

__all__ = ["EngineHarness", "WorkflowTestingContext"]


class WorkflowTestingContext(DecisionContext):
    """Run workflow code in a plain event loop; leaving the block runs it to quiescence.

    It is the workflow code's context and the :class:`~awsflow.context.WorkflowRuntime` running
    it: calling a workflow's ``@execute`` method runs it as a coroutine here; everything that
    needs SWF (activities, timers, markers, signals to other executions) refuses, naming what
    to stub.
    """

    def __init__(self) -> None:
        super().__init__(self)
        self._event_loop = AsyncEventLoop()
        self._previous: object = None

    def __enter__(self) -> WorkflowTestingContext:
        self._previous = current()
        set_context(self)
        self._event_loop.__enter__()
        return self

    def execute_all_tasks(self) -> None:
        """Run the workflow code until it waits on futures nobody has resolved yet."""
        with self._event_loop, AsyncioGuard():  # as in a worker: asyncio fails at the call
            self._event_loop.execute_all_tasks()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        try:
            if exc_type is None:
                with AsyncioGuard():
                    self._event_loop.execute_all_tasks()
        finally:
            self._event_loop.__exit__(exc_type, exc, tb)
            set_context(self._previous)

    # -- the WorkflowRuntime --------------------------------------------------------------------
    @property
    def workflow_instance(self) -> Any:
        """None: the code under test is called directly, not run as an execution."""
        return None

    @property
    def task_list(self) -> str:
        return ""

    def start_child_workflow(
        self,
        workflow_type: Any,
        definition: type,
        instance: Any,
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
        overrides: WorkflowOverrides = NO_WORKFLOW_OVERRIDES,
    ) -> Future:
        """Run the ``@execute`` method as a coroutine here; a Future of its result."""
        for klass in definition.__mro__:
            for value in vars(klass).values():
                if isinstance(value, WorkflowExecuteFunc) and value.type_for(definition) == workflow_type:
                    target = instance if instance is not None else definition(None)
                    future: Future = coroutine(value.func)(target, *args, **kwargs)
                    return future
        raise NotInWorkflowError(f"{definition.__name__} has no @execute method for {workflow_type}")

    def schedule_activity(self, activity_type: Any, args: Any, kwargs: Any, overrides: Any = None) -> Future:
        raise NotImplementedError(
            f"Activity {activity_type.name} must be stubbed or mocked when unit-testing "
            "workflow code: WorkflowTestingContext runs no activities"
        )

    def continue_as_new(self, workflow_type: Any, args: Any, kwargs: Any, overrides: Any = None) -> Future:
        raise self._unavailable("continue_as_new")

    def now(self) -> float:
        raise self._unavailable("workflow_time.time")

    def is_replaying(self) -> bool:
        return False  # the code under test runs for the first time

    def history_length(self) -> int:
        raise self._unavailable("history_length")

    def start_timer(self, seconds: float) -> Future:
        raise self._unavailable("workflow_time.sleep")

    def wait_condition(self, predicate: Callable[[], Any], timeout: float | None) -> Future:
        raise self._unavailable("wait_condition")

    def signal_external(self, execution: WorkflowExecution, signal_name: str, encoded: str) -> Future:
        raise self._unavailable(f"signal {signal_name}")

    def request_cancel_external(self, execution: WorkflowExecution) -> Future:
        raise self._unavailable("request_cancel")

    def patched(self, change_id: str) -> bool:
        raise self._unavailable("patched")

    def deprecate_patch(self, change_id: str) -> None:
        raise self._unavailable("deprecate_patch")

    def side_effect(self, fn: Callable[[], Any]) -> Any:
        raise self._unavailable("side_effect")

    @staticmethod
    def _unavailable(what: str) -> NotInWorkflowError:
        return NotInWorkflowError(
            f"{what} needs a workflow execution: WorkflowTestingContext runs workflow code without "
            "one (no history, no timers). Stub it in the test, or run the workflow on an "
            "EngineHarness or against awsflow.local."
        )


EngineHarness.__module__ = __name__  # public here, defined in ._harness
