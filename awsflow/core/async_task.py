"""Tasks: a coroutine's body driven step by step, arranged in a tree for cancellation.

A task runs one ``@coroutine`` call. Its body is a generator that yields futures; each yield
suspends the task until the future is done, then a queued step resumes it with the result or
throws the exception into it (so the exception keeps its original traceback and gains a frame
per coroutine it passes through).

Tasks form a tree: a coroutine called while another runs is its child. The tree gives AWS
Flow's rules:

- a task's future is done when its body has finished **and** all its non-daemon children are
  done; daemon children still running then are cancelled;
- cancelling a task cancels its children and whatever its body is waiting on; the body sees
  ``CancelledError`` at its ``yield`` and may handle it;
- a child that fails while nobody is waiting on its future does not fail silently: its parent is
  cancelled and then fails with the child's exception (an error is never lost);
- an *abandoned* tree is never driven again: its bodies stay suspended where they wait and its
  futures stay pending (a workflow whose execution is canceled from outside stops there, as in
  botoflow; see :meth:`AsyncTask.abandon`).

A task runs on a :class:`Scheduler`: the queue of steps it appends to and the slot naming the
task whose step runs. :class:`~awsflow.core.async_event_loop.AsyncEventLoop` is the one there is;
the protocol lets this module stand below the loop, which names ``AsyncTask`` as its running task.
"""

from __future__ import annotations

import enum
import types
from collections import deque
from collections.abc import AsyncGenerator, Callable, Coroutine, Generator
from typing import Any, Protocol

from .base_future import BaseFuture, FutureState, Return
from .exceptions import CancelledError
from .future import AllFuture, AnyFuture, Future

__all__ = ["AsyncTask"]

_PENDING = FutureState.PENDING


class Scheduler(Protocol):
    """What a task needs of the loop it runs on (the AsyncEventLoop): where to queue its steps,
    and where to say which task runs now."""

    # FIFO of ``(step, args)``: tasks append to it directly, on replay's hot path.
    queue: deque[tuple[Callable[..., Any], tuple[Any, ...]]]
    # The task whose step runs now; each task sets it around its steps.
    running: AsyncTask | None

    def call_soon(self, step: Callable[..., Any], *args: Any) -> None:
        """Queue ``step(*args)`` behind everything already queued."""


class _Stage(enum.Enum):
    NEW = 1  # queued, body not started
    RUNNING = 2  # body started (running or suspended at a yield)
    BODY_DONE = 3  # body finished, waiting for non-daemon children
    DONE = 4


