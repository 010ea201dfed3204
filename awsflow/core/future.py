"""The futures workflow code yields: :class:`Future`, and the combinators ``AnyFuture``/``AllFuture``.

A :class:`Future` is either the outcome of a coroutine (it then belongs to an
:class:`~awsflow.core.async_task.AsyncTask`, and cancelling it cancels that task's tree) or a
leaf resolved by the decider (an activity, a timer, a child workflow). A leaf can carry a
*canceller*: cancelling it then asks SWF to cancel the work, and the future resolves when the
history says the work was canceled — not at once — because the work may finish first. The
canceller also says what :meth:`Future.cancel` returns: an activity's returns the Future of the
cancel request (botoflow's rule), so that ``yield future.cancel()`` waits until SWF recorded it.
"""

from __future__ import annotations

from collections.abc import Callable
from types import TracebackType
from typing import Any

from .base_future import BaseFuture, FutureState, Return

__all__ = ["AllFuture", "AnyFuture", "BaseFuture", "Future", "Return"]


class Future(BaseFuture):
    """A value produced later by a coroutine or by an event in the workflow's history."""

    __slots__ = ("canceller", "context", "observed")

    def __init__(self, canceller: Callable[[], Any] | None = None) -> None:
        """A pending future; ``canceller`` (see the module docstring) cancels the work behind it."""
        # BaseFuture's fields set here, not through super(): futures are made on replay's hot path.
        self._state = FutureState.PENDING
        self._result: Any = None
        self._exception: BaseException | None = None
        self._traceback: TracebackType | None = None
        self._callbacks: list[Callable[[BaseFuture], None]] | None = None
        # Cancels the work behind it (a coroutine's task, an activity, a timer); called on every
        # cancel(), even once done (it knows what a late cancel means for its work), and returns
        # what cancel() returns.
        self.canceller = canceller
        # Some coroutine waits on it (or code said it handles its outcome): a failure then reaches
        # that code rather than failing the task tree (see awsflow.core.async_task).
        self.observed = False
        self.context: Any = None  # botoflow compatibility

    def cancel(self) -> Any:
        """Cancel the coroutine (and what it started) or the work behind this future.

        Cancellation is a request: the coroutine sees ``CancelledError`` where it waits and may
        handle it; an activity is canceled when SWF confirms it.

        Returns:
            For an activity, the Future of the cancel request: done at once if the activity
            was never sent to SWF, else once SWF recorded the request (it raises
            RequestCancelActivityTaskFailedError if SWF refused). Otherwise True, or False if
            the future had already finished.
        """
        canceller = self.canceller
        if canceller is not None:
            return canceller()
        return super().cancel()

    def __or__(self, other: BaseFuture) -> AnyFuture:
        if isinstance(other, AnyFuture):
            other.add_future(self)
            return other
        if isinstance(other, BaseFuture):
            return AnyFuture(self, other)
        return NotImplemented

    def __and__(self, other: BaseFuture) -> AllFuture:
        if isinstance(other, AllFuture):
            other.add_future(self)
            return other
        if isinstance(other, BaseFuture):
            return AllFuture(self, other)
        return NotImplemented


class AnyFuture(BaseFuture):
    """Ready when the first of its futures is ready, with that future's result or exception.

    With no futures it is ready at once with ``()``.
    """

    def __init__(self, *futures: BaseFuture) -> None:
        super().__init__()
        # All futures are listed before any callback runs: one that is already done must not
        # see a partial list (AllFuture would resolve early).
        self._futures: list[BaseFuture] = list(futures)  # (see the ``futures`` property)
        for future in futures:
            future.add_done_callback(self._on_done)
        if not futures:
            self.set_result(())

    @property
    def futures(self) -> tuple[BaseFuture, ...]:
        """The futures it waits on, in order."""
        return tuple(self._futures)

    def add_future(self, future: BaseFuture) -> None:
        self._futures.append(future)
        future.add_done_callback(self._on_done)

    def _on_done(self, future: BaseFuture) -> None:
        if not self.done():
            future.forward(self)

    def __or__(self, other: BaseFuture) -> AnyFuture:
        self.add_future(other)
        return self


class AllFuture(AnyFuture):
    """Ready when all its futures are, with the tuple of their results in order.

    Fails with the first exception (or cancellation) among them, as soon as it happens.
    """

    def _on_done(self, future: BaseFuture) -> None:
        if self.done():
            return
        if future.outcome()[1] is not None:  # failed or cancelled
            future.forward(self)
        elif all(f.done() for f in self._futures):
            self.set_result(tuple(f.outcome()[0] for f in self._futures))

    def __and__(self, other: BaseFuture) -> AllFuture:
        self.add_future(other)
        return self
