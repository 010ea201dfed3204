"""The task runners with fake tasks and no service: room, in-flight bookkeeping, grace periods.

Grace periods are measured on a virtual clock the tests move, so none costs wall time.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import pytest

from awsflow.context import ActivityTask
from awsflow.local import VirtualClock
from awsflow.workers._process_pool import ProcessPool
from awsflow.workers._supervision import Assignment, Failure
from awsflow.workers._task_runners import (
    Answer,
    BoundedInlineRunner,
    Held,
    InlineRunner,
    ProcessRunner,
    TaskReports,
    ThreadPoolRunner,
)
from awsflow.workflow_execution import WorkflowExecution

DEADLINE = 10.0  # seconds a background thread gets to react; never reached when the code is right
COMPLETED: Answer = ("RespondActivityTaskCompleted", True, None)


def task(n: int) -> ActivityTask:
    return ActivityTask(
        id=str(n),
        name="Files.copy",
        version="1.0",
        input=None,
        started_event_id=n,
        token=f"token-{n}",
        workflow_execution=WorkflowExecution(f"wf-{n}", f"run-{n}"),
    )


class Reports:
    """Records what a runner reports, as the worker's counting and logging would see it."""

    def __init__(self) -> None:
        self.taken: list[tuple[str, int | None]] = []
        self.finished: list[tuple[str, str | None]] = []

    def reports(self) -> TaskReports:
        return TaskReports(
            taken=lambda task, pid: self.taken.append((task.id, pid)),
            finished=lambda task, started_at, operation, answered, reason, pid: self.finished.append(
                (task.id, operation)
            ),
            lost=lambda task, started_at, reason, pid: pytest.fail(f"lost {task.id}: {reason}"),
            count=lambda name, amount: None,
        )


class Gate:
    """A run callback whose tasks block until released, one event per task id."""

    def __init__(self) -> None:
        self.started: dict[str, threading.Event] = {}
        self.release: dict[str, threading.Event] = {}
        self.held: dict[str, Held] = {}
        self._lock = threading.Lock()

    def events(self, task_id: str) -> tuple[threading.Event, threading.Event]:
        with self._lock:
            return (
                self.started.setdefault(task_id, threading.Event()),
                self.release.setdefault(task_id, threading.Event()),
            )

    def __call__(self, task: ActivityTask, held: Held) -> Answer:
        started, release = self.events(task.id)
        self.held[task.id] = held
        started.set()
        assert release.wait(DEADLINE)
        return COMPLETED


def in_background(target: Callable[[], Any]) -> tuple[threading.Thread, list[Any]]:
    result: list[Any] = []
    thread = threading.Thread(target=lambda: result.append(target()), daemon=True)
    thread.start()
    return thread, result


def advance_until_done(clock: VirtualClock, thread: threading.Thread, step: float) -> None:
    """Move the clock until ``thread`` ends (it waits on the clock; when it starts waiting is its own)."""
    give_up_at = time.monotonic() + DEADLINE
    while thread.is_alive() and time.monotonic() < give_up_at:
        clock.advance(step)
        thread.join(0.01)
    assert not thread.is_alive()


# -- inline --------------------------------------------------------------------------------------
def test_the_inline_runner_runs_in_the_calling_thread_and_shows_the_task_in_flight_meanwhile() -> None:
    recorded = Reports()
    seen: list[Any] = []

    def run(task: ActivityTask, held: Held) -> Answer:
        seen.append((threading.current_thread(), [t.activity_id for t in runner.in_flight()]))
        return COMPLETED

    runner = InlineRunner(run, recorded.reports(), VirtualClock())
    assert runner.wait_for_room(threading.Event())  # a busy poller does not poll: always room
    runner.submit(task(1))
    assert seen == [(threading.current_thread(), ["1"])]
    assert runner.in_flight() == ()
    assert (recorded.taken, recorded.finished) == ([("1", None)], [("1", "RespondActivityTaskCompleted")])
    assert runner.pids == ()


def test_draining_an_idle_runner_returns_nothing_at_once() -> None:
    runner = InlineRunner(Gate(), Reports().reports(), VirtualClock())
    assert runner.drain(30.0, threading.Event(), "1:host") == []