class AsyncTask:
    """One coroutine invocation: its body, its future, its place in the task tree."""

    __slots__ = (
        "__weakref__",
        "_body",
        "_children",
        "_error",
        "_except",
        "_finally",
        "_gen",
        "_loop",
        "_outcome",
        "_queue",
        "_stage",
        "_waiting_on",
        "daemon",
        "future",
        "name",
        "parent",
    )

    def __init__(
        self,
        loop: Scheduler,
        body: Callable[[], Any],
        *,
        parent: AsyncTask | None,
        daemon: bool = False,
        name: str = "",
        except_handler: Callable[[BaseException], Any] | None = None,
        finally_handler: Callable[[], Any] | None = None,
    ) -> None:
        self._loop = loop
        self._queue = loop.queue
        self._body = body
        self.parent = parent
        self.daemon = daemon
        self.name = name
        self.future = Future(self._cancel_from_future)
        self._children: dict[int, AsyncTask] = {}
        self._stage = _Stage.NEW
        self._gen: Generator[Any, Any, Any] | None = None
        self._waiting_on: BaseFuture | None = None
        self._outcome: tuple[Any, BaseException | None] = (None, None)
        self._error: BaseException | None = None  # a child's unobserved failure
        self._except = except_handler
        self._finally = finally_handler
        if parent is not None:
            parent.adopt(self)
        loop.call_soon(self._start)

    # -- running the body -----------------------------------------------------------------------
    def _start(self) -> None:
        if self._stage is not _Stage.NEW:  # cancelled before it ran
            return
        self._stage = _Stage.RUNNING
        self._gen = self._drive()
        self._step(None, None)

    def _drive(self) -> Generator[Any, Any, Any]:
        # The body runs inside _step, like every later step: as the current task, its Return or
        # exception finishing the task. A plain function's value is returned without a yield.
        value = self._body()
        if isinstance(value, Generator):
            return (yield from value)
        if isinstance(value, Coroutine):  # an ``async def`` body: its awaits yield the futures
            return (yield from _awaiting(value))
        if isinstance(value, AsyncGenerator):
            raise TypeError(
                f"{self.name or 'coroutine'} is an async generator: in an 'async def' workflow "
                "method, 'await' futures instead of yielding them"
            )
        return value

    def _step(self, value: Any, error: BaseException | None) -> None:
        gen = self._gen
        assert gen is not None
        loop = self._loop
        previous = loop.running
        loop.running = self
        try:
            yielded = gen.send(value) if error is None else gen.throw(error)
        except StopIteration as stop:
            self._body_done(stop.value, None)
            return
        except Return as returned:
            self._body_done(returned.value, None)
            return
        except Exception as failure:  # the body's failure becomes the future's
            self._body_done(None, failure)
            return
        finally:
            loop.running = previous
        self._wait_for(yielded)

    def _wait_for(self, yielded: Any) -> None:
        if type(yielded) is Future:  # the common case, kept short: it is replay's hot path
            yielded.observed = True
            self._waiting_on = yielded
            # add_done_callback(self), inlined (the task is its own callback: see __call__): the
            # one place outside the futures' module that reads their fields, for the hot path.
            if yielded._state is _PENDING:
                callbacks = yielded._callbacks
                if callbacks is None:
                    yielded._callbacks = [self]
                else:
                    callbacks.append(self)
            else:
                self(yielded)
            return
        if isinstance(yielded, BaseFuture):
            future = yielded
        elif isinstance(yielded, (list, tuple, set, frozenset)):
            future = AllFuture(*yielded)
        else:
            problem = TypeError(
                f"{self.name or 'coroutine'} yielded {yielded!r}; yield or await an awsflow Future "
                "(or yield a list of futures). asyncio's awaitables (asyncio.sleep, tasks) do not "
                "replay: use awsflow.workflow_time.sleep and activities"
            )
            self._loop.call_soon(self._step, None, problem)
            return
        _mark_observed(future)
        self._waiting_on = future
        future.add_done_callback(self._on_awaited_done)

    def _on_awaited_done(self, future: BaseFuture) -> None:
        self._queue.append((self._resume, (future,)))

    # A task is a future's callback as itself, not as a bound method made for each wait.
    __call__ = _on_awaited_done

    def _resume(self, future: BaseFuture) -> None:
        if future is not self._waiting_on or self._gen is None:
            return
        self._waiting_on = None
        # future.outcome(), inlined: every resumption of a coroutine comes through here.
        error = future._exception
        if error is not None:  # failed or cancelled
            self._step(None, error.with_traceback(future._traceback))
        else:
            self._step(future._result, None)

    # -- finishing ------------------------------------------------------------------------------
    def _body_done(self, result: Any, error: BaseException | None) -> None:
        self._gen = None
        self._waiting_on = None
        if error is not None and self._except is not None:
            handler, self._except = self._except, None
            try:
                result, error = handler(error), None
            except Exception as failure:  # the handler's own failure replaces it
                error = failure
        if self._finally is not None:
            handler_finally, self._finally = self._finally, None
            try:
                handler_finally()
            except Exception as failure:  # as in a finally block, the newer error wins
                error = failure
        if self._error is not None and (error is None or isinstance(error, CancelledError)):
            error = self._error  # a failed child caused the cancellation: report the cause
        self._outcome = (result, error)
        self._stage = _Stage.BODY_DONE
        self._finish_if_ready()

    def _finish_if_ready(self) -> None:
        if self._stage is not _Stage.BODY_DONE:
            return
        if any(not child.daemon for child in self._children.values()):
            return
        for daemon in list(self._children.values()):
            daemon.cancel()
        self._stage = _Stage.DONE
        result, error = self._outcome
        if error is None:
            self.future.set_result(result)
        elif isinstance(error, CancelledError):
            self.future.set_cancelled(error)
        else:
            self.future.set_exception(error, error.__traceback__)
        if self.parent is not None:
            self.parent.child_done(self)

    # -- the tree -------------------------------------------------------------------------------
    def adopt(self, child: AsyncTask) -> None:
        """``child`` is a task started while this one ran: it belongs to this task's tree."""
        self._children[id(child)] = child

    def child_done(self, child: AsyncTask) -> None:
        """``child`` finished: an unobserved failure of it fails this task (see the module doc)."""
        del self._children[id(child)]
        error = child.future.outcome()[1]
        if error is not None and not _is_observed(child.future) and not isinstance(error, CancelledError):
            if self._error is None:
                self._error = error
            self.cancel()
        self._finish_if_ready()

    # -- cancellation ---------------------------------------------------------------------------
    def _cancel_from_future(self) -> bool:
        """``self.future.cancel()``: cancel the task; False if it already finished."""
        if self.future.done():
            return self.future.cancelled()
        self.cancel()
        return True

    def cancel(self) -> None:
        """Cancel this task's children and what its body waits on (see the module docstring)."""
        if self._stage is _Stage.DONE:
            return
        for child in list(self._children.values()):
            child.cancel()
        if self._stage is _Stage.NEW:
            self._body_done(
                None, CancelledError(f"{self.name or 'coroutine'} was cancelled before it started")
            )
        elif self._waiting_on is not None and not self._waiting_on.done():
            # A future already done is only waiting for this task's resumption: nothing to cancel.
            self._waiting_on.cancel()

    def abandon(self) -> None:
        """Never drive this task or its children again, nor resolve their futures.

        Their bodies stay suspended at their ``yield`` (no ``CancelledError``, no ``finally``
        run now), so they make no more decisions; whatever they waited on may still resolve,
        unseen. The bodies are closed only when the tree is garbage, like any suspended body.
        """
        for child in list(self._children.values()):
            child.abandon()
        self._children.clear()
        self._waiting_on = None  # a resumption already queued finds nothing to resume
        self._stage = _Stage.DONE

    @property
    def done(self) -> bool:
        return self._stage is _Stage.DONE

    def __repr__(self) -> str:
        return f"<AsyncTask {self.name} {self._stage.name.lower()}>"


@types.coroutine
def _awaiting(body: Coroutine[Any, Any, Any]) -> Generator[Any, Any, Any]:
    """Drive an ``async def`` body as a generator: every ``await future`` reaches the task."""
    return (yield from body)


def _mark_observed(future: BaseFuture) -> None:
    """Note that a coroutine waits on ``future`` (directly or through AllFuture/AnyFuture)."""
    if isinstance(future, Future):
        future.observed = True
    elif isinstance(future, AnyFuture):
        for inner in future.futures:
            _mark_observed(inner)


def _is_observed(future: BaseFuture) -> bool:
    return isinstance(future, Future) and future.observed
