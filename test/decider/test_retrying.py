"""RetryPolicy in workflow code, against the pure SWF engine: attempts, backoff timers, replay."""

from __future__ import annotations

from typing import Any

import pytest
from harness import Harness

from awsflow import fanout
from awsflow.data_converter import JSONDataConverter
from awsflow.decider import ExecutionReplay
from awsflow.decorators import activities, activity, execute, retry_activity
from awsflow.exceptions import ActivityTaskFailedError, ChildWorkflowFailedError, NondeterminismError
from awsflow.options import activity_options, workflow_options
from awsflow.retry_policy import RetryPolicy
from awsflow.workflow_definition import WorkflowDefinition
from awsflow.workflow_execution import WorkflowExecution

CONVERTER = JSONDataConverter()
FIVE_THEN_DOUBLE = RetryPolicy(initial_interval=5, backoff_coefficient=2)


class Declined(Exception):
    pass


failures_left: dict[str, int] = {}


@activities(schedule_to_start_timeout=60, start_to_close_timeout=60)
class Flaky:
    @activity("1.0", retry_policy=FIVE_THEN_DOUBLE)
    def fetch(self, label: str) -> str:
        """Fails with OSError while ``failures_left[label]`` is positive."""
        if failures_left.get(label, 0) > 0:
            failures_left[label] -= 1
            raise OSError(f"{label} unavailable")
        return f"{label} fetched"

    @activity("1.0", retry_policy=RetryPolicy(initial_interval=1, non_retryable=(Declined,)))
    def charge(self, amount: int) -> str:
        raise Declined(f"{amount} declined")

    @activity("1.0", start_to_close_timeout=5, retry_policy=RetryPolicy(initial_interval=3))
    def lost(self) -> str:
        return "found"


class FetchesOnce(WorkflowDefinition):
    @execute(version="1.0", execution_start_to_close_timeout=3600)
    def run(self, label: str) -> Any:
        return (yield Flaky.fetch(label))


class Reports(WorkflowDefinition):
    """Runs one call and reports its error as ``[type, attempts]``."""

    @execute(version="1.0", execution_start_to_close_timeout=3600)
    def run(self, what: str) -> Any:
        try:
            if what == "charge":
                yield Flaky.charge(500)
            elif what == "exhausted":
                with activity_options(retry_policy=RetryPolicy(initial_interval=2, maximum_attempts=3)):
                    yield Flaky.fetch("exhausted")
            elif what == "expiring":
                policy = RetryPolicy(initial_interval=10, expiration=25)
                with activity_options(retry_policy=policy):
                    yield Flaky.fetch("expiring")
            elif what == "no retries":
                with activity_options(retry_policy=None):
                    yield Flaky.fetch("no retries")
        except ActivityTaskFailedError as error:
            return [type(error.cause).__name__, getattr(error, "attempts", None)]
        return "succeeded"


class Lost(WorkflowDefinition):
    @execute(version="1.0", execution_start_to_close_timeout=3600)
    def run(self) -> Any:
        return (yield Flaky.lost())


class FetchesTwo(WorkflowDefinition):
    """A per-call policy (activity_options) wins over the decorator's, and the counter stays in step."""

    @execute(version="1.0", execution_start_to_close_timeout=3600)
    def run(self) -> Any:
        with activity_options(retry_policy=RetryPolicy(initial_interval=7, backoff_coefficient=1)):
            first = Flaky.fetch("first")
        second = Flaky.fetch("second")
        return [(yield first), (yield second)]


class FetchesWithoutPolicy(WorkflowDefinition):
    """FetchesOnce after an edit that dropped the retry policy (an incompatible change)."""

    @execute(version="1.0", execution_start_to_close_timeout=3600)
    def run(self, label: str) -> Any:
        with activity_options(retry_policy=None):
            return (yield Flaky.fetch(label))


class FlakyChild(WorkflowDefinition):
    @execute(version="1.0", execution_start_to_close_timeout=3600)
    def run(self, label: str) -> Any:
        if failures_left.get(label, 0) > 0:
            failures_left[label] -= 1
            raise OSError(f"child {label} failed")
        return f"child {label} done"
        yield  # a generator, like any workflow


class RetriesChild(WorkflowDefinition):
    @execute(version="1.0", execution_start_to_close_timeout=3600)
    def run(self, label: str) -> Any:
        with workflow_options(retry_policy=RetryPolicy(initial_interval=30, maximum_attempts=3)):
            child = yield FlakyChild.run(label)
        try:
            return [(yield child.workflow_result), child.workflow_execution.workflow_id]
        except ChildWorkflowFailedError as error:
            return ["failed", error.attempts]