# -- thread pool ---------------------------------------------------------------------------------
def test_the_pool_holds_at_most_max_concurrent_and_room_returns_when_a_task_ends() -> None:
    gate, recorded, stopping = Gate(), Reports(), threading.Event()
    runner = ThreadPoolRunner(gate, recorded.reports(), VirtualClock(), 2)
    for n in (1, 2):
        assert runner.wait_for_room(stopping)
        runner.submit(task(n))
        assert gate.events(str(n))[0].wait(DEADLINE)
    assert {t.activity_id for t in runner.in_flight()} == {"1", "2"}
    waiter, got = in_background(lambda: runner.wait_for_room(stopping))
    waiter.join(0.05)
    assert waiter.is_alive()  # full: the poller waits
    gate.events("1")[1].set()
    waiter.join(DEADLINE)
    assert got == [True]
    runner.release()  # that poll came back empty
    gate.events("2")[1].set()
    assert runner.drain(None, threading.Event(), "1:host") == []
    assert sorted(recorded.finished) == [
        ("1", "RespondActivityTaskCompleted"),
        ("2", "RespondActivityTaskCompleted"),
    ]


def test_a_full_pool_says_no_room_once_stopping() -> None:
    gate, stopping = Gate(), threading.Event()
    runner = ThreadPoolRunner(gate, Reports().reports(), VirtualClock(), 1)
    assert runner.wait_for_room(stopping)
    runner.submit(task(1))
    waiter, got = in_background(lambda: runner.wait_for_room(stopping))
    stopping.set()
    runner.wake()  # as the worker's stop() does
    waiter.join(DEADLINE)
    assert got == [False]
    gate.events("1")[1].set()


def test_a_reserved_slot_counts_until_its_poll_is_answered() -> None:
    stopping = threading.Event()
    runner = ThreadPoolRunner(Gate(), Reports().reports(), VirtualClock(), 1)
    assert runner.wait_for_room(stopping)
    stopping.set()
    assert not runner.wait_for_room(stopping)  # the poll in flight holds the only slot
    runner.release()
    assert runner.wait_for_room(stopping)  # room again (a stopping worker's first round may poll)


# -- bounded inline -----------------------------------------------------------------------------
def test_the_bounded_inline_runner_runs_in_the_poller_thread_within_max_concurrent() -> None:
    gate, recorded, stopping = Gate(), Reports(), threading.Event()
    runner = BoundedInlineRunner(gate, recorded.reports(), VirtualClock(), 2)
    pollers = []
    for n in (1, 2):
        assert runner.wait_for_room(stopping)
        poller, _ = in_background(lambda n=n: runner.submit(task(n)))  # the poll brought task n
        pollers.append(poller)
        assert gate.events(str(n))[0].wait(DEADLINE)
        assert gate.held[str(n)].thread is poller  # run by the thread that polled it
    assert {t.activity_id for t in runner.in_flight()} == {"1", "2"}
    waiter, got = in_background(lambda: runner.wait_for_room(stopping))
    waiter.join(0.05)
    assert waiter.is_alive()  # full: a third poller waits
    gate.events("1")[1].set()
    waiter.join(DEADLINE)
    assert got == [True]
    runner.release()
    gate.events("2")[1].set()
    for poller in pollers:
        poller.join(DEADLINE)
    assert runner.drain(None, threading.Event(), "1:host") == []
    assert sorted(recorded.finished) == [
        ("1", "RespondActivityTaskCompleted"),
        ("2", "RespondActivityTaskCompleted"),
    ]


def test_pool_threads_come_from_the_given_spawn_are_kept_between_tasks_and_end_once_stopping() -> None:
    spawned: list[tuple[str, threading.Thread]] = []

    def spawn(target: Callable[[], None], name: str) -> None:
        thread = threading.Thread(target=target, name=name, daemon=True)
        spawned.append((name, thread))
        thread.start()

    gate, recorded, stopping = Gate(), Reports(), threading.Event()
    runner = ThreadPoolRunner(gate, recorded.reports(), VirtualClock(), 3, stopping=stopping, spawn=spawn)
    for n in (1, 2):  # one after the other: the thread that ran 1 runs 2
        assert runner.wait_for_room(stopping)
        runner.submit(task(n))
        gate.events(str(n))[1].set()
        wait_for(lambda n=n: (str(n), "RespondActivityTaskCompleted") in recorded.finished)
    assert [name for name, _ in spawned] == ["activity runner 1"]
    assert gate.held["1"].thread is gate.held["2"].thread is spawned[0][1]
    assert runner.wait_for_room(stopping)
    runner.submit(task(3))  # held open: a task arriving meanwhile gets a second thread
    assert gate.events("3")[0].wait(DEADLINE)
    assert runner.wait_for_room(stopping)
    runner.submit(task(4))
    gate.events("4")[1].set()
    wait_for(lambda: ("4", "RespondActivityTaskCompleted") in recorded.finished)
    assert [name for name, _ in spawned] == ["activity runner 1", "activity runner 2"]
    stopping.set()
    runner.wake()  # as the worker's stop() does: the idle thread ends, the busy one after its task
    gate.events("3")[1].set()
    for _, thread in spawned:
        thread.join(DEADLINE)
        assert not thread.is_alive()
    assert runner.drain(0.0, threading.Event(), "1:host") == []  # every reservation became a task


