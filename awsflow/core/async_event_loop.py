"""The single-threaded scheduler: a FIFO queue of steps, run until nothing is left to do.

A workflow's code runs entirely inside :meth:`AsyncEventLoop.execute_all_tasks`. Every step
(start a coroutine, resume it with a value, deliver an exception) is queued and run in order, so
the same inputs always produce the same interleaving. The loop never blocks, sleeps, reads a
clock or does I/O: when the queue is empty, the workflow waits for the decider to resolve more
futures from history events.
"""

from __future__ import annotations

import contextvars
from collections import deque
from collections.abc import Callable
from types import TracebackType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .async_task import AsyncTask

__all__ = ["AsyncEventLoop", "current_loop", "current_task", "get_async_context"]

# The loop running on this thread (each thread starts with its own context); contextvars rather
# than threading: the core starts no threads and needs none. The task whose code runs is kept
# on the loop itself (a plain attribute: set around every step, on replay's hot path).
_loop_var: contextvars.ContextVar[AsyncEventLoop | None] = contextvars.ContextVar(
    "awsflow_loop", default=None
)


class AsyncEventLoop:
    """Runs coroutines deterministically. Use as a context manager to make it current."""

    def __init__(self) -> None:
        # The steps to run, FIFO: ``(step, args)``. Tasks append to it directly (replay's hot
        # path); anyone else uses call_soon.
        self.queue: deque[tuple[Callable[..., Any], tuple[Any, ...]]] = deque()
        self._outer: list[AsyncEventLoop | None] = []
        # The task whose step runs now (None between steps); each task sets it around its steps.
        self.running: AsyncTask | None = None

    def __enter__(self) -> AsyncEventLoop:
        self._outer.append(_loop_var.get())
        _loop_var.set(self)
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        _loop_var.set(self._outer.pop())

    def call_soon(self, step: Callable[..., Any], *args: Any) -> None:
        """Queue ``step(*args)`` behind everything already queued."""
        self.queue.append((step, args))

    def execute_all_tasks(self) -> None:
        """Run queued steps, and the steps they queue, until the queue is empty."""
        token = _loop_var.set(self)
        try:
            queue = self.queue
            while queue:
                step, args = queue.popleft()
                step(*args)
        finally:
            _loop_var.reset(token)

    def execute_queued_task(self) -> bool:
        """Run one queued step; False when there was none."""
        if not self.queue:
            return False
        step, args = self.queue.popleft()
        with self:
            step(*args)
        return True


def current_loop() -> AsyncEventLoop:
    """The loop running on this thread; RuntimeError outside one."""
    loop = _loop_var.get()
    if loop is None:
        raise RuntimeError(
            "No event loop is running: coroutines run inside a workflow (or inside "
            "'with AsyncEventLoop() as loop:' followed by loop.execute_all_tasks())"
        )
    return loop


def current_task() -> AsyncTask | None:
    """The task whose code is running now, or None between steps."""
    loop = _loop_var.get()
    return None if loop is None else loop.running


def get_async_context() -> AsyncTask | None:
    """botoflow compatibility: the task running now (its cancellation scope)."""
    return current_task()