def attributes(event: dict[str, Any]) -> dict[str, Any]:
    return dict(event.get(event["eventType"][0].lower() + event["eventType"][1:] + "EventAttributes", {}))


def result_of(close: dict[str, Any]) -> Any:
    assert close["eventType"] == "WorkflowExecutionCompleted", close
    return CONVERTER.loads(attributes(close)["result"])


def run(workflow: type, *args: Any, workflows: tuple[type, ...] = ()) -> tuple[Harness, list[dict[str, Any]]]:
    h = Harness((workflow, *workflows), (Flaky(),))
    started = h.start(workflow, "run", *args)
    h.run()
    return h, h.history(started)


def of_type(history: list[dict[str, Any]], event_type: str) -> list[dict[str, Any]]:
    return [attributes(e) for e in history if e["eventType"] == event_type]


def test_each_attempt_is_its_own_activity_and_the_waits_are_timers_growing_by_the_coefficient() -> None:
    failures_left["report"] = 2
    _, history = run(FetchesOnce, "report")
    assert result_of(history[-1]) == "report fetched"
    assert [a["activityId"] for a in of_type(history, "ActivityTaskScheduled")] == [
        "1-attempt-1",
        "1-attempt-2",
        "1-attempt-3",
    ]
    assert [(t["timerId"], t["startToFireTimeout"]) for t in of_type(history, "TimerStarted")] == [
        ("1-backoff-2", "5"),
        ("1-backoff-3", "10"),
    ]
    # the waits are real: the engine's clock moved 15 s between the first and last schedule
    scheduled = [e["eventTimestamp"] for e in history if e["eventType"] == "ActivityTaskScheduled"]
    assert scheduled[-1] - scheduled[0] == 15


def test_a_non_retryable_cause_is_raised_after_one_attempt() -> None:
    _, history = run(Reports, "charge")
    assert result_of(history[-1]) == ["Declined", 1]
    assert len(of_type(history, "ActivityTaskScheduled")) == 1 and not of_type(history, "TimerStarted")


def test_the_last_attempts_error_is_raised_when_maximum_attempts_are_used_up() -> None:
    failures_left["exhausted"] = 10
    _, history = run(Reports, "exhausted")
    assert result_of(history[-1]) == ["OSError", 3]
    assert len(of_type(history, "ActivityTaskFailed")) == 3
    assert [t["startToFireTimeout"] for t in of_type(history, "TimerStarted")] == ["2", "4"]


def test_no_attempt_starts_once_the_next_would_begin_past_the_expiration() -> None:
    failures_left["expiring"] = 10
    _, history = run(Reports, "expiring")
    # attempt 1 at 0 s, waits 10 s; attempt 2 at 10 s would wait 20 s: 30 s is past 25 s
    assert result_of(history[-1]) == ["OSError", 2]
    assert [t["startToFireTimeout"] for t in of_type(history, "TimerStarted")] == ["10"]


def test_retry_policy_none_in_activity_options_turns_the_decorators_policy_off() -> None:
    failures_left["no retries"] = 1
    _, history = run(Reports, "no retries")
    assert result_of(history[-1]) == ["OSError", None]
    assert [a["activityId"] for a in of_type(history, "ActivityTaskScheduled")] == ["1"]


def test_a_timed_out_attempt_is_retried() -> None:
    h = Harness((Lost,), (Flaky(),), fail_activities={"Flaky.lost": 1})
    started = h.start(Lost, "run")
    h.run()
    history = h.history(started)
    assert result_of(history[-1]) == "found"
    assert [t["timeoutType"] for t in of_type(history, "ActivityTaskTimedOut")] == ["START_TO_CLOSE"]
    assert [a["activityId"] for a in of_type(history, "ActivityTaskScheduled")] == [
        "1-attempt-1",
        "1-attempt-2",
    ]


def test_the_calls_policy_wins_over_the_decorators_and_each_call_keeps_its_own_id() -> None:
    failures_left.update(first=2, second=1)
    _, history = run(FetchesTwo)
    assert result_of(history[-1]) == ["first fetched", "second fetched"]
    timers = {t["timerId"]: t["startToFireTimeout"] for t in of_type(history, "TimerStarted")}
    assert timers == {"1-backoff-2": "7", "1-backoff-3": "7", "2-backoff-2": "5"}


