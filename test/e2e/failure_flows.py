"""Workflows whose failures cross SWF: activity errors, timeouts, children, cancellations."""

from __future__ import annotations

import threading
from typing import Any

from awsflow import WorkflowDefinition, activities, activity, execute, get_context, workflow_time
from awsflow.core import CancellationError
from awsflow.exceptions import ActivityTaskCanceledError


class InsufficientFunds(Exception):
    """A user's exception with data of its own."""

    def __init__(self, account: str, missing: float) -> None:
        super().__init__(f"account {account} lacks {missing}")
        self.account = account
        self.missing = missing


class HoldsALock(Exception):
    """An exception the JSON converter cannot write (a lock among its attributes)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.lock = threading.Lock()


@activities(schedule_to_start_timeout=60, start_to_close_timeout=60)
class Bank:
    @activity("1.0")
    def withdraw(self, account: str, amount: float) -> str:
        if amount > 100:
            raise InsufficientFunds(account, amount - 100)
        return f"{amount} from {account}"

    @activity("1.0")
    def audit(self, account: str) -> str:
        raise HoldsALock(f"audit of {account} is locked")

    @activity("1.0", start_to_close_timeout=5)
    def slow(self) -> str:
        gate.wait(30)
        return "too late"

    @activity("1.0", heartbeat_timeout=30, auto_heartbeat=False)
    def watch(self, unencodable: bool) -> str:
        started.set()
        while not gate.wait(0.01):
            try:
                get_context().heartbeat()
            except CancellationError:
                if unencodable:
                    raise CancellationError("stopped watching", threading.Lock()) from None
                raise
        return "not cancelled"


gate = threading.Event()
started = threading.Event()


class Pay(WorkflowDefinition):
    @execute(version="1.0", execution_start_to_close_timeout=3600)
    def run(self, account: str, amount: float) -> Any:
        receipt = yield Bank.withdraw(account, amount)  # not caught: the workflow fails with it
        return receipt


class Audit(WorkflowDefinition):
    @execute(version="1.0", execution_start_to_close_timeout=3600)
    def run(self, account: str) -> Any:
        return (yield Bank.audit(account))


class Slow(WorkflowDefinition):
    @execute(version="1.0", execution_start_to_close_timeout=3600)
    def run(self) -> Any:
        return (yield Bank.slow())


class PayViaChild(WorkflowDefinition):
    @execute(version="1.0", execution_start_to_close_timeout=3600)
    def run(self, account: str, amount: float) -> Any:
        child = yield Pay.run(account, amount)
        return (yield child.workflow_result)


class Watch(WorkflowDefinition):
    """Cancels its activity and reports what the cancellation carried back."""

    @execute(version="1.0", execution_start_to_close_timeout=3600)
    def run(self, unencodable: bool) -> Any:
        watching = Bank.watch(unencodable)
        yield workflow_time.sleep(5)  # the test moves the clock once the activity runs
        watching.cancel()
        try:
            yield watching
        except ActivityTaskCanceledError as error:
            cause = error.cause
            return {
                "type": type(cause).__name__,
                "class_name": getattr(cause, "class_name", None),
                "message": str(cause),
                "remote": "".join(error.format_exc()),
            }
        return None
