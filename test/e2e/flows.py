"""Workflows and activities of the end-to-end tests (a module, so processes can import them)."""

from __future__ import annotations

import threading
from typing import Any

from awsflow import (
    Future,
    WorkflowDefinition,
    activities,
    activity,
    activity_options,
    execute,
    get_context,
    manual_activity,
    retry_activity,
    signal,
    workflow_options,
    workflow_time,
)
from awsflow.constants import CHILD_ABANDON, CHILD_REQUEST_CANCEL, CHILD_TERMINATE
from awsflow.core import CancelledError
from awsflow.exceptions import ActivityTaskFailedError, ActivityTaskTimedOutError
from awsflow.workflow_execution import WorkflowExecution


class PaymentDeclined(Exception):
    pass


# Activities a test can hold open: each name maps to an Event the activity waits on.
gates: dict[str, threading.Event] = {}
started: dict[str, threading.Event] = {}


def gate(name: str) -> threading.Event:
    gates.setdefault(name, threading.Event())
    started.setdefault(name, threading.Event())
    return gates[name]


@activities(schedule_to_start_timeout=60, start_to_close_timeout=60)
class Shop:
    @activity("1.0")
    def price(self, item: str, quantity: int = 1) -> float:
        return {"apple": 0.5, "pear": 0.75}[item] * quantity

    @activity("1.0")
    def charge(self, amount: float) -> str:
        if amount > 100:
            raise PaymentDeclined(f"{amount} is over the limit")
        return f"receipt for {amount}"

    @activity("1.0")
    def who_am_i(self) -> list[str]:
        context = get_context()
        return [context.task.id, get_context().workflow_execution.workflow_id]

    @activity("1.0", start_to_close_timeout=30, heartbeat_timeout=10, auto_heartbeat=False)
    def wait_at_gate(self, name: str) -> str:
        started[name].set()
        gate(name).wait(30)
        return f"{name} passed"

    @activity("1.0", start_to_close_timeout=30)
    def hold(self, name: str) -> str:
        started[name].set()
        gate(name).wait(30)
        return f"{name} released"

    @activity("1.0", start_to_close_timeout=300, heartbeat_timeout=100)
    def heartbeat_until_cancelled(self, name: str) -> str:
        started[name].set()
        while not gate(name).wait(0.01):
            get_context().heartbeat("working")  # raises CancellationError once cancel is requested
        return "never cancelled"

    @activity("1.0")
    def signal_back(self, workflow_id: str, run_id: str, value: str) -> None:
        Signals(WorkflowExecution(workflow_id, run_id)).deliver(value)


class Purchase(WorkflowDefinition):
    @execute(version="1.0", execution_start_to_close_timeout=600)
    def buy(self, item: str, quantity: int) -> Any:
        amount = yield Shop.price(item, quantity=quantity)
        try:
            return (yield Shop.charge(amount))
        except ActivityTaskFailedError as error:
            raise error.cause from None


class Identify(WorkflowDefinition):
    @execute(version="1.0", execution_start_to_close_timeout=600)
    def run(self) -> Any:
        return (yield [Shop.who_am_i() for _ in range(6)])


class Gated(WorkflowDefinition):
    @execute(version="1.0", execution_start_to_close_timeout=3600)
    def run(self, name: str, heartbeats: bool) -> Any:
        try:
            if heartbeats:
                return (yield Shop.wait_at_gate(name))
            return (yield Shop.hold(name))
        except ActivityTaskTimedOutError as error:
            return f"timed out: {error.timeout_type}"


class Unassigned(WorkflowDefinition):
    @execute(version="1.0", execution_start_to_close_timeout=3600)
    def run(self, schedule_to_close: int | None) -> Any:
        try:
            with activity_options(task_list="nobody-polls-this", schedule_to_close_timeout=schedule_to_close):
                yield Shop.price("apple")
        except ActivityTaskTimedOutError as error:
            return error.timeout_type


class Napping(WorkflowDefinition):
    @execute(version="1.0", execution_start_to_close_timeout=7 * 86_400)
    def run(self, hours: int) -> Any:
        start = workflow_time.time()
        yield workflow_time.sleep(hours * 3600)
        return workflow_time.time() - start


class Signals(WorkflowDefinition):
    @execute(version="1.0", execution_start_to_close_timeout=3600)
    def run(self, expected: int) -> Any:
        self.values: list[str] = []
        self.expected = expected
        self.enough = Future()
        yield self.enough
        return self.values

    @signal()
    def deliver(self, value: str) -> None:
        self.values.append(value)
        if len(self.values) >= self.expected:
            self.enough.set_result(None)