def test_a_failing_child_is_retried_under_a_new_workflow_id_per_attempt() -> None:
    failures_left["kid"] = 2
    _, history = run(RetriesChild, "kid", workflows=(FlakyChild,))
    result, workflow_id = result_of(history[-1])
    ids = [a["workflowId"] for a in of_type(history, "StartChildWorkflowExecutionInitiated")]
    assert result == "child kid done" and workflow_id == ids[-1]
    assert [i.rsplit("-", 2)[1:] for i in ids] == [["attempt", "1"], ["attempt", "2"], ["attempt", "3"]]
    assert len({i.rsplit("-", 2)[0] for i in ids}) == 1  # one base id, one suffix per attempt
    assert [t["startToFireTimeout"] for t in of_type(history, "TimerStarted")] == ["30", "60"]


def test_a_child_failing_every_attempt_raises_its_last_error_with_the_attempt_count() -> None:
    failures_left["hopeless"] = 10
    _, history = run(RetriesChild, "hopeless", workflows=(FlakyChild,))
    assert result_of(history[-1]) == ["failed", 3]


def test_replaying_a_retried_history_without_the_policy_is_a_divergence() -> None:
    failures_left["edited"] = 1
    h, history = run(FetchesOnce, "edited")
    execution = WorkflowExecution("wf", history[0]["workflowExecutionStartedEventAttributes"].get("runId"))
    table = {key: (FetchesWithoutPolicy, value[1], value[2]) for key, value in h.table.items()}
    with pytest.raises(NondeterminismError, match="1-attempt-1"):
        ExecutionReplay(table, execution, "tasks").apply(history)
    # and the unchanged code replays the same history to the end
    ExecutionReplay(h.table, execution, "tasks").apply(history)


class FetchesMany(WorkflowDefinition):
    @execute(version="1.0", execution_start_to_close_timeout=3600)
    def run(self, labels: list[str]) -> Any:
        return (yield fanout(Flaky.fetch, labels, max_concurrency=2))


def test_a_fanout_of_an_activity_with_a_policy_retries_each_input_on_its_own() -> None:
    failures_left.update(left=1, right=0)
    _, history = run(FetchesMany, ["left", "right"])
    assert result_of(history[-1]) == ["left fetched", "right fetched"]
    assert [a["activityId"] for a in of_type(history, "ActivityTaskScheduled")] == [
        "1-attempt-1",
        "2-attempt-1",
        "1-attempt-2",
    ]


def test_cancelling_the_workflow_mid_backoff_closes_it_at_once_and_makes_no_more_attempts() -> None:
    failures_left["cancelled"] = 5
    h = Harness((FetchesOnce,), (Flaky(),))
    started = h.start(FetchesOnce, "run", "cancelled")
    while not of_type(h.history(started), "TimerStarted"):
        assert h.decide_once() or h.work_once()
    h.call("RequestCancelWorkflowExecution", {"domain": "harness", **started})
    h.run()
    history = h.history(started)
    assert [e["eventType"] for e in history[-3:]] == [
        "DecisionTaskStarted",
        "DecisionTaskCompleted",
        "WorkflowExecutionCanceled",
    ]
    assert not of_type(history, "TimerFired")  # the backoff timer is dropped with the run, as in botoflow
    assert len(of_type(history, "ActivityTaskScheduled")) == 1


CLASS_POLICY = RetryPolicy(initial_interval=4)
METHOD_POLICY = RetryPolicy(initial_interval=9)


@activities(schedule_to_start_timeout=60, start_to_close_timeout=60, retry_policy=CLASS_POLICY)
class Defaults:
    @activity("1.0")
    def inherits(self) -> None:
        """Takes the class's policy."""

    @activity("1.0", retry_policy=METHOD_POLICY)
    def overrides(self) -> None:
        """Keeps its own."""


def test_the_activitys_own_policy_wins_over_its_class_default() -> None:
    assert vars(Defaults)["inherits"].activity_type.retry_policy is CLASS_POLICY
    assert vars(Defaults)["overrides"].activity_type.retry_policy is METHOD_POLICY


class SelfRetryingChild(WorkflowDefinition):
    @execute(
        version="1.0",
        execution_start_to_close_timeout=3600,
        retry_policy=RetryPolicy(initial_interval=20, maximum_attempts=4),
    )
    def run(self, label: str) -> Any:
        if failures_left.get(label, 0) > 0:
            failures_left[label] -= 1
            raise OSError(f"child {label} failed")
        return f"child {label} done"
        yield  # a generator, like any workflow


