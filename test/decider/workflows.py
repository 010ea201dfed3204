"""Workflows and activities the decider tests run (shared by several test modules)."""

from __future__ import annotations

import logging
from typing import Any

from awsflow import logging_filters, workflow_time
from awsflow.core import CancelledError, coroutine
from awsflow.decorators import activities, activity, execute, retry_activity, signal
from awsflow.exceptions import ActivityTaskFailedError, ActivityTaskTimedOutError
from awsflow.options import activity_options
from awsflow.workflow_definition import WorkflowDefinition


class ShippingError(Exception):
    def __init__(self, message: str, parcel: int) -> None:
        super().__init__(message)
        self.parcel = parcel


@activities(schedule_to_start_timeout=60, start_to_close_timeout=60)
class Steps:
    attempts = 0

    @activity("1.0")
    def double(self, x: int) -> int:
        return 2 * x

    @activity("1.0")
    def ship(self, parcel: int) -> str:
        raise ShippingError("truck broke down", parcel)

    @activity("1.0")
    def flaky(self) -> str:
        Steps.attempts += 1
        if Steps.attempts < 3:
            raise OSError(f"attempt {Steps.attempts}")
        return f"ok after {Steps.attempts}"

    @activity("1.0", start_to_close_timeout=5)
    def slow(self) -> str:
        return "late"


class Doubling(WorkflowDefinition):
    @execute(version="1.0", execution_start_to_close_timeout=3600)
    def run(self, x: int) -> Any:
        self.workflow_state = "doubling"
        once = yield Steps.double(x)
        twice = yield Steps.double(once)
        self.workflow_state = "done"
        return twice


class FanOut(WorkflowDefinition):
    @execute(version="1.0", execution_start_to_close_timeout=3600)
    def run(self, n: int) -> Any:
        results = yield [Steps.double(i) for i in range(n)]
        return sum(results)


class Shipping(WorkflowDefinition):
    @execute(version="1.0", execution_start_to_close_timeout=3600)
    def run(self) -> Any:
        try:
            yield Steps.ship(7)
        except ActivityTaskFailedError as error:
            return [type(error.cause).__name__, error.cause.parcel, str(error.cause)]


class Unhandled(WorkflowDefinition):
    @execute(version="1.0", execution_start_to_close_timeout=3600)
    def run(self) -> Any:
        yield Steps.double(1)
        raise KeyError("no such order")


class Sleeper(WorkflowDefinition):
    @execute(version="1.0", execution_start_to_close_timeout=7200)
    def run(self) -> Any:
        before = workflow_time.time()
        yield workflow_time.sleep(3600)
        return workflow_time.time() - before


class TimesOut(WorkflowDefinition):
    @execute(version="1.0", execution_start_to_close_timeout=3600)
    def run(self) -> Any:
        try:
            yield Steps.slow()
        except ActivityTaskTimedOutError as error:
            return error.timeout_type


class Retried(WorkflowDefinition):
    @execute(version="1.0", execution_start_to_close_timeout=3600)
    def run(self) -> Any:
        return (yield RetriedSteps.flaky())


@activities(schedule_to_start_timeout=60, start_to_close_timeout=60)
class RetriedSteps:
    @retry_activity(stop_max_attempt_number=5, wait_fixed=10)
    @activity("1.0", name="Steps.flaky")
    def flaky(self) -> str:
        raise NotImplementedError  # runs as Steps.flaky


class Signalled(WorkflowDefinition):
    @execute(version="1.0", execution_start_to_close_timeout=3600)
    def run(self) -> Any:
        self.received: list[str] = []
        while len(self.received) < 2:
            yield workflow_time.sleep(60)
        return self.received

    @signal()
    def add(self, item: str) -> None:
        self.received.append(item)


class Cancellable(WorkflowDefinition):
    cleaned_up = False

    @execute(version="1.0", execution_start_to_close_timeout=3600)
    def run(self) -> Any:
        yield workflow_time.sleep(600)
        return "not cancelled"

    @coroutine
    def cancellation_handler(self) -> Any:
        Cancellable.cleaned_up = True
        return None


class CatchesCancel(WorkflowDefinition):
    @execute(version="1.0", execution_start_to_close_timeout=3600)
    def run(self) -> Any:
        timer = workflow_time.sleep(600)
        timer.cancel()
        try:
            yield timer
        except CancelledError:
            return "timer cancelled"


class Child(WorkflowDefinition):
    @execute(version="1.0", execution_start_to_close_timeout=600)
    def run(self, x: int) -> Any:
        if x < 0:
            raise ValueError("negative")
        return (yield Steps.double(x))


class Parent(WorkflowDefinition):
    @execute(version="1.0", execution_start_to_close_timeout=3600)
    def run(self, x: int) -> Any:
        child = yield Child.run(x)
        try:
            result = yield child.workflow_result
        except Exception as error:  # the child's failure, as ChildWorkflowFailedError
            return [type(error).__name__, type(error.cause).__name__]
        return [result, child.workflow_execution.workflow_id]


class Counter(WorkflowDefinition):
    @execute(version="1.0", execution_start_to_close_timeout=3600)
    def run(self, n: int) -> Any:
        yield Steps.double(n)
        if n < 3:
            self.run(n + 1)  # continue as new
        return n


class WithOptions(WorkflowDefinition):
    @execute(version="1.0", execution_start_to_close_timeout=3600)
    def run(self) -> Any:
        outer = activity_options(start_to_close_timeout=99, task_priority=5)
        with outer, activity_options(schedule_to_start_timeout=42):  # nested: inner adds to outer
            yield Steps.double(1)
        yield Steps.double(2)
        return None


log = logging_filters.workflow_logger("test.workflow")
plain = logging.getLogger("test.plain")


class Chatty(WorkflowDefinition):
    @execute(version="1.0", execution_start_to_close_timeout=3600)
    def run(self) -> Any:
        for step in range(3):
            log.info("workflow step %d", step)
            plain.info("plain step %d", step)
            yield Steps.double(step)
        return None


class Listener(WorkflowDefinition):
    @execute(version="1.0", execution_start_to_close_timeout=3600)
    def run(self) -> Any:
        self.heard: list[str] = []
        yield workflow_time.sleep(600)
        return self.heard

    @signal()
    def hear(self, word: str) -> None:
        self.heard.append(word)


class Talker(WorkflowDefinition):
    @execute(version="1.0", execution_start_to_close_timeout=3600)
    def run(self) -> Any:
        listener = yield Listener.run()
        yield listener.hear("hello")  # SignalExternalWorkflowExecution, waits for its delivery
        return (yield listener.workflow_result)


class Impatient(WorkflowDefinition):
    @execute(version="1.0", execution_start_to_close_timeout=3600)
    def run(self) -> Any:
        listener = yield Listener.run()
        yield listener.cancel()  # RequestCancelExternalWorkflowExecution to the child
        try:
            yield listener.workflow_result
        except CancelledError as error:
            return type(error).__name__
