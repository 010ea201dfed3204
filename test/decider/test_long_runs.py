"""Conditions, external executions, long histories and split decision lists, in the pure engine."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from harness import DOMAIN, Harness
from workflows import Steps

import awsflow
from awsflow import workflow_time
from awsflow._swf import Limits
from awsflow.core import AllFuture, Future
from awsflow.data_converter import JSONDataConverter
from awsflow.decider import ExecutionReplay
from awsflow.decorators import activities, activity, execute, signal
from awsflow.exceptions import (
    NotInWorkflowError,
    RequestCancelExternalWorkflowExecutionFailedError,
    SignalExternalWorkflowExecutionFailedError,
)
from awsflow.workflow_definition import WorkflowDefinition
from awsflow.workflow_execution import WorkflowExecution

CONVERTER = JSONDataConverter()


def attributes(event: dict[str, Any]) -> dict[str, Any]:
    return dict(event.get(event["eventType"][0].lower() + event["eventType"][1:] + "EventAttributes", {}))


def result_of(h: Harness, run: dict[str, str]) -> Any:
    close = h.close_event(run)
    assert close["eventType"] == "WorkflowExecutionCompleted", close
    return CONVERTER.loads(attributes(close)["result"])


def signal_run(h: Harness, run: dict[str, str], name: str, *args: Any) -> None:
    request = {"domain": DOMAIN, **run, "signalName": name, "input": CONVERTER.dumps([args, {}])}
    h.call("SignalWorkflowExecution", request)


def replays_cleanly(h: Harness, run: dict[str, str]) -> None:
    """The finished history replays cold, and fed in decision-task chunks, with no divergence."""
    history = h.history(run)
    execution = WorkflowExecution(run["workflowId"], run["runId"])
    assert ExecutionReplay(h.table, execution, "tasks").apply(history).decisions == []
    kept = ExecutionReplay(h.table, execution, "tasks")
    for cut in (i + 1 for i, e in enumerate(history) if e["eventType"] == "DecisionTaskStarted"):
        cold = ExecutionReplay(h.table, execution, "tasks").apply(history[:cut]).decisions
        assert kept.apply(history[:cut]).decisions == cold


# -- wait_condition -------------------------------------------------------------------------------
class Approval(WorkflowDefinition):
    @execute(version="1.0", execution_start_to_close_timeout=7 * 86400)
    def run(self, timeout: float | None) -> Any:
        self.approvals: list[str] = []
        met = yield awsflow.wait_condition(lambda: len(self.approvals) >= 2, timeout=timeout)
        return [met, self.approvals, workflow_time.time()]

    @signal()
    def approve(self, who: str) -> None:
        self.approvals.append(who)


def test_wait_condition_wakes_when_signals_make_the_predicate_true() -> None:
    h = Harness((Approval,), ())
    run = h.start(Approval, "run", None)
    h.decide_once()
    signal_run(h, run, "approve", "ana")
    h.decide_once()
    assert h.records[-1].decisions == []  # one approval: still waiting, nothing to decide
    signal_run(h, run, "approve", "bo")
    h.run()
    met, approvals, _ = result_of(h, run)
    assert (met, approvals) == (True, ["ana", "bo"])
    assert not [e for e in h.history(run) if e["eventType"].startswith("Timer")]
    replays_cleanly(h, run)


def test_wait_condition_with_a_timeout_cancels_its_timer_when_the_predicate_comes_true() -> None:
    h = Harness((Approval,), ())
    run = h.start(Approval, "run", 3600)
    h.decide_once()
    signal_run(h, run, "approve", "ana")
    signal_run(h, run, "approve", "bo")
    h.run()
    assert result_of(h, run)[0] is True
    types = [e["eventType"] for e in h.history(run)]
    assert "TimerStarted" in types and "TimerCanceled" in types and "TimerFired" not in types
    replays_cleanly(h, run)


def test_wait_condition_times_out_on_a_durable_timer_with_false() -> None:
    h = Harness((Approval,), ())
    run = h.start(Approval, "run", 3600)
    h.decide_once()
    signal_run(h, run, "approve", "ana")
    started = h.now
    h.run()  # jumps the clock to the timer
    met, approvals, finished = result_of(h, run)
    assert (met, approvals) == (False, ["ana"]) and finished - started >= 3600
    replays_cleanly(h, run)


class AlreadyTrue(WorkflowDefinition):
    @execute(version="1.0", execution_start_to_close_timeout=60)
    def run(self) -> Any:
        met = yield awsflow.wait_condition(lambda: True, timeout=30)
        return met


class BadPredicate(WorkflowDefinition):
    @execute(version="1.0", execution_start_to_close_timeout=3600)
    def run(self) -> Any:
        self.ready = False
        try:
            yield awsflow.wait_condition(lambda: self.ready and 1 / 0)
        except ZeroDivisionError:
            return "predicate raised"
        return "no"

    @signal()
    def go(self) -> None:
        self.ready = True


def test_a_predicate_already_true_is_ready_at_once_without_a_timer() -> None:
    h = Harness((AlreadyTrue,), ())
    run = h.start(AlreadyTrue, "run")
    h.run()
    assert result_of(h, run) is True
    assert not [e for e in h.history(run) if e["eventType"].startswith("Timer")]


def test_a_predicate_that_raises_fails_the_wait_with_its_exception() -> None:
    h = Harness((BadPredicate,), ())
    run = h.start(BadPredicate, "run")
    h.decide_once()
    signal_run(h, run, "go")
    h.run()
    assert result_of(h, run) == "predicate raised"


def test_workflow_only_helpers_raise_a_clear_error_outside_a_workflow() -> None:
    for call in (
        lambda: awsflow.wait_condition(lambda: True),
        awsflow.history_length,
        lambda: awsflow.continue_as_new(1),
    ):
        with pytest.raises(NotInWorkflowError, match=r"can only be called from workflow code"):
            call()
    with pytest.raises(TypeError):  # NotInWorkflowError is a TypeError, as workflow_time's was
        awsflow.history_length()


# -- external executions --------------------------------------------------------------------------
class Target(WorkflowDefinition):
    @execute(version="1.0", execution_start_to_close_timeout=3600)
    def run(self) -> Any:
        self.heard: list[str] = []
        yield awsflow.wait_condition(lambda: bool(self.heard))
        return self.heard

    @signal()
    def hear(self, word: str) -> None:
        self.heard.append(word)


class Remote(WorkflowDefinition):
    @execute(version="1.0", execution_start_to_close_timeout=3600)
    def run(self, workflow_id: str, action: str) -> Any:
        other = awsflow.ExternalWorkflow(workflow_id)
        try:
            if action == "signal":
                yield other.signal("hear", "hello")
            else:
                yield other.request_cancel()
        except (
            SignalExternalWorkflowExecutionFailedError,
            RequestCancelExternalWorkflowExecutionFailedError,
        ) as e:
            return [type(e).__name__, e.cause, e.workflow_id]
        return "delivered"


@pytest.mark.parametrize("action", ["signal", "cancel"])
def test_a_workflow_signals_or_cancels_an_execution_it_did_not_start(action: str) -> None:
    h = Harness((Remote, Target), ())
    target = h.start(Target, "run", workflow_id="target")
    h.decide_once()
    run = h.start(Remote, "run", "target", action, workflow_id="remote")
    h.run()
    assert result_of(h, run) == "delivered"
    if action == "signal":
        assert result_of(h, target) == ["hello"]
    else:
        assert h.close_event(target)["eventType"] == "WorkflowExecutionCanceled"
    replays_cleanly(h, run)


@pytest.mark.parametrize(
    ("action", "error"),
    [
        ("signal", "SignalExternalWorkflowExecutionFailedError"),
        ("cancel", "RequestCancelExternalWorkflowExecutionFailedError"),
    ],
)
def test_acting_on_an_unknown_execution_raises_swfs_cause(action: str, error: str) -> None:
    h = Harness((Remote,), ())
    run = h.start(Remote, "run", "nobody", action, workflow_id="remote")
    h.run()
    assert result_of(h, run) == [error, "UNKNOWN_EXTERNAL_WORKFLOW_EXECUTION", "nobody"]


# -- history length and continue-as-new ----------------------------------------------------------
class Looping(WorkflowDefinition):
    """Works in rounds; past a budget of history events, continues as new with its count."""

    @execute(version="1.0", execution_start_to_close_timeout=3600)
    def run(self, done: int, budget: int, total: int) -> Any:
        lengths = []
        while done < total:
            yield Steps.double(done)
            done += 1
            lengths.append(awsflow.history_length())
            if awsflow.history_length() > budget and done < total:
                awsflow.continue_as_new(done, budget, total)
                return None
        return done


def test_history_length_grows_with_the_history_and_continue_as_new_starts_afresh() -> None:
    h = Harness((Looping,), (Steps(),))
    run = h.start(Looping, "run", 0, 20, 10)
    h.run()
    chain, history = [run], h.history(run)
    while history[-1]["eventType"] == "WorkflowExecutionContinuedAsNew":
        new_run = attributes(history[-1])["newExecutionRunId"]
        chain.append({"workflowId": run["workflowId"], "runId": new_run})
        history = h.history(chain[-1])
    assert CONVERTER.loads(attributes(history[-1])["result"]) == 10
    assert len(chain) >= 3
    for each in chain:
        assert len(h.history(each)) < 20 + 12  # each run stopped soon after its budget
        replays_cleanly(h, each)


class Measuring(WorkflowDefinition):
    @execute(version="1.0", execution_start_to_close_timeout=3600)
    def run(self) -> Any:
        first = awsflow.history_length()
        yield Steps.double(1)
        second = awsflow.history_length()
        return [first, second]


def test_history_length_is_the_started_event_of_the_decision_task_on_every_replay() -> None:
    h = Harness((Measuring,), (Steps(),))
    run = h.start(Measuring, "run")
    h.run()
    history = h.history(run)
    started = [e["eventId"] for e in history if e["eventType"] == "DecisionTaskStarted"]
    assert result_of(h, run) == started[:2]


def test_passing_80_percent_of_the_history_cap_logs_one_warning(caplog: pytest.LogCaptureFixture) -> None:
    h = Harness((Looping,), (Steps(),), limits=Limits(history_warning_at=15))
    with caplog.at_level(logging.WARNING, logger="awsflow.decider"):
        run = h.start(Looping, "run", 0, 1000, 5)
        h.run()
    assert result_of(h, run) == 5
    warnings = [r.getMessage() for r in caplog.records if "limit of 25000" in r.getMessage()]
    assert len(warnings) == 1 and "continue_as_new" in warnings[0]


# -- decision lists larger than one response -----------------------------------------------------
@activities(schedule_to_start_timeout=60, start_to_close_timeout=60)
class Bulky:
    @activity("1.0")
    def echo(self, text: str) -> int:
        return len(text)


class Wide(WorkflowDefinition):
    @execute(version="1.0", execution_start_to_close_timeout=3600)
    def run(self, n: int, size: int) -> Any:
        results = yield AllFuture(*[Bulky.echo(f"{i:03d}" + "x" * size) for i in range(n)])
        return sum(results)


def run_in_bulk(h: Harness) -> None:
    """Like h.run(), but all ready activities run between decisions: few decision tasks."""
    while True:
        progressed = False
        while h.decide_once():
            progressed = True
        while h.work_once():
            progressed = True
        if not progressed:
            break
    h.run()


def decision_batches(history: list[dict[str, Any]]) -> list[list[str]]:
    """The decisions of each completed decision task, as their result event types."""
    batches: dict[int, list[str]] = {}
    for event in history:
        completed = attributes(event).get("decisionTaskCompletedEventId")
        if completed:
            batches.setdefault(completed, []).append(event["eventType"])
    return [batches[key] for key in sorted(batches)]


def test_more_than_100_decisions_go_out_in_parts_each_ended_by_a_zero_second_timer() -> None:
    h = Harness((Wide,), (Bulky(),))
    run = h.start(Wide, "run", 250, 1)
    run_in_bulk(h)
    assert result_of(h, run) == 250 * 4
    batches = [b for b in decision_batches(h.history(run)) if "ActivityTaskScheduled" in b]
    assert [len(b) for b in batches] == [100, 100, 52]
    assert batches[0][-1] == batches[1][-1] == "TimerStarted"
    assert batches[2].count("ActivityTaskScheduled") == 52
    timers = [attributes(e) for e in h.history(run) if e["eventType"] == "TimerStarted"]
    assert [(t["timerId"], t["startToFireTimeout"]) for t in timers] == [
        ("awsflow.more-decisions.1", "0"),
        ("awsflow.more-decisions.2", "0"),
    ]
    replays_cleanly(h, run)


def test_decisions_over_swfs_1_mb_request_limit_are_split_by_size() -> None:
    h = Harness((Wide,), (Bulky(),))
    run = h.start(Wide, "run", 40, 30_000)  # 40 inputs of ~30 KB: 1.2 MB in one response
    run_in_bulk(h)
    assert result_of(h, run) == 40 * 30_003
    batches = [b for b in decision_batches(h.history(run)) if "ActivityTaskScheduled" in b]
    assert len(batches) == 2 and batches[0][-1] == "TimerStarted"
    assert 25 <= batches[0].count("ActivityTaskScheduled") < 40
    replays_cleanly(h, run)


def test_a_history_that_sent_everything_in_one_response_still_replays() -> None:
    # A decider that never splits wrote it.
    h = Harness((Wide,), (Bulky(),), limits=Limits(decisions_per_response=10_000))
    run = h.start(Wide, "run", 150, 1)
    run_in_bulk(h)
    assert [len(b) for b in decision_batches(h.history(run)) if "ActivityTaskScheduled" in b] == [150]
    replays_cleanly(h, run)


def test_a_split_replay_still_detects_changed_code() -> None:
    h = Harness((Wide,), (Bulky(),))
    run = h.start(Wide, "run", 150, 1)
    run_in_bulk(h)

    class Narrower(WorkflowDefinition):
        @execute(version="1.0", execution_start_to_close_timeout=3600)
        def run(self, n: int, size: int) -> Any:
            results = yield AllFuture(*[Bulky.echo(f"{i:03d}" + "x" * size) for i in range(n - 1)])
            return sum(results)

    replay = ExecutionReplay(
        lambda name, version: (Narrower, Narrower._workflow_type_by_func["run"], "run"),
        WorkflowExecution(run["workflowId"], run["runId"]),
        "tasks",
    )
    from awsflow.exceptions import NondeterminismError

    with pytest.raises(NondeterminismError):
        replay.apply(h.history(run))


def test_nothing_waits_forever_on_a_future_nobody_resolves() -> None:
    assert not Future().done()  # sanity for the helpers above: a bare Future stays pending


def test_a_split_decision_task_that_timed_out_is_decided_again_in_full() -> None:
    h = Harness((Wide,), (Bulky(),))
    run = h.start(Wide, "run", 150, 1)
    assert h.call("PollForDecisionTask", {"domain": DOMAIN, "taskList": {"name": "tasks"}})  # never answered
    h.now += 31
    h.engine.advance(h.now)
    assert "DecisionTaskTimedOut" in [e["eventType"] for e in h.history(run)]
    run_in_bulk(h)
    assert result_of(h, run) == 150 * 4
    batches = [b for b in decision_batches(h.history(run)) if "ActivityTaskScheduled" in b]
    assert [len(b) for b in batches] == [100, 51]
    replays_cleanly(h, run)
