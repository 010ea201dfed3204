"""``async def`` workflows: the same scheduler, the same histories, the same replay checks.

Each async workflow in async_workflows.py is a twin of a generator workflow, under the same
type name; run in engines seeded alike, the two must write identical histories.
"""

from __future__ import annotations

import asyncio
from typing import Any

import async_workflows as aw
import pytest
import workflows as gw
from harness import DOMAIN, Harness

from awsflow import workflow_time
from awsflow.core import AllFuture, AsyncEventLoop, Future, coroutine
from awsflow.data_converter import JSONDataConverter
from awsflow.decider import ExecutionReplay
from awsflow.decorators import execute, workflow
from awsflow.exceptions import AsyncioInWorkflowError, NondeterminismError
from awsflow.workflow_definition import WorkflowDefinition
from awsflow.workflow_execution import WorkflowExecution

CONVERTER = JSONDataConverter()


@workflow(name="Parallel")
class GeneratorParallel(WorkflowDefinition):
    @execute(version="1.0", execution_start_to_close_timeout=3600)
    def run(self) -> Any:
        first, second = self.twice(1), self.twice(10)
        return [(yield first), (yield second)]

    @coroutine
    def twice(self, x: int) -> Any:
        return (yield gw.Steps.double((yield gw.Steps.double(x))))


