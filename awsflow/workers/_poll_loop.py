"""The one guarded poll loop every poller thread runs (workflow workers, activity workers, executors).

A round waits for room (an activity runner may be full), polls once and hands on what came; a
poll that raises is reported and followed by a backoff that grows with the failures in a row
and resets on the first success. The backoff waits on the worker's ``stopping`` event, so
``stop()`` ends it at once, and a poll aborted by ``stop()`` (:class:`PollAborted`) ends the
loop.

The first round always runs, even when ``stopping`` is already set: a thread counts as ready
once it has committed to its first poll, and ``stop(finish_committed_polls=True)`` right after
``start()`` must still send that poll and handle its task (botoflow's executors did).
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from ._transport import PollAborted


def _always() -> bool:
    return True


def _nothing() -> None:
    return None


def poll_until_stopped(
    poll: Callable[[], object],
    stopping: threading.Event,
    *,
    on_failure: Callable[[Exception], None],
    backoff: Callable[[Exception, int], float],
    room: Callable[[], bool] = _always,
    ready: Callable[[], None] = _nothing,
) -> None:
    """Run rounds of ``poll`` until ``stopping`` is set (after the first round) or a poll is aborted.

    Args:
        poll: one poll and whatever follows it (running the task, or handing it to a runner).
        stopping: the worker's stop event; the backoff waits on it.
        on_failure: counts and logs a poll that raised (not called once stopping).
        backoff: seconds to wait after the ``n``-th failure in a row with this error.
        room: blocks until the next poll may be sent; False to end the loop (stopped while full).
        ready: called once, as the thread commits to its first poll.
    """
    ready()
    failures = 0
    while room():
        try:
            poll()
            failures = 0
        except PollAborted:
            return
        except Exception as error:
            if stopping.is_set():
                return
            failures += 1
            on_failure(error)
            stopping.wait(backoff(error, failures))
        if stopping.is_set():
            return