def test_a_retired_pool_lets_its_idle_threads_end_though_the_worker_runs_again() -> None:
    # stop() then at once start(): ``stopping`` may be cleared before an idle thread saw it set;
    # the replaced runner is retired, so its thread does not wait for a task forever.
    threads: list[threading.Thread] = []

    def spawn(target: Callable[[], None], name: str) -> None:
        threads.append(threading.Thread(target=target, name=name, daemon=True))
        threads[-1].start()

    gate, recorded, stopping = Gate(), Reports(), threading.Event()
    runner = ThreadPoolRunner(gate, recorded.reports(), VirtualClock(), 2, stopping=stopping, spawn=spawn)
    assert runner.wait_for_room(stopping)
    runner.submit(task(1))
    gate.events("1")[1].set()
    wait_for(lambda: recorded.finished == [("1", "RespondActivityTaskCompleted")])
    (thread,) = threads
    thread.join(0.05)
    assert thread.is_alive()  # idle, kept for the next task
    runner.retire()
    thread.join(DEADLINE)
    assert not thread.is_alive()


def wait_for(condition: Callable[[], bool]) -> None:
    give_up_at = time.monotonic() + DEADLINE
    while not condition():
        assert time.monotonic() < give_up_at, "the condition did not become true"
        time.sleep(0.001)


# -- grace periods -------------------------------------------------------------------------------
def test_a_task_overrunning_the_grace_period_is_handed_back_and_its_answer_dropped() -> None:
    gate, recorded, clock, stopping = Gate(), Reports(), VirtualClock(), threading.Event()
    runner = ThreadPoolRunner(gate, recorded.reports(), clock, 2, stopping=stopping)
    assert runner.wait_for_room(stopping)
    runner.submit(task(1))
    assert gate.events("1")[0].wait(DEADLINE)
    stopping.set()  # the worker stopped: its pool's threads end once they have nothing to run
    drainer, overrun = in_background(lambda: runner.drain(30.0, threading.Event(), "12:host"))
    advance_until_done(clock, drainer, 10.0)
    ((late,),) = overrun
    assert late.task.id == "1" and late.pid is None and late.thread is gate.held["1"].thread
    assert "ran past the 30 s grace period" in late.reason
    assert gate.held["1"].abandoned and runner.in_flight() == ()
    gate.events("1")[1].set()
    late.thread.join(DEADLINE)
    assert not late.thread.is_alive()
    assert recorded.finished == []  # the worker fails it; the late answer is not reported


def test_a_task_ending_within_the_grace_period_is_not_handed_back() -> None:
    gate, clock = Gate(), VirtualClock()
    runner = ThreadPoolRunner(gate, Reports().reports(), clock, 2)
    assert runner.wait_for_room(threading.Event())
    runner.submit(task(1))
    assert gate.events("1")[0].wait(DEADLINE)
    drainer, overrun = in_background(lambda: runner.drain(30.0, threading.Event(), "12:host"))
    gate.events("1")[1].set()
    drainer.join(DEADLINE)
    assert overrun == [[]]


def test_hurrying_hands_back_every_task_at_once_with_the_reason() -> None:
    gate, clock, hurry = Gate(), VirtualClock(), threading.Event()
    runner = ThreadPoolRunner(gate, Reports().reports(), clock, 2)
    assert runner.wait_for_room(threading.Event())
    runner.submit(task(1))
    assert gate.events("1")[0].wait(DEADLINE)
    drainer, overrun = in_background(lambda: runner.drain(None, hurry, "12:host"))
    hurry.set()
    runner.wake()  # as the worker's second stop signal does
    drainer.join(DEADLINE)
    ((late,),) = overrun
    assert "told to stop at once" in late.reason
    gate.events("1")[1].set()


