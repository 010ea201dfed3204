"""``@coroutine`` and ``@task``: run a function as a task of the current event loop.

Calling a ``@coroutine`` function does not run it: it queues a new task (a child of the task
that made the call) and returns its :class:`~awsflow.core.future.Future` at once. ``@task``
does the same but returns nothing; its failure goes to the parent task unless a
``do_except`` handler takes it. The ``daemon_`` variants make tasks that do not keep their
parent from finishing (they are cancelled when it finishes).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar, overload

from .async_event_loop import current_loop, current_task
from .async_task import AsyncTask
from .future import Future

__all__ = ["coroutine", "daemon_coroutine", "daemon_task", "task"]

F = TypeVar("F", bound=Callable[..., Any])


class CoroutineFunction:
    """A function that runs as a task when called; returns the task's Future."""

    def __init__(self, func: Callable[..., Any], daemon: bool) -> None:
        self.func = func
        self.daemon = daemon
        functools.update_wrapper(self, func)

    def __get__(self, instance: Any, owner: type | None = None) -> Any:
        if instance is None:
            return self
        return functools.partial(self, instance)

    def __call__(self, *args: Any, **kwargs: Any) -> Future:
        return start_task(self.func, args, kwargs, daemon=self.daemon).future


def start_task(
    func: Callable[..., Any],
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
    *,
    daemon: bool,
    except_handler: Callable[[BaseException], Any] | None = None,
    finally_handler: Callable[[], Any] | None = None,
) -> AsyncTask:
    """Queue ``func(*args, **kwargs)`` as a child of the running task."""
    return AsyncTask(
        current_loop(),
        functools.partial(func, *args, **kwargs),
        parent=current_task(),
        daemon=daemon,
        name=getattr(func, "__qualname__", repr(func)),
        except_handler=except_handler,
        finally_handler=finally_handler,
    )


@overload
def coroutine(func: Callable[..., Any]) -> CoroutineFunction: ...
@overload
def coroutine(func: None = None) -> Callable[[Callable[..., Any]], CoroutineFunction]: ...
def coroutine(func: Callable[..., Any] | None = None) -> Any:
    """Make ``func`` (usually a generator function) an asynchronous workflow coroutine.

    Usable as ``@coroutine`` or ``@coroutine()``. Inside, ``yield future`` waits for a value;
    ``return value`` (or ``return_(value)``) sets the coroutine's own future.
    """
    if func is None:
        return functools.partial(CoroutineFunction, daemon=False)
    return CoroutineFunction(func, daemon=False)


@overload
def daemon_coroutine(func: Callable[..., Any]) -> CoroutineFunction: ...
@overload
def daemon_coroutine(func: None = None) -> Callable[[Callable[..., Any]], CoroutineFunction]: ...
def daemon_coroutine(func: Callable[..., Any] | None = None) -> Any:
    """Like :func:`coroutine`, but the task does not keep its parent from finishing."""
    if func is None:
        return functools.partial(CoroutineFunction, daemon=True)
    return CoroutineFunction(func, daemon=True)


class TaskFunction:
    """A function run as a fire-and-forget task, with optional except/finally handlers."""

    def __init__(self, func: Callable[..., Any], daemon: bool) -> None:
        self.func = func
        self.daemon = daemon
        self.except_func: Callable[[BaseException], Any] | None = None
        self.finally_func: Callable[[], Any] | None = None
        functools.update_wrapper(self, func)

    def do_except(self, handler: Callable[[BaseException], Any]) -> TaskFunction:
        """Handle the task's exception with ``handler(error)`` instead of failing the parent."""
        self.except_func = handler
        return self

    def do_finally(self, handler: Callable[[], Any]) -> TaskFunction:
        """Run ``handler()`` when the task's body finishes, whatever the outcome."""
        self.finally_func = handler
        return self

    def __call__(self, *args: Any, **kwargs: Any) -> None:
        start_task(
            self.func,
            args,
            kwargs,
            daemon=self.daemon,
            except_handler=self.except_func,
            finally_handler=self.finally_func,
        )


def task(func: Callable[..., Any]) -> TaskFunction:
    """Run ``func`` as a task when called (returns None); see :class:`TaskFunction`."""
    return TaskFunction(func, daemon=False)


def daemon_task(func: Callable[..., Any]) -> TaskFunction:
    """Like :func:`task`, for a daemon task."""
    return TaskFunction(func, daemon=True)