class SignalsItself(WorkflowDefinition):
    @execute(version="1.0", execution_start_to_close_timeout=3600)
    def run(self) -> Any:
        target = yield Signals.run(1)
        execution = self.workflow_execution
        yield Shop.signal_back(
            target.workflow_execution.workflow_id, target.workflow_execution.run_id, "from an activity"
        )
        assert execution is not None
        return (yield target.workflow_result)


class CancelMe(WorkflowDefinition):
    @execute(version="1.0", execution_start_to_close_timeout=3600)
    def run(self, name: str) -> Any:
        return (yield Shop.heartbeat_until_cancelled(name))


class CancelsItsActivity(WorkflowDefinition):
    @execute(version="1.0", execution_start_to_close_timeout=3600)
    def run(self, name: str) -> Any:
        work = Shop.heartbeat_until_cancelled(name)
        yield workflow_time.sleep(5)
        work.cancel()
        try:
            yield work
        except CancelledError as error:
            return f"cancelled: {type(error).__name__}"


class Child(WorkflowDefinition):
    @execute(version="1.0", execution_start_to_close_timeout=7200)
    def run(self, hours: int) -> Any:
        yield workflow_time.sleep(hours * 3600)
        return hours


class ParentWithPolicy(WorkflowDefinition):
    @execute(version="1.0", execution_start_to_close_timeout=7200)
    def run(self, policy: str) -> Any:
        with workflow_options(workflow_id=f"child-{policy}"):
            child = yield Child.run(1)
        return (yield child.workflow_result)


CHILD_POLICIES = (CHILD_TERMINATE, CHILD_REQUEST_CANCEL, CHILD_ABANDON)


class Countdown(WorkflowDefinition):
    @execute(version="1.0", execution_start_to_close_timeout=3600)
    def run(self, n: int) -> Any:
        yield Shop.price("apple")
        if n > 0:
            self.run(n - 1)
            return None
        return "lift-off"


@activities(schedule_to_start_timeout=60, start_to_close_timeout=5)
class Unreliable:
    calls = 0

    @retry_activity(
        stop_max_attempt_number=3,
        wait_fixed=1,
        retry_on_exception=lambda e: isinstance(e, ActivityTaskTimedOutError),
    )
    @activity("1.0")
    def once_lost(self) -> str:
        return "done"


class RetriesLostTask(WorkflowDefinition):
    @execute(version="1.0", execution_start_to_close_timeout=3600)
    def run(self) -> Any:
        return (yield Unreliable.once_lost())


class Prioritised(WorkflowDefinition):
    @execute(version="1.0", execution_start_to_close_timeout=600)
    def run(self) -> Any:
        with activity_options(task_priority=7):
            yield Shop.price("pear")
        return None


class Versioned(WorkflowDefinition):
    @execute(version="1.0", execution_start_to_close_timeout=3600)
    def run(self) -> Any:
        first = yield Shop.price("apple")
        yield workflow_time.sleep(60)
        second = yield Shop.price("pear")
        return first + second


@activities(schedule_to_start_timeout=60, start_to_close_timeout=600)
class Approvals:
    tokens: dict[str, str] = {}  # workflow id -> task token

    @manual_activity("1.0")
    def approve(self, amount: float) -> None:
        context = get_context()  # a person will answer it later, by its token
        Approvals.tokens[context.workflow_execution.workflow_id] = context.task.token


class NeedsApproval(WorkflowDefinition):
    @execute(version="1.0", execution_start_to_close_timeout=3600)
    def run(self, amount: float) -> Any:
        try:
            return (yield Approvals.approve(amount))
        except ActivityTaskFailedError as error:
            return f"rejected: {error.cause}"


class TooBig(WorkflowDefinition):
    @execute(version="1.0", execution_start_to_close_timeout=3600)
    def run(self) -> Any:
        try:
            yield Shop.charge("x" * 40_000)
        except ValueError as error:
            return str(error)


class Crowd(WorkflowDefinition):
    @execute(version="1.0", execution_start_to_close_timeout=3600)
    def run(self, n: int) -> Any:
        prices = yield [Shop.price("apple", quantity=i) for i in range(n)]
        return sum(prices)


class CrowdThenNap(WorkflowDefinition):
    @execute(version="1.0", execution_start_to_close_timeout=3600)
    def run(self, n: int) -> Any:
        prices = yield [Shop.price("apple", quantity=i) for i in range(n)]
        yield workflow_time.sleep(60)
        return sum(prices)
