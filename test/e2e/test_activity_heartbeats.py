"""Heartbeats three ways (manual, automatic, generator) and cancellation reaching activity code."""

from __future__ import annotations

import json
import logging
import threading
from typing import Any

import flows
import pytest
from flowkit import Flow
from waiting import wait_until

from awsflow import WorkflowDefinition, activities, activity, execute, get_context, workflow_time
from awsflow.core import CancelledError
from awsflow.data_converter import JSONDataConverter
from awsflow.exceptions import (
    ActivityCancelledError,
    ActivityTaskFailedError,
    ActivityTaskTimedOutError,
    PayloadTooLargeError,
)

cleaned_up: dict[str, bool] = {}


@activities(schedule_to_start_timeout=60, start_to_close_timeout=3600)
class Long:
    @activity("1.0", heartbeat_timeout=10)
    def crunch(self, name: str) -> str:
        """Never heartbeats itself: only the worker's automatic heartbeats keep it alive."""
        flows.started[name].set()
        flows.gate(name).wait(30)
        return "crunched"

    @activity("1.0", heartbeat_timeout=10, auto_heartbeat=False)
    def hang(self, name: str) -> str:
        """Like crunch, without automatic heartbeats: its silence is a heartbeat timeout."""
        flows.started[name].set()
        flows.gate(name).wait(30)
        return "hung"

    @activity("1.0", heartbeat_timeout=10)
    def count_to(self, n: int, name: str) -> Any:
        """Reports progress at each yield, then stalls without yielding."""
        for done in range(1, n + 1):
            yield {"done": done, "of": n}
        flows.started[name].set()
        flows.gate(name).wait(30)
        return "counted"

    @activity("1.0", heartbeat_timeout=10)
    def tens(self, n: int) -> Any:
        yield from range(n)
        return n * 10

    @activity("1.0", heartbeat_timeout=100)
    def until_cancelled(self, name: str) -> Any:
        flows.started[name].set()
        try:
            while not flows.gate(name).wait(0.01):
                yield "working"
        finally:
            cleaned_up[name] = True
        return "never cancelled"

    @activity("1.0", heartbeat_timeout=9)
    def waits_for_cancel(self, name: str) -> str:
        flows.started[name].set()
        assert get_context().wait_for_cancel_request(30)  # learned by an automatic heartbeat
        get_context().heartbeat("stopping")  # raises ActivityCancelledError
        return "not cancelled"

    @activity("1.0")
    def verbose(self) -> Any:
        try:
            yield "x" * 2047  # 2049 characters once encoded as a JSON string
        except PayloadTooLargeError as error:
            return f"caught at the yield: {error.size} > {error.limit}"
        return "sent"

    @activity("1.0")
    def chatty(self) -> str:
        get_context().heartbeat("x" * 2049)
        return "sent"


class Crunch(WorkflowDefinition):
    @execute(version="1.0", execution_start_to_close_timeout=3600)
    def run(self, name: str) -> Any:
        try:
            return (yield Long.crunch(name))
        except ActivityTaskTimedOutError as error:
            return f"timed out: {error.timeout_type}"


class Hang(WorkflowDefinition):
    @execute(version="1.0", execution_start_to_close_timeout=3600)
    def run(self, name: str) -> Any:
        try:
            return (yield Long.hang(name))
        except ActivityTaskTimedOutError as error:
            return f"timed out: {error.timeout_type}"


class Count(WorkflowDefinition):
    @execute(version="1.0", execution_start_to_close_timeout=3600)
    def run(self, n: int, name: str) -> Any:
        try:
            return (yield Long.count_to(n, name))
        except ActivityTaskTimedOutError as error:
            return f"timed out: {error.timeout_type}"


class Tens(WorkflowDefinition):
    @execute(version="1.0", execution_start_to_close_timeout=3600)
    def run(self, n: int) -> Any:
        return (yield Long.tens(n))