class StartsSelfRetrying(WorkflowDefinition):
    @execute(version="1.0", execution_start_to_close_timeout=3600)
    def run(self, label: str) -> Any:
        child = yield SelfRetryingChild.run(label)
        return (yield child.workflow_result)


def test_a_child_workflow_retries_under_the_policy_of_its_execute_decorator() -> None:
    failures_left["own"] = 1
    _, history = run(StartsSelfRetrying, "own", workflows=(SelfRetryingChild,))
    assert result_of(history[-1]) == "child own done"
    assert [t["startToFireTimeout"] for t in of_type(history, "TimerStarted")] == ["20"]


@activities(schedule_to_start_timeout=60, start_to_close_timeout=60)
class BothWays:
    @retry_activity(stop_max_attempt_number=5, wait_fixed=1)
    @activity("1.0", name="Flaky.fetch", retry_policy=RetryPolicy(initial_interval=3))
    def fetch(self, label: str) -> str:
        raise NotImplementedError  # runs as Flaky.fetch


class FetchesBothWays(WorkflowDefinition):
    @execute(version="1.0", execution_start_to_close_timeout=3600)
    def run(self, label: str) -> Any:
        return (yield BothWays.fetch(label))


def test_a_retry_policy_wins_over_botoflows_retry_activity_on_the_same_activity() -> None:
    failures_left["both"] = 1
    _, history = run(FetchesBothWays, "both")
    assert result_of(history[-1]) == "both fetched"
    assert [a["activityId"] for a in of_type(history, "ActivityTaskScheduled")] == [
        "1-attempt-1",
        "1-attempt-2",
    ]
    assert [t["startToFireTimeout"] for t in of_type(history, "TimerStarted")] == ["3"]


@activities(schedule_to_start_timeout=60, start_to_close_timeout=60)
class Botoflowish:
    @retry_activity(stop_max_attempt_number=3, wait_fixed=4)
    @activity("1.0")
    def fetch(self, label: str) -> str:
        if failures_left.get(label, 0) > 0:
            failures_left[label] -= 1
            raise OSError(f"{label} unavailable")
        return f"{label} fetched"


class RetriesOutsideItsBlock(WorkflowDefinition):
    """The call is made inside an options block, its retries happen after the block is left."""

    @execute(version="1.0", execution_start_to_close_timeout=3600)
    def run(self, label: str) -> Any:
        with activity_options(task_list="special", start_to_close_timeout=9):
            fetched = Botoflowish.fetch(label)
        return (yield fetched)


def test_botoflows_retry_activity_runs_in_the_one_retry_loop_with_botoflows_ids_and_call_time_options() -> (
    None
):
    failures_left["block"] = 2
    h = Harness((RetriesOutsideItsBlock,), (Botoflowish(),))
    run_started = h.start(RetriesOutsideItsBlock, "run", "block")
    # The attempts go to the block's task list: poll it as the harness polls its own.
    for _ in range(40):
        if h.decide_once():
            continue
        polled = h.call("PollForActivityTask", {"domain": "harness", "taskList": {"name": "special"}})
        if polled is None:
            deadline = h.engine.next_deadline()
            if deadline is None or h.open_count() == 0:
                break
            h.now = max(h.now, deadline)
            h.engine.advance(h.now)
            continue
        label = CONVERTER.loads(polled["input"])[0][0]
        try:
            result = Botoflowish().fetch(label)
        except OSError as error:
            h.call("RespondActivityTaskFailed", {"taskToken": polled["taskToken"], "reason": str(error)})
        else:
            h.call(
                "RespondActivityTaskCompleted",
                {"taskToken": polled["taskToken"], "result": CONVERTER.dumps(result)},
            )
    history = h.history(run_started)
    assert result_of(history[-1]) == "block fetched"
    scheduled = of_type(history, "ActivityTaskScheduled")
    # botoflow's ids: one from the counter per attempt and per timer, in the order they are made
    assert [a["activityId"] for a in scheduled] == ["1", "3", "5"]
    assert [(t["timerId"], t["startToFireTimeout"]) for t in of_type(history, "TimerStarted")] == [
        ("2", "4"),
        ("4", "4"),
    ]
    # every attempt has the options in force where the call was made (botoflow's rule), the
    # later ones too, although they are scheduled after the block was left
    assert {(a["taskList"]["name"], a["startToCloseTimeout"]) for a in scheduled} == {("special", "9")}