def comparable(history: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The history without failure details: they hold tracebacks, whose files and lines differ."""
    out = []
    for event in history:
        event = dict(event)
        for key, value in list(event.items()):
            if isinstance(value, dict) and "details" in value:
                event[key] = {k: v for k, v in value.items() if k != "details"}
        out.append(event)
    return out


def run_both(generator: type, twin: type, *args: Any, others: tuple[type, ...] = (), signals: int = 0) -> Any:
    histories = []
    for definition in (generator, twin):
        gw.Steps.attempts = 0
        h = Harness((definition, *others), (gw.Steps(),))
        run = h.start(definition, "run", *args)
        if signals:
            h.decide_once()
            for item in ("a", "b")[:signals]:
                request = {"domain": DOMAIN, **run, "signalName": "add"}
                h.call("SignalWorkflowExecution", {**request, "input": CONVERTER.dumps([(item,), {}])})
        h.run()
        assert all(record.error is None for record in h.records), [r.error for r in h.records]
        histories.append((h, run, h.history(run)))
    (_, _, expected), (h, run, actual) = histories
    assert comparable(actual) == comparable(expected)
    return h, run, actual


def result_of(history: list[dict[str, Any]]) -> Any:
    close = history[-1]
    assert close["eventType"] == "WorkflowExecutionCompleted", close
    return CONVERTER.loads(close["workflowExecutionCompletedEventAttributes"]["result"])


@pytest.mark.parametrize(
    ("generator", "twin", "args", "expected"),
    [
        (gw.Doubling, aw.AsyncDoubling, (5,), 20),
        (gw.FanOut, aw.AsyncFanOut, (4,), 12),
        (gw.Shipping, aw.AsyncShipping, (), ["ShippingError", 7, "truck broke down"]),
        (gw.Sleeper, aw.AsyncSleeper, (), 3600),
        (gw.CatchesCancel, aw.AsyncCatchesCancel, (), "timer cancelled"),
        (GeneratorParallel, aw.AsyncParallel, (), [4, 40]),
    ],
    ids=lambda value: getattr(value, "__name__", None) if isinstance(value, type) else None,
)
def test_an_async_workflow_writes_its_generator_twins_history(
    generator: type, twin: type, args: tuple[Any, ...], expected: Any
) -> None:
    _, _, history = run_both(generator, twin, *args)
    assert result_of(history) == expected


def test_an_exception_raised_after_an_await_fails_the_workflow_with_its_frames() -> None:
    _, _, history = run_both(gw.Unhandled, aw.AsyncUnhandled)
    failed = history[-1]["workflowExecutionFailedEventAttributes"]
    assert failed["reason"] == "KeyError: 'no such order'"
    error, frames = CONVERTER.loads(failed["details"])
    assert isinstance(error, KeyError) and frames[-1][2] == "run"


def test_async_signal_handlers_and_inline_async_helpers_run_in_the_workflows_tasks() -> None:
    _, _, history = run_both(gw.Signalled, aw.AsyncSignalled, signals=2)
    assert result_of(history) == ["a", "b"]


def test_cancelling_an_async_workflow_runs_its_async_cancellation_handler() -> None:
    aw.AsyncCancellable.cleaned_up = False
    histories = []
    for definition in (gw.Cancellable, aw.AsyncCancellable):
        h = Harness((definition,), ())
        run = h.start(definition, "run")
        h.decide_once()
        h.call("RequestCancelWorkflowExecution", {"domain": DOMAIN, **run})
        h.run()
        histories.append(h.history(run))
    assert histories[0] == histories[1]
    assert histories[1][-1]["eventType"] == "WorkflowExecutionCanceled" and aw.AsyncCancellable.cleaned_up


@pytest.mark.parametrize(
    ("generator", "twin", "args", "expected"),
    [
        (gw.Parent, aw.AsyncParent, (21,), 42),
        (gw.Parent, aw.AsyncParent, (-1,), ["ChildWorkflowFailedError", "ValueError"]),
        (gw.Talker, aw.AsyncTalker, (), ["hello"]),
        (gw.Impatient, aw.AsyncImpatient, (), "ChildWorkflowCanceledError"),
    ],
    ids=["child", "failing-child", "signal-external", "cancel-external"],
)
def test_async_workflows_start_signal_and_cancel_other_executions(
    generator: type, twin: type, args: tuple[Any, ...], expected: Any
) -> None:
    _, _, history = run_both(generator, twin, *args, others=(gw.Child, gw.Listener))
    result = result_of(history)
    assert (result[0] if generator is gw.Parent and args == (21,) else result) == expected


def test_an_async_workflow_continues_as_new() -> None:
    h, _, history = run_both(gw.Counter, aw.AsyncCounter, 1)
    assert history[-1]["eventType"] == "WorkflowExecutionContinuedAsNew"
    closed = h.call("ListClosedWorkflowExecutions", {"domain": DOMAIN, "startTimeFilter": {"oldestDate": 0}})
    assert sorted(info["closeStatus"] for info in closed["executionInfos"]) == [
        "COMPLETED",
        "CONTINUED_AS_NEW",
        "CONTINUED_AS_NEW",
    ]


# -- replay guarantees ----------------------------------------------------------------------------
@workflow(name="Doubling")
class AsyncDoublingChanged(WorkflowDefinition):
    @execute(version="1.0", execution_start_to_close_timeout=3600)
    async def run(self, x: int) -> Any:
        once = await gw.Steps.double(x)
        return await gw.Steps.ship(once)


@workflow(name="Doubling")
class AsyncDoublingWaitsInstead(WorkflowDefinition):
    @execute(version="1.0", execution_start_to_close_timeout=3600)
    async def run(self, x: int) -> Any:
        await helper_that_waits()
        return x


async def helper_that_waits() -> None:
    await Future()  # never resolved: the code waits here


def replay_with(definition: type, history: list[dict[str, Any]], run: dict[str, str]) -> ExecutionReplay:
    replay = ExecutionReplay(
        lambda name, version: (definition, definition._workflow_type_by_func["run"], "run"),
        WorkflowExecution(run["workflowId"], run["runId"]),
        "tasks",
    )
    replay.apply(history)
    return replay


def test_an_async_history_replays_cold_and_in_chunks_to_no_new_decision() -> None:
    _, run, history = run_both(gw.FanOut, aw.AsyncFanOut, 5)
    execution = WorkflowExecution(run["workflowId"], run["runId"])
    lookup = lambda name, version: (aw.AsyncFanOut, aw.AsyncFanOut._workflow_type_by_func["run"], "run")  # noqa: E731
    assert ExecutionReplay(lookup, execution, "tasks").apply(history).decisions == []
    sticky = ExecutionReplay(lookup, execution, "tasks")
    for cut in (i + 1 for i, e in enumerate(history) if e["eventType"] == "DecisionTaskStarted"):
        cold = ExecutionReplay(lookup, execution, "tasks").apply(history[:cut]).decisions
        assert sticky.apply(history[:cut]).decisions == cold


def test_changed_async_code_is_reported_as_nondeterminism_naming_the_new_call() -> None:
    _, run, history = run_both(gw.Doubling, aw.AsyncDoubling, 5)
    with pytest.raises(NondeterminismError) as info:
        replay_with(AsyncDoublingChanged, history, run)
    assert "Steps.double 1.0 (id '2')" in str(info.value) and "Steps.ship 1.0 (id '2')" in str(info.value)
    assert "test_async_workflows.py:" in str(info.value)


def test_a_divergence_while_async_code_waits_names_the_innermost_awaiting_line() -> None:
    _, run, history = run_both(gw.Doubling, aw.AsyncDoubling, 5)
    line = helper_that_waits.__code__.co_firstlineno + 1
    with pytest.raises(NondeterminismError, match=rf"the code waits at .*test_async_workflows\.py:{line}\)"):
        replay_with(AsyncDoublingWaitsInstead, history, run)


# -- mistakes get clear errors --------------------------------------------------------------------
def run_on_loop(body: Any) -> Future:
    loop = AsyncEventLoop()
    with loop:
        future: Future = coroutine(body)()
    loop.execute_all_tasks()
    return future


def test_awaiting_an_asyncio_awaitable_fails_with_a_clear_error() -> None:
    async def body() -> None:
        await asyncio.sleep(0)

    future = run_on_loop(body)
    with pytest.raises(TypeError, match=r"asyncio's awaitables .* do not replay"):
        future.result()


def test_an_async_generator_body_fails_with_a_clear_error() -> None:
    async def body() -> Any:
        yield gw.Steps.double(1)

    with pytest.raises(TypeError, match=r"async generator: .* 'await' futures"):
        run_on_loop(body).result()


def test_an_async_body_that_never_awaits_returns_at_once() -> None:
    async def body() -> int:
        return 7

    assert run_on_loop(body).result() == 7


# -- asyncio's own primitives ---------------------------------------------------------------------
class UsesAsyncio(WorkflowDefinition):
    """Calls one asyncio primitive (by name) where an awsflow equivalent belongs."""

    @execute(version="1.0", execution_start_to_close_timeout=3600)
    async def run(self, primitive: str) -> Any:
        if primitive == "gather":
            return await asyncio.gather(gw.Steps.double(1), gw.Steps.double(2))
        if primitive == "sleep":
            await asyncio.sleep(5)
        elif primitive == "wait_for":
            await asyncio.wait_for(gw.Steps.double(1), timeout=5)
        elif primitive == "create_task":
            asyncio.get_event_loop().create_task(helper_that_waits())
        elif primitive == "event":
            await asyncio.Event().wait()
        return None


class CatchesAsyncioMisuse(WorkflowDefinition):
    """The error is raised at the call: the code can catch it and carry on, deterministically."""

    @execute(version="1.0", execution_start_to_close_timeout=3600)
    async def run(self) -> Any:
        try:
            await asyncio.sleep(60)
        except AsyncioInWorkflowError:
            await workflow_time.sleep(60)
        return await AllFuture(gw.Steps.double(1), gw.Steps.double(2))


@pytest.mark.parametrize(
    ("primitive", "named", "instead"),
    [
        ("gather", "asyncio.gather", "AllFuture"),
        ("sleep", "asyncio.sleep", "workflow_time.sleep"),
        ("wait_for", "asyncio.wait_for", "AnyFuture(future, workflow_time.sleep(seconds))"),
        ("create_task", "asyncio's event loop (create_task)", "@coroutine"),
        ("event", "asyncio.Event.wait", "wait_condition(predicate)"),
    ],
)
def test_asyncio_primitives_fail_at_the_call_naming_the_awsflow_equivalent(
    primitive: str, named: str, instead: str
) -> None:
    h = Harness((UsesAsyncio,), (gw.Steps(),))
    run = h.start(UsesAsyncio, "run", primitive)
    h.run()
    failed = h.close_event(run)["workflowExecutionFailedEventAttributes"]
    error, frames = CONVERTER.loads(failed["details"])
    assert isinstance(error, AsyncioInWorkflowError) and isinstance(error, RuntimeError)
    assert str(error).startswith(f"{named} cannot run in workflow code")
    assert instead in str(error)
    assert any(frame[2] == "run" for frame in frames)  # raised at the workflow's own line
    assert all(record.error is None for record in h.records)  # no decision task failed


def test_a_caught_asyncio_error_leaves_the_workflow_deterministic_and_the_thread_loop_untouched() -> None:
    h = Harness((CatchesAsyncioMisuse,), (gw.Steps(),))
    run = h.start(CatchesAsyncioMisuse, "run")
    h.run()
    assert list(result_of(h.history(run))) == [2, 4]
    execution = WorkflowExecution(run["workflowId"], run["runId"])
    lookup = lambda name, version: (  # noqa: E731
        CatchesAsyncioMisuse,
        CatchesAsyncioMisuse._workflow_type_by_func["run"],  # type: ignore[attr-defined]
        "run",
    )

    async def replay_inside_a_running_asyncio_loop() -> Any:
        loop = asyncio.get_running_loop()
        decisions = ExecutionReplay(lookup, execution, "tasks").apply(h.history(run)).decisions
        assert asyncio.get_running_loop() is loop  # the guard put the program's loop back
        return decisions

    assert asyncio.run(replay_inside_a_running_asyncio_loop()) == []
