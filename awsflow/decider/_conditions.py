"""Waiting for a condition on the workflow's own state (``awsflow.wait_condition``).

A predicate can only change when workflow code runs, and workflow code runs only when the replay
delivers an event. So the replay re-checks the open conditions after each event's code has run,
in the order they were made — the same points on every replay, which keeps it deterministic.
A timeout is an SWF timer, so it survives worker restarts like any other wait.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..core import CancelledError, Future

__all__ = ["Condition", "ConditionWaits"]


class Condition:
    """One ``wait_condition`` call: its predicate, its Future, its timer (if it has a timeout)."""

    __slots__ = ("future", "predicate", "timer", "waits")

    def __init__(self, waits: ConditionWaits, predicate: Callable[[], Any]) -> None:
        self.waits = waits
        self.predicate = predicate
        self.future = Future(self.cancel)
        self.timer: Future | None = None

    def met(self) -> bool:
        """Check the predicate; resolve the Future if it holds (or raised)."""
        try:
            holds = bool(self.predicate())
        except Exception as error:  # the code waiting on it sees the predicate's failure
            self._finish()
            self.future.set_exception(error)
            return True
        if holds:
            self._finish()
            self.future.set_result(True)
        return holds

    def timed_out(self, timer: Future) -> None:
        if timer.cancelled() or self.future.done():
            return
        self.waits.open.remove(self)
        self.future.set_result(False)

    def cancel(self) -> bool:
        if self.future.done():
            return self.future.cancelled()
        self._finish()
        self.future.set_cancelled(CancelledError("wait_condition was cancelled"))
        return True

    def _finish(self) -> None:
        if self in self.waits.open:
            self.waits.open.remove(self)
        timer, self.timer = self.timer, None
        if timer is not None and not timer.done():
            timer.cancel()  # CancelTimer, or the StartTimer withdrawn if not yet sent


class ConditionWaits:
    """The open conditions of one execution, re-checked by the replay after each event."""

    def __init__(self) -> None:
        self.open: list[Condition] = []

    def add(
        self, predicate: Callable[[], Any], start_timer: Callable[[float], Future], timeout: float | None
    ) -> Future:
        condition = Condition(self, predicate)
        if condition.met():
            return condition.future
        self.open.append(condition)
        if timeout is not None:
            condition.timer = start_timer(timeout)
            condition.timer.add_done_callback(condition.timed_out)  # type: ignore[arg-type]
        return condition.future

    def settle(self, run_tasks: Callable[[], None]) -> None:
        """Resolve the conditions that hold, run the code they wake, and repeat until none do."""
        while self.open:
            woken = [condition for condition in list(self.open) if condition.met()]
            if not woken:
                return
            run_tasks()
