"""The deterministic core: coroutines, futures, exceptions, cancellation, the task tree."""

from __future__ import annotations

import traceback
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from awsflow.core import (
    AllFuture,
    AnyFuture,
    AsyncEventLoop,
    BaseFuture,
    CancelledError,
    Future,
    Return,
    coroutine,
    daemon_coroutine,
    return_,
    task,
)


def run(main: Any, *args: Any) -> tuple[AsyncEventLoop, Future]:
    loop = AsyncEventLoop()
    with loop:
        future = main(*args)
    loop.execute_all_tasks()
    return loop, future


def settle(loop: AsyncEventLoop) -> None:
    loop.execute_all_tasks()


@coroutine
def double(x: int) -> int:
    return x * 2


def test_a_coroutine_returns_by_return_return_or_raise_return() -> None:
    @coroutine
    def plain() -> Any:
        value = yield double(1)
        return value

    @coroutine
    def with_return_() -> Any:
        value = yield double(2)
        return_(value)

    @coroutine
    def with_raise() -> Any:
        value = yield double(3)
        raise Return(value)

    assert [run(c)[1].result() for c in (plain, with_return_, with_raise)] == [2, 4, 6]


def test_yielding_a_list_waits_for_all_and_gives_results_in_order() -> None:
    @coroutine
    def main() -> Any:
        results = yield [double(n) for n in range(5)]
        return results

    assert run(main)[1].result() == (0, 2, 4, 6, 8)


def test_calling_a_coroutine_does_not_run_it_until_the_loop_runs() -> None:
    ran: list[str] = []

    @coroutine
    def body() -> None:
        ran.append("body")

    loop = AsyncEventLoop()
    with loop:
        future = body()
    assert ran == [] and not future.done()
    loop.execute_all_tasks()
    assert ran == ["body"] and future.result() is None


def test_a_coroutine_outside_a_loop_is_a_clear_error() -> None:
    with pytest.raises(RuntimeError, match="No event loop is running"):
        double(1)


def test_exceptions_propagate_through_every_yield_with_the_original_traceback() -> None:
    def deepest_helper() -> None:
        raise ValueError("boom")

    @coroutine
    def inner() -> Any:
        yield double(1)
        deepest_helper()

    @coroutine
    def middle() -> Any:
        yield inner()

    @coroutine
    def outer() -> Any:
        try:
            yield middle()
        except ValueError as error:
            return [frame.name for frame in traceback.extract_tb(error.__traceback__)]

    names = run(outer)[1].result()
    assert names[-1] == "deepest_helper"
    assert {"outer", "middle", "inner"} <= set(names)


def test_an_unhandled_exception_fails_the_future_and_result_reraises_it() -> None:
    @coroutine
    def fails() -> Any:
        yield double(1)
        raise KeyError("k")

    future = run(fails)[1]
    assert isinstance(future.exception(), KeyError)
    with pytest.raises(KeyError):
        future.result()


def test_yielding_something_that_is_not_a_future_raises_type_error_in_the_coroutine() -> None:
    @coroutine
    def main() -> Any:
        try:
            yield 42
        except TypeError as error:
            return str(error)

    assert "yielded 42" in run(main)[1].result()


def test_coroutines_resume_in_the_order_their_futures_resolve() -> None:
    order: list[str] = []
    leaves = {name: Future() for name in "abc"}

    @coroutine
    def waiter(name: str) -> Any:
        yield leaves[name]
        order.append(name)

    loop, _ = run(lambda: [waiter(n) for n in "abc"] and None)
    for name in "cab":
        leaves[name].set_result(None)
    settle(loop)
    assert order == ["c", "a", "b"]


def test_cancelling_a_waiting_coroutine_throws_cancelled_error_at_its_yield() -> None:
    leaf = Future()

    @coroutine
    def main() -> Any:
        try:
            yield leaf
        except CancelledError:
            return "handled"

    loop, future = run(main)
    assert future.cancel() is True
    settle(loop)
    assert future.result() == "handled" and leaf.cancelled()


def test_an_unhandled_cancellation_leaves_the_future_cancelled() -> None:
    @coroutine
    def main() -> Any:
        yield Future()

    loop, future = run(main)
    future.cancel()
    settle(loop)
    assert future.cancelled()
    with pytest.raises(CancelledError):
        future.result()


def test_a_leaf_with_a_canceller_stays_pending_until_its_work_is_canceled() -> None:
    requests: list[str] = []
    leaf = Future(lambda: requests.append("cancel requested"))

    @coroutine
    def main() -> Any:
        try:
            return (yield leaf)
        except CancelledError:
            return "canceled"

    loop, future = run(main)
    future.cancel()
    settle(loop)
    assert requests == ["cancel requested"] and not future.done()
    leaf.set_result("finished first")  # the work completed before the cancel reached it
    settle(loop)
    assert future.result() == "finished first"