class CancelsAfterFive(WorkflowDefinition):
    @execute(version="1.0", execution_start_to_close_timeout=3600)
    def run(self, name: str, generator: bool) -> Any:
        work = Long.until_cancelled(name) if generator else Long.waits_for_cancel(name)
        yield workflow_time.sleep(5)
        work.cancel()
        try:
            return (yield work)
        except CancelledError as error:
            return f"cancelled: {type(error).__name__}"


class Verbose(WorkflowDefinition):
    @execute(version="1.0", execution_start_to_close_timeout=3600)
    def run(self) -> Any:
        return (yield Long.verbose())


class Chatty(WorkflowDefinition):
    @execute(version="1.0", execution_start_to_close_timeout=3600)
    def run(self) -> Any:
        try:
            return (yield Long.chatty())
        except ActivityTaskFailedError as error:
            return f"failed: {error.cause}"


def test_automatic_heartbeats_keep_a_long_activity_alive_past_its_heartbeat_timeout(flow: Flow) -> None:
    flow.workflow_worker(Crunch)
    worker = flow.activity_worker(Long(), clock=flow.clock)
    flows.gate("long")
    instance = Crunch.run("long")
    assert flows.started["long"].wait(10)
    assert [t for t in threading.enumerate() if t.name.startswith("heartbeat ")]
    for beat in range(1, 9):  # 8 x 4 s: three times the 10 s heartbeat timeout
        flow.advance(4)
        wait_until(lambda: worker.stats.heartbeats >= beat, what=f"automatic heartbeat {beat}")  # noqa: B023
    flows.gates["long"].set()
    assert instance.wait_for_completion(timeout=10) == "crunched"
    assert "ActivityTaskTimedOut" not in flow.event_types(instance.workflow_execution)
    assert worker.stats.heartbeats == 8  # one per interval (10 / 3 s), none after it returned


def test_without_automatic_heartbeats_a_silent_activity_times_out_heartbeat(flow: Flow) -> None:
    flow.workflow_worker(Hang)
    worker = flow.activity_worker(Long(), clock=flow.clock)
    flows.gate("hung")
    instance = Hang.run("hung")
    assert flows.started["hung"].wait(10)
    # An automatic heartbeater starts before the function runs, in a thread named for the task.
    assert not [t for t in threading.enumerate() if t.name.startswith("heartbeat ")]
    for _ in range(3):  # the same 4 s steps that automatic heartbeats survive
        flow.advance(4)
    assert instance.wait_for_completion(timeout=10) == "timed out: HEARTBEAT"
    assert worker.stats.heartbeats == 0


def test_a_generator_heartbeats_at_each_yield_and_its_last_progress_is_in_the_history(flow: Flow) -> None:
    flow.workflow_worker(Count)
    worker = flow.activity_worker(Long(), clock=flow.clock)
    flows.gate("stalled")
    instance = Count.run(3, "stalled")
    assert flows.started["stalled"].wait(10)
    assert worker.stats.heartbeats == 3
    flow.advance(11)  # a generator gets no automatic heartbeats: stalling between yields times out
    assert instance.wait_for_completion(timeout=10) == "timed out: HEARTBEAT"
    timed_out = flow.wait_for_event(instance.workflow_execution, "ActivityTaskTimedOut")
    assert json.loads(timed_out["activityTaskTimedOutEventAttributes"]["details"]) == {"done": 3, "of": 3}


def test_a_generator_s_return_value_is_its_result(flow: Flow) -> None:
    flow.workflow_worker(Tens)
    worker = flow.activity_worker(Long())
    assert Tens.run(4).wait_for_completion(timeout=10) == 40
    assert worker.stats.heartbeats == 4


