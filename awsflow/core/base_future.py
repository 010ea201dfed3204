"""Futures: values that become ready later, resolved by the scheduler in a fixed order.

A future is pending until :meth:`BaseFuture.set_result` / :meth:`set_exception` /
:meth:`cancel` finishes it. Coroutines waiting on it are not resumed inline: the scheduler queues
their resumption (FIFO), so the order in which workflow code runs is the order in which futures
were resolved, never an accident of call depth. That is what lets a replay reproduce the
decisions of the original run.

``Return``/``return_`` are botoflow's way to return a value from a generator; a plain ``return
value`` works too.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Generator
from types import TracebackType
from typing import Any, NoReturn

from .exceptions import CancelledError

__all__ = ["CANCELLED", "FINISHED", "PENDING", "RUNNING", "BaseFuture", "FutureState", "Return", "return_"]

Callback = Callable[["BaseFuture"], None]


class Return(BaseException):  # botoflow's name
    """Raised by workflow code to return a value from a coroutine (``raise Return(value)``)."""

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.value = args[0] if args else None


def return_(*args: Any) -> NoReturn:
    """Return ``args[0]`` (or None) from the calling coroutine."""
    raise Return(*args)


class FutureState(enum.Enum):
    PENDING = "PENDING"
    RUNNING = "RUNNING"
    CANCELLED = "CANCELLED"
    FINISHED = "FINISHED"


# botoflow's names for the states.
PENDING = FutureState.PENDING
RUNNING = FutureState.RUNNING
CANCELLED = FutureState.CANCELLED
FINISHED = FutureState.FINISHED


class BaseFuture:
    """A result or an exception that will be available later.

    Mirrors the shape of :class:`concurrent.futures.Future` (PEP 3148) but is single-threaded:
    nothing ever blocks on it; coroutines ``yield`` it and are resumed by the scheduler.
    """

    __slots__ = ("_callbacks", "_exception", "_result", "_state", "_traceback")

    def __init__(self) -> None:
        self._state = FutureState.PENDING
        self._result: Any = None
        self._exception: BaseException | None = None
        self._traceback: TracebackType | None = None
        self._callbacks: list[Callback] | None = None  # made when the first one is added

    # -- completion -----------------------------------------------------------------------------
    def set_result(self, result: Any) -> None:
        """Finish with ``result``; a no-op on a future that is already done."""
        state = self._state
        if state is FutureState.FINISHED or state is FutureState.CANCELLED:
            return
        self._result = result
        self._state = FutureState.FINISHED
        callbacks = self._callbacks
        if callbacks:
            self._callbacks = None
            for callback in callbacks:
                callback(self)

    def set_exception(self, exception: BaseException, traceback: TracebackType | None = None) -> None:
        """Finish with ``exception`` (its traceback kept); a no-op once done."""
        if self.done():
            return
        self._exception = exception
        self._traceback = traceback if traceback is not None else exception.__traceback__
        self._state = FutureState.FINISHED
        self._notify()

    def cancel(self) -> bool:
        """Cancel a pending future; returns False if it already finished."""
        if self._state is FutureState.FINISHED:
            return False
        self.set_cancelled(CancelledError())
        return True

    def set_cancelled(self, error: CancelledError) -> None:
        """Finish as cancelled with ``error`` (and where it was raised), what the work's own
        cancellation produced; a no-op once done. ``result()`` then raises ``error``."""
        if self.done():
            return
        self._state = FutureState.CANCELLED
        self._exception = error
        self._traceback = error.__traceback__
        self._notify()

    def _notify(self) -> None:
        callbacks, self._callbacks = self._callbacks or [], None
        for callback in callbacks:
            callback(self)

    def add_done_callback(self, callback: Callback) -> None:
        """Call ``callback(self)`` when done (at once if already done)."""
        # done(), inlined: every coroutine waiting on a future comes through here.
        state = self._state
        if state is FutureState.FINISHED or state is FutureState.CANCELLED:
            callback(self)
            return
        callbacks = self._callbacks
        if callbacks is None:
            self._callbacks = [callback]
        else:
            callbacks.append(callback)

    # -- inspection -----------------------------------------------------------------------------
    def running(self) -> bool:
        return self._state is FutureState.RUNNING

    def done(self) -> bool:
        return self._state in (FutureState.FINISHED, FutureState.CANCELLED)

    def cancelled(self) -> bool:
        return self._state is FutureState.CANCELLED

    def _check_done(self, what: str) -> None:
        if self._state is FutureState.CANCELLED:
            assert self._exception is not None
            raise self._exception.with_traceback(self._traceback)
        if self._state is not FutureState.FINISHED:
            raise ValueError(f"{what} is not set yet: the future is {self._state.value.lower()}")

    def outcome(self) -> tuple[Any, BaseException | None]:
        """``(result, None)``, or ``(None, exception)`` — a CancelledError if it was cancelled.

        Unlike :meth:`result` and :meth:`exception` it never raises the outcome: for code that
        handles both kinds alike (combinators, retry loops, fan-out).

        Raises:
            ValueError: the future is not done.
        """
        if self._state is not FutureState.FINISHED and self._state is not FutureState.CANCELLED:
            raise ValueError(f"the outcome is not set yet: the future is {self._state.value.lower()}")
        return self._result, self._exception

    def forward(self, target: BaseFuture) -> None:
        """Finish ``target`` as this (done) future finished: its result, or its exception (a
        cancellation too) with its traceback."""
        if self._exception is None:
            target.set_result(self._result)
        else:
            target.set_exception(self._exception, self._traceback)

    def exception(self) -> BaseException | None:
        """The exception, or None. Raises CancelledError if cancelled, ValueError if pending."""
        self._check_done("Exception")
        return self._exception

    def traceback(self) -> TracebackType | None:
        self._check_done("Traceback")
        return self._traceback

    def result(self) -> Any:
        """The result; re-raises the exception with its original traceback."""
        self._check_done("Result")
        if self._exception is not None:
            raise self._exception.with_traceback(self._traceback)
        return self._result

    def set_running_or_notify_cancel(self) -> bool:
        """botoflow compatibility: mark running; False if already cancelled."""
        if self._state is FutureState.CANCELLED:
            return False
        if self._state is FutureState.PENDING:
            self._state = FutureState.RUNNING
            return True
        raise RuntimeError(f"{self!r} cannot start running: it is {self._state.value.lower()}")

    def __await__(self) -> Generator[Any, Any, Any]:
        """``await future`` in an ``async def`` workflow method: the same as ``yield future``.

        The task driving the method receives the future, waits for it on the deterministic
        scheduler, and sends its result back (or throws its exception in).
        """
        return (yield self)

    @classmethod
    def with_result(cls, result: Any) -> BaseFuture:
        future = cls()
        future.set_result(result)
        return future

    @classmethod
    def with_exception(cls, exception: BaseException, traceback: TracebackType | None = None) -> BaseFuture:
        future = cls()
        future.set_exception(exception, traceback)
        return future

    @classmethod
    def with_cancel(cls) -> BaseFuture:
        future = cls()
        future.cancel()
        return future

    def __repr__(self) -> str:
        state = self._state.value.lower()
        if self._state is FutureState.FINISHED:
            outcome = (
                f"raised {self._exception!r}" if self._exception is not None else f"returned {self._result!r}"
            )
            return f"<{type(self).__name__} state={state} {outcome}>"
        return f"<{type(self).__name__} state={state}>"
