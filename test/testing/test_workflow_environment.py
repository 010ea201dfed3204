"""WorkflowEnvironment: time skipping that is fast, exact and race-free, on real workers."""

from __future__ import annotations

import os
import threading
import time
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from race_flows import DAY, Forever, Month, Race, RaceActivities, Redeployed, Relay, Retried, Steps

import awsflow
from awsflow.exceptions import (
    ActivityTaskTimedOutError,
    WorkflowFailedError,
    WorkflowTerminatedError,
    WorkflowTimedOutError,
)
from awsflow.local import LocalSWF
from awsflow.testing import WorkflowEnvironment
from awsflow.workers import ActivityWorker, WorkflowWorker
from awsflow.workers.workflow_worker import STICKY_TIMEOUT

# The issue asks for 100 identical runs (about 0.1 s a run); AWSFLOW_TESTING_RUNS changes it.
IDENTICAL_RUNS = int(os.environ.get("AWSFLOW_TESTING_RUNS", "100"))


def comparable(events: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    """Events as (id, type, timestamp, attributes): everything SWF records."""
    rows = []
    for event in events:
        attributes = {k: v for k, v in event.items() if k.endswith("EventAttributes")}
        rows.append((event["eventId"], event["eventType"], event["eventTimestamp"].timestamp(), attributes))
    return rows


def run_race(delays: tuple[float, ...] = ()) -> tuple[Any, list[tuple[Any, ...]]]:
    RaceActivities.delays = delays
    with WorkflowEnvironment() as env:
        env.start_workers(Race, RaceActivities())
        handle = env.start(Race.run, workflow_id="race")
        env.sleep(60 + 1800)  # the timer has fired; the workflow waits for a signal
        handle.signal("poke", "first")
        env.sleep(600 + 60)  # the second wait timed out; the retry's 120 s backoff is running
        handle.signal("poke", "during backoff")
        return handle.result(), comparable(env.history(handle))


def test_timers_racing_activities_and_signals_give_the_same_history_every_time() -> None:
    result, history = run_race()
    start = history[0][2]
    assert result == [
        ("activity first", True, False, int(start)),
        ("timer", int(start) + 60),
        ("signal before the hour", True, int(start) + 1860),
        ("no second signal", False, int(start) + 2460),
        ("retried", 2, int(start) + 2460 + 120),
        ("signals", ["first", "during backoff"]),
    ]
    for _ in range(IDENTICAL_RUNS - 1):
        assert run_race() == (result, history)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    steps=st.lists(
        st.tuples(st.floats(min_value=0, max_value=0.02), st.integers(min_value=0, max_value=40 * DAY)),
        min_size=1,
        max_size=4,
    )
)
def test_activity_durations_in_real_time_never_show_in_virtual_time(steps: list[tuple[float, int]]) -> None:
    RaceActivities.delays = tuple(delay for delay, _ in steps)
    sleeps = [seconds for _, seconds in steps]
    with WorkflowEnvironment() as env:
        env.start_workers(Steps, RaceActivities())
        start = env.now()
        ends = env.run(Steps.run, sleeps)
        expected, elapsed = [], 0
        for seconds in sleeps:
            elapsed += seconds
            expected.append(int(start) + elapsed)
        assert ends == expected
        assert env.now() == start + sum(sleeps)


def test_thirty_days_of_sleep_and_an_hour_of_retry_backoff_take_under_a_second() -> None:
    with WorkflowEnvironment() as env:
        env.start_workers(Month, RaceActivities())
        wall = time.monotonic()
        handle = env.start(Month.run)
        assert handle.result() == 2
        assert time.monotonic() - wall < 1.0
        events = env.history(handle)
    start = events[0]["eventTimestamp"].timestamp()
    fired = [e["eventTimestamp"].timestamp() - start for e in events if e["eventType"] == "TimerFired"]
    assert fired == [30 * DAY, 30 * DAY + 3600]  # the real SWF-time gaps
    failed = [e for e in events if e["eventType"] == "ActivityTaskFailed"]
    assert len(failed) == 1 and failed[0]["eventTimestamp"].timestamp() - start == 30 * DAY


def test_continue_as_new_is_followed_with_time_skipping() -> None:
    with WorkflowEnvironment() as env:
        env.start_workers(Relay)
        start = env.now()
        assert env.run(Relay.run, 3) == "arrived"
        assert env.now() - start == 4 * DAY