def test_a_cancel_reaches_a_generator_at_its_yield_and_the_task_ends_canceled(flow: Flow) -> None:
    flow.workflow_worker(CancelsAfterFive)
    worker = flow.activity_worker(Long())
    flows.gate("gen")
    instance = CancelsAfterFive.run("gen", True)
    assert flows.started["gen"].wait(10)
    flow.wait_for_event(instance.workflow_execution, "TimerStarted")
    flow.advance(5)
    assert instance.wait_for_completion(timeout=10) == "cancelled: ActivityTaskCanceledError"
    assert cleaned_up.pop("gen")  # the error was thrown in at the yield: its finally ran
    assert "ActivityTaskCanceled" in flow.event_types(instance.workflow_execution)
    assert worker.stats.tasks_canceled == 1


def test_an_automatic_heartbeat_learns_of_the_cancel_and_the_next_manual_heartbeat_raises(flow: Flow) -> None:
    flow.workflow_worker(CancelsAfterFive)
    flow.activity_worker(Long(), clock=flow.clock)
    flows.gate("plain")
    instance = CancelsAfterFive.run("plain", False)
    assert flows.started["plain"].wait(10)
    flow.wait_for_event(instance.workflow_execution, "TimerStarted")
    flow.advance(5)
    flow.wait_for_event(instance.workflow_execution, "ActivityTaskCancelRequested")
    flow.advance(4)  # the next automatic heartbeat is due: SWF answers cancelRequested
    assert instance.wait_for_completion(timeout=10) == "cancelled: ActivityTaskCanceledError"
    canceled = flow.wait_for_event(instance.workflow_execution, "ActivityTaskCanceled")
    error, frames = JSONDataConverter().loads(canceled["activityTaskCanceledEventAttributes"]["details"])
    assert type(error) is ActivityCancelledError
    assert error.args == ("Cancel was requested during activity heartbeat",)  # botoflow's text
    assert frames[-1][2] == "heartbeat"  # the remote traceback ends where it was raised


def test_activity_cancelled_error_is_still_a_cancellation_error() -> None:
    from awsflow.core import CancellationError

    assert issubclass(ActivityCancelledError, CancellationError)


def test_heartbeat_details_over_swf_s_2048_characters_are_refused_before_sending(flow: Flow) -> None:
    flow.workflow_worker(Chatty)
    worker = flow.activity_worker(Long())
    result = Chatty.run().wait_for_completion(timeout=10)
    assert result.startswith("failed: heartbeat details of activity Long.chatty is 2049 characters")
    assert worker.stats.heartbeats == 0


def test_yielded_details_over_the_limit_are_raised_at_the_yield(flow: Flow) -> None:
    flow.workflow_worker(Verbose)
    worker = flow.activity_worker(Long())
    assert Verbose.run().wait_for_completion(timeout=10) == "caught at the yield: 2049 > 2048"
    assert worker.stats.heartbeats == 0


def test_each_task_is_counted_and_logged_with_its_ids_and_duration(
    flow: Flow, caplog: pytest.LogCaptureFixture
) -> None:
    flow.workflow_worker(flows.Purchase)
    worker = flow.activity_worker(flows.Shop())
    with caplog.at_level(logging.INFO, logger="awsflow.workers.activity_worker"):
        instance = flows.Purchase.buy("apple", 300)  # 150 is over the limit: charge fails
        with pytest.raises(Exception, match="over the limit"):
            instance.wait_for_completion(timeout=10)
    stats = worker.stats
    assert (stats.tasks_started, stats.tasks_completed, stats.tasks_failed) == (2, 1, 1)
    assert stats.tasks_in_flight == 0 and stats.poll_errors == 0
    records = [r for r in caplog.records if r.name == "awsflow.workers.activity_worker"]
    finished = {r.activity_name: r for r in records if hasattr(r, "outcome")}
    assert finished["Shop.price"].outcome == "completed" and finished["Shop.charge"].outcome == "failed"
    for record in finished.values():
        assert record.workflow_id == instance.workflow_execution.workflow_id
        assert record.run_id == instance.workflow_execution.run_id
        assert record.duration >= 0 and record.activity_version == "1.0" and record.activity_id
    assert "PaymentDeclined: 150.0 is over the limit" in finished["Shop.charge"].getMessage()
    assert sum(1 for r in records if r.getMessage().endswith(" taken")) == 2
