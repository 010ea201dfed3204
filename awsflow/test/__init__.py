"""Testing helpers for workflow code.

``WorkflowTestingContext`` runs ``@execute`` and ``@coroutine`` code with no service: activities
must be replaced by stubs (calling a real one raises NotImplementedError naming it).

Example::

    with WorkflowTestingContext():
        future = MyWorkflow(None).start(order_id=1)   # activities patched with stubs
    assert future.result() == "receipt"
"""

from __future__ import annotations

from types import TracebackType

from ..context._contexts import ContextBase, peek_context, set_context
from ..core import AsyncEventLoop
from ..decider._asyncio_guard import AsyncioGuard
from ._harness import Harness as EngineHarness

__all__ = ["EngineHarness", "WorkflowTestingContext"]


class WorkflowTestingContext(ContextBase):
    """Run workflow code in a plain event loop; leaving the block runs it to quiescence."""

    def __init__(self) -> None:
        self._event_loop = AsyncEventLoop()
        self._previous: object = None

    def __enter__(self) -> WorkflowTestingContext:
        self._previous = peek_context()
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