def test_a_workflow_nobody_signals_times_out_at_its_own_timeout() -> None:
    with WorkflowEnvironment() as env:
        env.start_workers(Forever)
        start = env.now()
        with pytest.raises(WorkflowTimedOutError):
            env.run(Forever.run)
        assert env.now() - start == 7 * DAY


def test_without_auto_time_skipping_only_sleep_moves_time() -> None:
    with WorkflowEnvironment(auto_time_skipping=False) as env:
        env.start_workers(Steps, RaceActivities())
        start = env.now()
        handle = env.start(Steps.run, [3600])
        with pytest.raises(TimeoutError):
            handle.result(timeout=0.3)
        assert env.now() == start
        env.sleep(3600)
        assert handle.result(timeout=10) == [int(start) + 3600]


def test_an_activity_nobody_serves_times_out_schedule_to_start_while_skipping() -> None:
    with WorkflowEnvironment() as env:
        env.start_workers(Steps)
        # Registers the activity types, polls nothing: the activity task waits on a list nobody polls.
        ActivityWorker(None, "us-east-1", env.domain, env.task_list, RaceActivities(), client=env.client)
        start = env.now()
        with pytest.raises(WorkflowFailedError) as failed:
            env.run(Steps.run, [0])
        assert isinstance(failed.value.cause, ActivityTaskTimedOutError)
        assert failed.value.cause.timeout_type == "SCHEDULE_TO_START"
        assert env.now() - start == 60


def test_a_running_activity_holds_the_clock_and_the_wait_names_it() -> None:
    RaceActivities.gate, RaceActivities.delays = threading.Event(), ()
    RaceActivities.started.clear()
    try:
        with WorkflowEnvironment(quiet_timeout=0.2) as env:
            env.start_workers(Steps, RaceActivities())
            start = env.now()
            handle = env.start(Steps.run, [0])
            assert RaceActivities.started.wait(10)
            with pytest.raises(TimeoutError, match=r"activity task 1 of test-\w+ started"):
                handle.result()
            assert env.now() == start  # its 300 s start-to-close timeout was not skipped to
            RaceActivities.gate.set()
            assert handle.result() == [int(start)]
    finally:
        RaceActivities.gate.set()
        RaceActivities.gate = None


def test_get_context_attempt_counts_retry_policy_attempts_and_refuses_for_retry_activity() -> None:
    with WorkflowEnvironment() as env:
        env.start_workers(Race, Retried, RaceActivities())
        assert env.run(Retried.run) == "AttemptUnknownError"


def test_a_sticky_workflow_worker_works_with_time_skipping() -> None:
    with WorkflowEnvironment() as env:
        env.add_worker(
            WorkflowWorker(
                None,
                "us-east-1",
                env.domain,
                env.task_list,
                Steps,
                client=env.new_client(),
                sticky_schedule_to_start_timeout=5,
            )
        )
        env.start_workers(RaceActivities())
        start = env.now()
        assert env.run(Steps.run, [DAY, DAY]) == [int(start) + DAY, int(start) + 2 * DAY]


