"""Workflows for the WorkflowEnvironment tests: timers racing activities and signals."""

from __future__ import annotations

import threading
from typing import Any

from awsflow import (
    RetryPolicy,
    WorkflowDefinition,
    activities,
    activity,
    execute,
    get_context,
    retry_activity,
    signal,
    wait_condition,
    workflow_time,
)
from awsflow.core import AnyFuture

DAY = 86_400


@activities(schedule_to_start_timeout=60, start_to_close_timeout=300)
class RaceActivities:
    """``work`` takes ``delays[i]`` real seconds: wall time must not matter to the history."""

    delays: tuple[float, ...] = ()
    started = threading.Event()
    gate: threading.Event | None = None  # when set by a test, work waits for it

    @activity("1.0")
    def work(self, index: int) -> int:
        RaceActivities.started.set()
        if RaceActivities.gate is not None:
            RaceActivities.gate.wait(10)
        if index < len(RaceActivities.delays):
            threading.Event().wait(RaceActivities.delays[index])  # simulated work, not a wait for state
        return index * 10

    @activity("1.0", retry_policy=RetryPolicy(initial_interval=120, maximum_attempts=3))
    def flaky(self) -> int:
        attempt = get_context().attempt
        if attempt == 1:
            raise ConnectionError("first attempts fail")
        return attempt

    @activity("1.0", retry_policy=RetryPolicy(initial_interval=3600, maximum_attempts=2))
    def hourly(self) -> int:
        attempt: int = get_context().attempt
        if attempt == 1:
            raise ConnectionError("back in an hour")
        return attempt

    @activity("1.0")
    @retry_activity(stop_max_attempt_number=2, wait_fixed=30)
    def botoflow_retried(self) -> str:
        try:
            return f"attempt {get_context().attempt}"
        except LookupError as error:
            return type(error).__name__


class Race(WorkflowDefinition):
    """Activities race a timer, signals race timers, a retry's backoff races a signal."""

    @execute(version="1.0", execution_start_to_close_timeout=30 * DAY)
    def run(self) -> Any:
        self.signals: list[str] = []
        log: list[Any] = []
        timer = workflow_time.sleep(60)
        work = RaceActivities.work(0)
        yield AnyFuture(timer, work)
        log.append(("activity first", work.done(), timer.done(), workflow_time.time()))
        yield timer
        log.append(("timer", workflow_time.time()))
        got = yield wait_condition(lambda: len(self.signals) >= 1, timeout=3600)
        log.append(("signal before the hour", got, workflow_time.time()))
        got = yield wait_condition(lambda: len(self.signals) >= 2, timeout=600)
        log.append(("no second signal", got, workflow_time.time()))
        log.append(("retried", (yield RaceActivities.flaky()), workflow_time.time()))
        log.append(("signals", list(self.signals)))
        return log

    @signal()
    def poke(self, value: str) -> None:
        self.signals.append(value)


class Month(WorkflowDefinition):
    """The issue's case: a 30-day sleep, then an activity whose retry waits an hour."""

    @execute(version="1.0", execution_start_to_close_timeout=60 * DAY)
    def run(self) -> Any:
        yield workflow_time.sleep(30 * DAY)
        return (yield RaceActivities.hourly())


class Steps(WorkflowDefinition):
    """Alternates activities and timers of the given lengths; returns when each step ended."""

    @execute(version="1.0", execution_start_to_close_timeout=365 * DAY)
    def run(self, sleeps: list[int]) -> Any:
        ends = []
        for index, seconds in enumerate(sleeps):
            yield RaceActivities.work(index)
            if seconds:
                yield workflow_time.sleep(seconds)
            ends.append(workflow_time.time())
        return ends


class Forever(WorkflowDefinition):
    """Waits for a signal that never comes, until its own timeout."""

    @execute(version="1.0", execution_start_to_close_timeout=7 * DAY)
    def run(self) -> Any:
        self.done = False
        yield wait_condition(lambda: self.done)
        return "signalled"

    @signal()
    def finish(self) -> None:
        self.done = True


class Relay(WorkflowDefinition):
    """Continues as new ``hops`` times, sleeping a day each time."""

    @execute(version="1.0", execution_start_to_close_timeout=30 * DAY)
    def run(self, hops: int) -> Any:
        yield workflow_time.sleep(DAY)
        if hops > 0:
            self.run(hops - 1)
            return None
        return "arrived"


class Retried(WorkflowDefinition):
    @execute(version="1.0", execution_start_to_close_timeout=DAY)
    def run(self) -> Any:
        return (yield RaceActivities.botoflow_retried())


class Redeployed(WorkflowDefinition):
    """Sleeps a day, then a minute; ``Redeployed.broken`` stands for a bad deploy: code that
    replays the day's sleep as an activity (a NondeterminismError at the next decision task)."""

    broken = False

    @execute(version="1.0", execution_start_to_close_timeout=30 * DAY)
    def run(self) -> Any:
        if Redeployed.broken:
            yield RaceActivities.work(0)
        else:
            yield workflow_time.sleep(DAY)
        yield workflow_time.sleep(60)
        return "done"

    @signal()
    def poke(self) -> None:
        """Any signal brings a decision task."""