# -- processes -----------------------------------------------------------------------------------
def test_a_process_runner_not_opened_holds_nothing() -> None:
    # (Its pool's children run in test/e2e/test_activity_supervision.py.)
    runner = ProcessRunner({}, 2, 2, Reports().reports(), VirtualClock(), "worker")
    assert (runner.in_flight(), runner.pids) == ((), ())
    assert runner.drain(30.0, threading.Event(), "12:host") == []


class FakePool(ProcessPool):
    """A pool with no processes (pids 100 and 101); the test says which tasks are stuck."""

    built: list[FakePool] = []

    def __init__(self, recipe: dict[str, Any], processes: int, max_concurrent: int, **kwargs: Any) -> None:
        FakePool.built.append(self)
        self.kwargs = kwargs
        self.polling_with: int | None = None
        self.polls_ended = threading.Event()
        self.idle_deadline: float | None = None
        self.closed_with: tuple[str, float | None] | None = None
        self.stuck: list[ActivityTask] = []

    def start(self) -> None:
        return None

    @property
    def pids(self) -> list[int]:
        return [100, 101]

    def start_polling(self, pollers: int) -> None:
        self.polling_with = pollers

    def stop_polling(self) -> None:
        self.polling_with = None
        self.polls_ended.set()  # as if each child reported its stop at once

    def wait_polls_ended(self) -> None:
        assert self.polls_ended.wait(DEADLINE)

    def wake(self) -> None:
        return None

    def wait_idle(self, deadline: float | None, hurry: threading.Event) -> None:
        self.idle_deadline = deadline

    def close(self, identity: str, grace_period: float | None) -> list[Failure]:
        self.closed_with = (identity, grace_period)
        return [Failure(Assignment(101, task, 5.0), f"stuck {task.id}") for task in self.stuck]


def test_the_process_runner_has_its_children_poll_until_the_worker_stops() -> None:
    recorded, stopping, ready = Reports(), threading.Event(), threading.Event()
    runner = ProcessRunner(
        {}, 2, 2, recorded.reports(), VirtualClock(), "worker", stopping=stopping, pool_class=FakePool
    )
    FakePool.built.clear()
    runner.open()
    runner.open()  # an open runner keeps its pool
    (pool,) = FakePool.built
    pool.kwargs["taken"](task(1), 100)  # what the pool reports of a child's "took"
    assert recorded.taken == [("1", 100)]  # reaches the worker, with the child's pid
    assert runner.pids == (100, 101)
    assert not runner.wait_for_room(threading.Event())  # the worker's own pollers never poll
    waiter, _ = in_background(lambda: runner.poll_in_children(2, ready.set))
    assert ready.wait(DEADLINE) and pool.polling_with == 2
    runner.wake()  # not stopping: the children poll on
    assert pool.polling_with == 2 and waiter.is_alive()
    stopping.set()
    runner.wake()  # as the worker's stop() does
    waiter.join(DEADLINE)
    assert not waiter.is_alive() and pool.polling_with is None


def test_the_process_runner_drains_its_pool_on_the_clock() -> None:
    clock = VirtualClock(start=1000.0)
    runner = ProcessRunner({}, 2, 2, Reports().reports(), clock, "worker", pool_class=FakePool)
    FakePool.built.clear()
    runner.open()
    (pool,) = FakePool.built
    pool.stuck = [task(2)]
    (late,) = runner.drain(30.0, threading.Event(), "12:host")
    assert pool.idle_deadline == 1030.0 and pool.closed_with == ("12:host", 30.0)
    assert (late.task.id, late.pid, late.reason, late.thread) == ("2", 101, "stuck 2", None)
    assert runner.pids == () and runner.drain(30.0, threading.Event(), "12:host") == []  # closed


def test_a_hurried_process_runner_closes_its_pool_with_no_grace_period_named() -> None:
    hurry = threading.Event()
    hurry.set()
    runner = ProcessRunner({}, 1, 1, Reports().reports(), VirtualClock(), "worker", pool_class=FakePool)
    FakePool.built.clear()
    runner.open()
    (pool,) = FakePool.built
    assert runner.drain(30.0, hurry, "12:host") == []
    assert pool.closed_with == ("12:host", None)  # the reasons say "told to stop at once"