def test_the_same_environment_runs_against_an_endpoint_in_real_time(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")  # the endpoint's clients use botocore's chain
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    with LocalSWF() as remote, WorkflowEnvironment(endpoint_url=remote.endpoint_url) as env:
        assert not env.supports_time_skipping
        env.start_workers(Steps, RaceActivities())
        assert len(env.run(Steps.run, [0, 0])) == 2
        assert env.history(env.start(Steps.run, []).workflow_execution)[0]["eventType"] == (
            "WorkflowExecutionStarted"
        )


def test_options_and_terminate_through_the_handle() -> None:
    with WorkflowEnvironment() as env:
        env.start_workers(Forever)
        start = env.now()
        with pytest.raises(WorkflowTimedOutError):
            env.run(Forever.run, options={"execution_start_to_close_timeout": 120})
        assert env.now() - start == 120
        handle = env.start(Forever.run, workflow_id="to-terminate")
        env.sleep(0)
        handle.terminate("enough")
        with pytest.raises(WorkflowTerminatedError):
            handle.result()
        assert env.history(handle)[-1]["eventType"] == "WorkflowExecutionTerminated"
        assert handle.workflow_execution.workflow_id == "to-terminate"


def test_wait_step_is_a_waiter_for_a_result_loop_of_ones_own() -> None:
    with WorkflowEnvironment() as env:
        env.start_workers(Steps, RaceActivities())
        start = env.now()
        handle = env.start(Steps.run, [DAY, 3 * DAY])
        workflow_id, run_id = handle.workflow_execution
        steps = 0
        while env.history(handle)[-1]["eventType"] != "WorkflowExecutionCompleted":
            env.wait_step(workflow_id, run_id, 5.0)  # never 5 s of real time: it skips instead
            steps += 1
        assert steps <= 3 and env.now() - start == 4 * DAY


def test_start_returns_the_one_handle_type_of_awsflow() -> None:
    with WorkflowEnvironment() as env:
        env.start_workers(Steps, RaceActivities())
        start = env.now()
        handle = env.start(Steps.run, [DAY], workflow_id="one-api")
        assert isinstance(handle, awsflow.WorkflowHandle)
        assert handle.describe().status.value == "OPEN"
        assert handle.result() == [int(start) + DAY]  # skips the day while it waits
        assert handle.describe().status.value == "COMPLETED"
        kinds = [event.event_type for event in handle.history()]
        assert kinds[0] == "WorkflowExecutionStarted" and "TimerFired" in kinds
        again = env.get_workflow("one-api")  # by workflow id, as awsflow.get_workflow does
        assert again.result() == [int(start) + DAY] and again.run_id == handle.run_id


def test_a_result_timeout_is_kept_while_the_workers_are_busy() -> None:
    RaceActivities.gate, RaceActivities.delays = threading.Event(), ()
    RaceActivities.started.clear()
    try:
        with WorkflowEnvironment(quiet_timeout=30) as env:
            env.start_workers(Steps, RaceActivities())
            handle = env.start(Steps.run, [0])
            assert RaceActivities.started.wait(10)
            wall = time.monotonic()
            with pytest.raises(TimeoutError, match="still open"):
                handle.result(timeout=0.3)
            assert time.monotonic() - wall < 2.0  # the timeout, not quiet_timeout's 30 s
            RaceActivities.gate.set()
            assert len(handle.result()) == 1
    finally:
        RaceActivities.gate.set()
        RaceActivities.gate = None


def test_a_failing_decision_is_recorded_and_a_retry_timer_left_over_after_the_fix_decides_nothing() -> None:
    Redeployed.broken = False
    try:
        with WorkflowEnvironment() as env:
            first, _ = env.start_workers(Redeployed, RaceActivities())
            start = env.now()
            handle = env.start(Redeployed.run)
            env.sleep(0)  # the first decision: the day's timer
            first.stop()
            first.join()
            Redeployed.broken = True
            env.start_workers(Redeployed)  # a new worker: it replays the history cold
            # The timer fires; its decision task was routed to the stopped worker's own list and
            # comes back after the routing timeout; the broken code cannot replay the history.
            env.sleep(DAY + STICKY_TIMEOUT)
            failure = handle.describe().decision_failure
            assert failure is not None and failure.error_type.endswith("NondeterminismError")
            assert failure.attempts == 1 and failure.next_retry_at is not None
            Redeployed.broken = False  # the fix, deployed before the retry timer fires
            handle.signal("poke")  # brings a decision task now: the fixed code carries on
            env.sleep(0)
            assert handle.describe().decision_failure is None
            assert handle.result() == "done"
            assert env.now() - start == DAY + STICKY_TIMEOUT + 60
            events = [e["eventType"] for e in handle.wire_history()]
    finally:
        Redeployed.broken = False
    fired = [i for i, kind in enumerate(events) if kind == "TimerFired"]
    assert len(fired) == 3  # the day, the retry timer left over (at DAY + 15), the minute
    retry = fired[1]
    # The left-over retry timer's decision task decides nothing: no decision's event follows it.
    assert events[retry + 1 : retry + 5] == [
        "DecisionTaskScheduled",
        "DecisionTaskStarted",
        "DecisionTaskCompleted",
        "TimerFired",
    ]
    assert events.count("MarkerRecorded") == 1 and events.count("DecisionTaskTimedOut") == 1  # the deploy's
