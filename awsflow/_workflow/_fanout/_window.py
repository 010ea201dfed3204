"""The sliding window of a fan-out: start calls while fewer than the limit are open, in input order.

A coroutine of the workflow, on the deterministic scheduler. It starts the first inputs, waits
until one of the open calls finishes (or a ramp-up timer fires), records the outcome, starts the
next inputs, and so on. New calls are decided only after SWF recorded the closing events that
freed their places, so the number open in the history never exceeds the limit.

One wake-up Future per wait, set by whichever open call finishes first, keeps each wait O(1):
waiting on an AnyFuture of all open calls would add a callback to every open call per wait.

On the first failure with ``stop_on_failure``, nothing new starts, every open call is cancelled
(RequestCancelActivityTask, or a cancel request to the child), and the window waits for them to
close before raising :class:`~awsflow.FanoutError`. Cancelling the fan-out itself does
the same and ends with CancelledError.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Generator, Sequence
from typing import Any

from ..._runtime import DecisionContext
from ...core import CancelledError, Future, coroutine
from ._errors import FanoutError
from ._plan import allowed_open, seconds_to_next_step


@coroutine
def run_window(
    context: DecisionContext,
    start: Callable[[int, Any], Future],
    inputs: Sequence[Any],
    max_concurrency: int,
    ramp_up: float,
    stop_on_failure: bool,
    first_index: int = 0,
) -> Generator[Any, Any, Any]:
    """Run ``start(index, input)`` for every input, at most ``max_concurrency`` open; the results in order.

    ``index`` (and the index in a FanoutError) is ``first_index`` + the input's position: a
    batch of a larger fan-out reports positions in the whole fan-out.
    """
    count = len(inputs)
    results: list[Any] = [None] * count
    failures: dict[int, BaseException] = {}
    open_calls: dict[int, Future] = {}
    finished: deque[int] = deque()
    waiting: Future | None = None  # what the window waits on now; any finish sets it
    runtime = context.runtime
    began = runtime.now()
    next_index = 0
    ramp_timer: Future | None = None
    stopping = False
    cancelled: CancelledError | None = None

    def wake_up(_: Any) -> None:
        if waiting is not None and not waiting.done():
            waiting.set_result(None)

    def on_finished(index: int) -> Callable[[Any], None]:
        def record(_: Any) -> None:
            finished.append(index)
            wake_up(None)

        return record

    def stop_all() -> None:
        nonlocal stopping, ramp_timer
        stopping = True
        for call in list(open_calls.values()):
            if not call.done():  # one done but not yet settled has nothing left to cancel
                call.cancel()
        if ramp_timer is not None:
            ramp_timer.cancel()
            ramp_timer = None

    while True:
        while finished:
            index = finished.popleft()
            call = open_calls.pop(index)
            result, error = call.outcome()
            if error is None:
                results[index] = result
            elif not (stopping and isinstance(error, CancelledError)):
                failures[first_index + index] = error
        if ramp_timer is not None and ramp_timer.done():
            ramp_timer = None
        if failures and stop_on_failure and not stopping:
            stop_all()
        if not stopping:
            elapsed = runtime.now() - began
            limit = allowed_open(max_concurrency, ramp_up, elapsed)
            while next_index < count and len(open_calls) < limit:
                call = start(first_index + next_index, inputs[next_index])
                call.observed = True  # its failure is ours to report, not the task tree's
                open_calls[next_index] = call
                call.add_done_callback(on_finished(next_index))
                next_index += 1
            if ramp_timer is None and next_index < count:
                step = seconds_to_next_step(max_concurrency, ramp_up, elapsed)
                if step is not None:
                    ramp_timer = runtime.start_timer(step)
                    ramp_timer.add_done_callback(wake_up)
        if not open_calls and (stopping or next_index >= count):
            break
        if finished:  # a call closed at once (cancelled before it was sent): settle it first
            continue
        waiting = Future()
        try:
            yield waiting
        except CancelledError as error:  # the fan-out itself is cancelled: close what is open
            if cancelled is None:
                cancelled = error
                stop_all()
    if ramp_timer is not None:
        ramp_timer.cancel()
    if cancelled is not None:
        raise cancelled
    if failures:
        first = next(iter(failures))  # the first to fail (a dict keeps the order they came in)
        raise FanoutError(first, inputs[first - first_index], failures[first], failures, stopping, results)
    return results
