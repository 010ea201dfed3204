"""Holding off Python's cyclic garbage collector while a decision task is decided.

A cold decision task brings the run's whole history: at 6,000 events, some 45,000 dicts, lists
and strings, all decoded at once, all dead when the task is answered. Reference counting frees
them; but while they live, every allocation the replay makes counts toward the collector's
thresholds, and each collection it triggers walks the young history again — then again as it
ages into the older generations, and now and then in a full collection of the whole process. On
the N=1000 benchmark (``bench/replay.py``) that walking was 10-20 % of a cold decision's CPU.

So a workflow worker decides a task (the history's later pages, the replay) with the collector
off and turns it back on once the history is dropped, before the answer is sent. Only cyclic
garbage made in the meantime waits, for the few milliseconds (a large history: the tens of
milliseconds) a task takes. Neither the long poll nor the answer is inside: a worker waiting for
work, or for SWF to take an answer (retried with backoff for minutes while SWF throttles or is
down), never holds the collector off.

Threads: the pause that turned the collector off turns it back on, whatever others still run;
a pause that found it off (another task's pause, or the user's own ``gc.disable()``) leaves it
as it is. So overlapping tasks can only shorten one another's pause, never make it last, and a
process that runs with the collector off keeps it off.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["Pause", "collector_paused"]


class Pause:
    """A pause of the collector, which :meth:`end` may end before its ``with`` block does."""

    def __init__(self) -> None:
        self._resume = gc.isenabled()  # this pause turns the collector off: it turns it back on
        if self._resume:
            gc.disable()

    def end(self) -> None:
        """Turn the collector back on now, if this pause turned it off (once: later calls and the
        block's end do nothing more)."""
        if self._resume:
            self._resume = False
            gc.enable()


@contextmanager
def collector_paused() -> Iterator[Pause]:
    """The cyclic collector off for the ``with`` block, if it was on (see the module docstring)."""
    pause = Pause()
    try:
        yield pause
    finally:
        pause.end()
