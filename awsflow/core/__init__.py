"""The deterministic core: futures, coroutines and the single-threaded scheduler.

Nothing here does I/O, reads a clock or starts a thread; the decider drives it.
"""

from __future__ import annotations

from .async_event_loop import AsyncEventLoop, get_async_context
from .base_future import BaseFuture, Return, return_
from .decorators import coroutine, daemon_coroutine, daemon_task, task
from .exceptions import CancellationError, CancelledError
from .future import AllFuture, AnyFuture, Future

__all__ = [
    "AllFuture",
    "AnyFuture",
    "AsyncEventLoop",
    "BaseFuture",
    "CancellationError",
    "CancelledError",
    "Future",
    "Return",
    "coroutine",
    "daemon_coroutine",
    "daemon_task",
    "get_async_context",
    "return_",
    "task",
]
