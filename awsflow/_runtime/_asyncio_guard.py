"""asyncio's primitives in workflow code: they fail at the call, naming the awsflow equivalent.

An ``async def`` workflow runs on awsflow's deterministic scheduler, not on an asyncio event
loop. asyncio's primitives need a running asyncio loop, and none of what they do with it can be
replayed: ``asyncio.sleep`` and ``wait_for``/``timeout`` arm wall-clock callbacks
(``loop.call_later``) that no history records, and ``gather``/``create_task`` interleave tasks in
an order the loop picks. Left alone they fail with asyncio's "There is no current event loop in
thread ..." in a worker's thread, and on a main thread (Python < 3.14) silently create a real
loop that never runs, so the workflow then fails on a foreign future.

So while workflow code runs (in :meth:`awsflow.decider.ExecutionReplay.apply`, and in a
``WorkflowTestingContext``), the thread's running asyncio loop is a stand-in whose every use raises
:class:`~awsflow.exceptions.AsyncioInWorkflowError`, naming the asyncio function called and what
to use instead (``workflow_time.sleep``, ``AllFuture``, ``AnyFuture``, a ``@coroutine`` call,
``wait_condition``). The previous running loop, if any, is restored afterwards, so a worker
driven from inside an asyncio program is unaffected.

Considered and rejected: making the primitives work by running workflow code on a replay-aware
asyncio loop (Temporal's design: its own event loop class, ``call_later`` as durable timers). It
is a second scheduler beside the one every history was written with, and a partial one (gather
but not ``wait_for``, say) would be a trap. awsflow already has an equivalent for each primitive.

``asyncio.TaskGroup`` is the one primitive that fails with asyncio's own RuntimeError ("cannot
determine the parent task", at ``async with``): it asks for the current asyncio task, which C
code answers without touching the loop. Use ``@coroutine`` calls and ``AllFuture`` instead.

The decider never imports asyncio (the layering rule of the pure modules): the guard is set only
if the program has imported it, found in ``sys.modules`` — code that never imported asyncio
cannot call it.
"""

from __future__ import annotations

import inspect
import sys
from collections.abc import Coroutine
from types import FrameType, TracebackType
from typing import Any

from ..exceptions import AsyncioInWorkflowError

__all__ = ["AsyncioGuard"]

# What to use instead of each asyncio entry point (by qualified name inside asyncio).
_INSTEAD = {
    "sleep": "'await workflow_time.sleep(seconds)' (a durable SWF timer)",
    "gather": "'await AllFuture(*futures)' (or await a list of futures) from awsflow.core",
    "wait": "'await AnyFuture(*futures)' for the first one done, 'await AllFuture(*futures)' for all",
    "as_completed": "'await AnyFuture(*futures)', once per future you wait for",
    "wait_for": "'await AnyFuture(future, workflow_time.sleep(seconds))' and see which is done",
    "timeout": "'await AnyFuture(future, workflow_time.sleep(seconds))' and see which is done",
    "timeout_at": "'await AnyFuture(future, workflow_time.sleep(seconds))' and see which is done",
    "create_task": "a call of a @coroutine method (it runs as a task of the workflow at once)",
    "ensure_future": "a call of a @coroutine method (it runs as a task of the workflow at once)",
    "shield": "awaiting the future directly (cancellation follows awsflow's task tree)",
    "TaskGroup": "@coroutine calls awaited together with AllFuture",
    "run_in_executor": "an activity (workflow code must not do I/O)",
    "to_thread": "an activity (workflow code must not do I/O)",
}
_CONDITIONS = "'await wait_condition(predicate)' on state your @signal handlers set"
_GENERIC = (
    "workflow_time.sleep for timers, AllFuture/AnyFuture to wait on several futures, @coroutine "
    "calls for concurrent tasks, wait_condition for state set by signals"
)


def _asyncio_entry(frame: FrameType | None) -> str:
    """The outermost asyncio function on the stack above ``frame`` (what the code called)."""
    entry = ""
    while frame is not None:
        module = frame.f_globals.get("__name__", "")
        if module != "asyncio" and not module.startswith("asyncio."):
            break
        entry = _qualname(frame)
        frame = frame.f_back
    return entry


def _qualname(frame: FrameType) -> str:
    code = frame.f_code
    qualname: str | None = getattr(code, "co_qualname", None)  # Python >= 3.11
    if qualname is not None:
        return qualname
    owner = frame.f_locals.get("self")  # Python 3.10: a method is named after its instance's class
    return f"{type(owner).__name__}.{code.co_name}" if owner is not None else code.co_name


def _message(attribute: str) -> str:
    here = inspect.currentframe()  # _message; then __getattr__, then the asyncio code calling it
    entry = _asyncio_entry(here.f_back.f_back if here is not None and here.f_back is not None else None)
    name = entry.rsplit(".", 1)[-1] if entry else ""
    if name in ("__aenter__", "__init__") and "." in entry:
        name = entry.split(".")[0]  # asyncio.timeout(...), TaskGroup(): the class names it
    if entry.startswith(("Event.", "Condition.", "Queue.", "Semaphore.", "Lock.", "Barrier.")):
        instead = _CONDITIONS
    else:
        instead = _INSTEAD.get(name or attribute, _GENERIC)  # loop.create_task(...) called directly
    called = f"asyncio.{entry}" if entry else f"asyncio's event loop ({attribute})"
    return (
        f"{called} cannot run in workflow code: workflow code runs on awsflow's deterministic "
        "scheduler, not on an asyncio event loop, and what asyncio does with its loop (wall-clock "
        f"timers, its own task order) would not replay. Use {instead}."
    )


class _NoAsyncioLoop:
    """The thread's "running asyncio loop" while workflow code runs: any method call raises."""

    __slots__ = ()

    def __getattr__(self, attribute: str) -> Any:
        message = _message(attribute)  # here, while the asyncio caller is on the stack

        def refuse(*args: Any, **kwargs: Any) -> Any:
            for arg in args:
                if isinstance(arg, Coroutine):
                    arg.close()  # never to run: spare the "coroutine was never awaited" warning
            raise AsyncioInWorkflowError(message)

        return refuse

    def __repr__(self) -> str:
        return "<no asyncio event loop: awsflow workflow code>"


_STAND_IN = _NoAsyncioLoop()


class AsyncioGuard:
    """Context manager: asyncio's primitives raise AsyncioInWorkflowError inside it (see above)."""

    __slots__ = ("_previous", "_set_running_loop")

    def __enter__(self) -> AsyncioGuard:
        # asyncio.events holds the C-accelerated _get/_set_running_loop (thread-local state):
        # asyncio's own private API, the one way to make its primitives see a stand-in loop.
        events: Any = sys.modules.get("asyncio.events")
        self._set_running_loop: Any = None
        if events is not None:
            get_running_loop, self._set_running_loop = events._get_running_loop, events._set_running_loop
            self._previous = get_running_loop()
            self._set_running_loop(_STAND_IN)
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._set_running_loop is not None:
            self._set_running_loop(self._previous)