def test_cancelling_a_parent_cancels_children_it_did_not_wait_on() -> None:
    seen: list[str] = []

    @coroutine
    def child() -> Any:
        try:
            yield Future()
        except CancelledError:
            seen.append("child cancelled")
            raise

    @coroutine
    def parent() -> Any:
        child()
        yield Future()

    loop, future = run(parent)
    future.cancel()
    settle(loop)
    assert seen == ["child cancelled"] and future.cancelled()


def test_a_parent_finishes_only_after_its_non_daemon_children() -> None:
    gate = Future()

    @coroutine
    def child() -> Any:
        yield gate

    @coroutine
    def parent() -> Any:
        child()
        return "parent body done"

    loop, future = run(parent)
    assert not future.done()
    gate.set_result(None)
    settle(loop)
    assert future.result() == "parent body done"


def test_daemon_children_do_not_hold_the_parent_and_are_cancelled_when_it_finishes() -> None:
    seen: list[str] = []

    @daemon_coroutine
    def heartbeat() -> Any:
        try:
            yield Future()
        except CancelledError:
            seen.append("daemon cancelled")
            raise

    @coroutine
    def parent() -> Any:
        heartbeat()
        yield double(1)  # lets the daemon start
        return "done"

    loop, future = run(parent)
    settle(loop)
    assert future.result() == "done" and seen == ["daemon cancelled"]


def test_an_unobserved_child_failure_fails_the_parent_with_that_error() -> None:
    @coroutine
    def child() -> Any:
        yield double(1)
        raise ZeroDivisionError("in the child")

    @coroutine
    def parent() -> Any:
        child()  # nobody waits on it
        yield Future()  # would wait forever; the child's failure cancels this

    future = run(parent)[1]
    assert isinstance(future.exception(), ZeroDivisionError)


def test_an_awaited_child_failure_goes_only_to_the_waiter() -> None:
    @coroutine
    def child() -> Any:
        yield double(1)
        raise ZeroDivisionError

    @coroutine
    def parent() -> Any:
        try:
            yield child()
        except ZeroDivisionError:
            return "caught"

    assert run(parent)[1].result() == "caught"


def test_task_do_except_handles_the_task_failure() -> None:
    handled: list[str] = []

    def on_error(error: BaseException) -> None:
        handled.append(type(error).__name__)

    @task
    def risky() -> None:
        raise OSError("disk")

    risky.do_except(on_error)

    @coroutine
    def parent() -> Any:
        risky()
        yield double(1)
        return "ok"

    assert run(parent)[1].result() == "ok" and handled == ["OSError"]


def test_any_future_takes_the_first_and_all_future_all() -> None:
    a, b = Future(), Future()
    anyf, allf = a | b, a & b
    assert isinstance(anyf, AnyFuture) and isinstance(allf, AllFuture)
    b.set_result("b")
    assert anyf.result() == "b" and not allf.done()
    a.set_result("a")
    assert allf.result() == ("a", "b")
    assert AllFuture().result() == () and AnyFuture().result() == ()


def test_all_future_fails_with_the_first_failure_and_handles_futures_done_already() -> None:
    done = BaseFuture.with_result(1)
    pending = Future()
    allf = AllFuture(done, pending)
    assert not allf.done()
    pending.set_exception(ValueError("x"))
    assert isinstance(allf.exception(), ValueError)


def test_future_state_and_errors_before_completion() -> None:
    future = Future()
    with pytest.raises(ValueError, match="not set yet"):
        future.result()
    assert future.set_running_or_notify_cancel() and future.running()
    future.set_result(3)
    future.set_result(4)  # ignored: already done
    assert future.result() == 3 and not future.cancel()
    assert BaseFuture.with_cancel().cancelled()


@given(
    order=st.permutations(list(range(6))),
    fail=st.sets(st.integers(0, 5)),
)
def test_the_scheduler_is_deterministic_for_any_resolution_order(order: list[int], fail: set[int]) -> None:
    def once() -> list[Any]:
        log: list[Any] = []
        leaves = [Future() for _ in range(6)]

        @coroutine
        def worker(i: int) -> Any:
            try:
                value = yield leaves[i]
                log.append(("ok", i, value))
                more = yield [double(value), double(i)]
                log.append(("more", i, more))
            except RuntimeError as error:
                log.append(("err", i, str(error)))

        @coroutine
        def main() -> Any:
            yield [worker(i) for i in range(6)]
            log.append("all done")

        loop, future = run(main)
        for i in order:
            if i in fail:
                leaves[i].set_exception(RuntimeError(f"e{i}"))
            else:
                leaves[i].set_result(i * 10)
            settle(loop)
        assert future.done()
        return log

    first = once()
    assert first == once()
    assert first[-1] == "all done"
    # each worker resumes in the order its leaf was resolved
    assert [entry[1] for entry in first if entry[0] in ("ok", "err")] == order
