"""``async def`` twins of the generator workflows in workflows.py, under the same type names.

Each makes the same calls in the same order as its twin, so the two must write the same
history: that is what "async workflows run on the same deterministic scheduler" means.
"""

from __future__ import annotations

from typing import Any

from workflows import Child, Listener, Steps

from awsflow import workflow_time
from awsflow.core import AllFuture, CancelledError, coroutine
from awsflow.decorators import execute, signal, workflow
from awsflow.exceptions import ActivityTaskFailedError
from awsflow.workflow_definition import WorkflowDefinition


@workflow(name="Doubling")
class AsyncDoubling(WorkflowDefinition):
    @execute(version="1.0", execution_start_to_close_timeout=3600)
    async def run(self, x: int) -> Any:
        self.workflow_state = "doubling"
        once = await Steps.double(x)
        twice = await Steps.double(once)
        self.workflow_state = "done"
        return twice


@workflow(name="FanOut")
class AsyncFanOut(WorkflowDefinition):
    @execute(version="1.0", execution_start_to_close_timeout=3600)
    async def run(self, n: int) -> Any:
        results = await AllFuture(*[Steps.double(i) for i in range(n)])
        return sum(results)


@workflow(name="Shipping")
class AsyncShipping(WorkflowDefinition):
    @execute(version="1.0", execution_start_to_close_timeout=3600)
    async def run(self) -> Any:
        try:
            await Steps.ship(7)
        except ActivityTaskFailedError as error:
            return [type(error.cause).__name__, error.cause.parcel, str(error.cause)]
        return None


@workflow(name="Unhandled")
class AsyncUnhandled(WorkflowDefinition):
    @execute(version="1.0", execution_start_to_close_timeout=3600)
    async def run(self) -> Any:
        await Steps.double(1)
        raise KeyError("no such order")


@workflow(name="Sleeper")
class AsyncSleeper(WorkflowDefinition):
    @execute(version="1.0", execution_start_to_close_timeout=7200)
    async def run(self) -> Any:
        before = workflow_time.time()
        await workflow_time.sleep(3600)
        return workflow_time.time() - before


async def _wait_for_two(received: list[str]) -> None:
    """A plain ``async def`` helper awaited inline: it runs in the caller's task."""
    while len(received) < 2:
        await workflow_time.sleep(60)


@workflow(name="Signalled")
class AsyncSignalled(WorkflowDefinition):
    @execute(version="1.0", execution_start_to_close_timeout=3600)
    async def run(self) -> Any:
        self.received: list[str] = []
        await _wait_for_two(self.received)
        return self.received

    @signal()
    async def add(self, item: str) -> None:
        self.received.append(item)


@workflow(name="Cancellable")
class AsyncCancellable(WorkflowDefinition):
    cleaned_up = False

    @execute(version="1.0", execution_start_to_close_timeout=3600)
    async def run(self) -> Any:
        await workflow_time.sleep(600)
        return "not cancelled"

    @coroutine
    async def cancellation_handler(self) -> Any:
        AsyncCancellable.cleaned_up = True
        return None


@workflow(name="CatchesCancel")
class AsyncCatchesCancel(WorkflowDefinition):
    @execute(version="1.0", execution_start_to_close_timeout=3600)
    async def run(self) -> Any:
        timer = workflow_time.sleep(600)
        timer.cancel()
        try:
            await timer
        except CancelledError:
            return "timer cancelled"
        return None


@workflow(name="Parent")
class AsyncParent(WorkflowDefinition):
    @execute(version="1.0", execution_start_to_close_timeout=3600)
    async def run(self, x: int) -> Any:
        child = await Child.run(x)
        try:
            result = await child.workflow_result
        except Exception as error:  # the child's failure, as ChildWorkflowFailedError
            return [type(error).__name__, type(error.cause).__name__]  # type: ignore[attr-defined]
        return [result, child.workflow_execution.workflow_id]


@workflow(name="Counter")
class AsyncCounter(WorkflowDefinition):
    @execute(version="1.0", execution_start_to_close_timeout=3600)
    async def run(self, n: int) -> Any:
        await Steps.double(n)
        if n < 3:
            self.run(n + 1)  # continue as new
        return n


@workflow(name="Talker")
class AsyncTalker(WorkflowDefinition):
    @execute(version="1.0", execution_start_to_close_timeout=3600)
    async def run(self) -> Any:
        listener = await Listener.run()
        await listener.hear("hello")
        return await listener.workflow_result


@workflow(name="Impatient")
class AsyncImpatient(WorkflowDefinition):
    @execute(version="1.0", execution_start_to_close_timeout=3600)
    async def run(self) -> Any:
        listener = await Listener.run()
        await listener.cancel()
        try:
            await listener.workflow_result
        except CancelledError as error:
            return type(error).__name__
        return None


@workflow(name="Parallel")
class AsyncParallel(WorkflowDefinition):
    """Coroutines started with ``@coroutine`` run as tasks of their own, awaited later."""

    @execute(version="1.0", execution_start_to_close_timeout=3600)
    async def run(self) -> Any:
        first, second = self.twice(1), self.twice(10)
        return [await first, await second]

    @coroutine
    async def twice(self, x: int) -> Any:
        return await Steps.double(await Steps.double(x))
