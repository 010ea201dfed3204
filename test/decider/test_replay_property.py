"""Property: replaying any prefix of a history reproduces the decisions recorded after it.

Hypothesis draws a workflow program (sequential and parallel activities, failures, timers,
child workflows, fan-outs, retry policies, activities it cancels, signals that schedule
activities of their own, a cancel request from outside answered by a cancellation_handler that
runs an activity) and an interleaving of the service's work: decision tasks are polled and
answered with other events arriving in between (so events land between a task's start and its
completion), activities finish in any order, time jumps. Whatever happened, at every decision
task boundary of the final history, a cold replay of the prefix must make exactly the decisions
the history recorded for that task, and a replay fed the events in chunks must agree with it.
Some decision tasks are answered as a worker whose code failed to decide them answers (the
failure marker and retry timer of awsflow.decision_failures): invisible to the code, they must
change no decision of the others.
"""

from __future__ import annotations

import contextlib
import os
from typing import Any

from harness import DOMAIN, TASK_LIST, Harness
from history_checks import decision_keys, recorded_keys
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from workflows import Steps

from awsflow import RetryPolicy, fanout, workflow_time
from awsflow.core import CancelledError
from awsflow.data_converter import JSONDataConverter
from awsflow.decider import ExecutionReplay
from awsflow.decision_failures import failure_decisions, is_retry_timer, next_attempt
from awsflow.decorators import execute, signal
from awsflow.exceptions import (
    ActivityTaskFailedError,
    NondeterminismError,
    RequestCancelActivityTaskFailedError,
)
from awsflow.local.engine import SwfFault
from awsflow.options import activity_options
from awsflow.workflow_definition import WorkflowDefinition
from awsflow.workflow_execution import WorkflowExecution

CONVERTER = JSONDataConverter()


class Program(WorkflowDefinition):
    """Runs a program given as data: [["act", x] | ["par", n] | ["fail"] | ["timer", s] | ["child", x] ...]."""

    @execute(version="1.0", execution_start_to_close_timeout=86_400)
    def run(self, program: list[list[Any]]) -> Any:
        total = 0
        for step in program:
            kind = step[0]
            if kind == "act":
                total += yield Steps.double(step[1])
            elif kind == "par":
                total += sum((yield [Steps.double(i) for i in range(step[1])]))
            elif kind == "fail":
                try:
                    yield Steps.ship(1)
                except ActivityTaskFailedError:
                    total += 1
            elif kind == "timer":
                yield workflow_time.sleep(step[1])
            elif kind == "child":
                child = yield Program.run([["act", step[1]]])
                total += yield child.workflow_result
            elif kind == "fan":
                total += sum(
                    (yield fanout(Steps.double, range(step[1]), max_concurrency=step[2], ramp_up=step[3]))
                )
            elif kind == "cancel":
                work = Steps.double(step[1])
                yield workflow_time.sleep(step[2])  # 0: the cancel may withdraw it unsent
                try:
                    yield work.cancel()
                    total += yield work
                except CancelledError:  # canceled (or withdrawn)
                    total += 1
                except RequestCancelActivityTaskFailedError:  # it finished first
                    total += yield work
            elif kind == "retry":
                with activity_options(retry_policy=RetryPolicy(initial_interval=step[1], maximum_attempts=3)):
                    try:
                        yield Steps.ship(1)
                    except ActivityTaskFailedError:
                        total += 1
        return total

    def cancellation_handler(self) -> Any:
        yield Steps.double(100)  # the run closes canceled once this activity is done

    @signal()
    def poke(self, n: int) -> Any:
        # Runs when the signal arrives, as a task of the workflow: it adds decisions of its own.
        yield Steps.double(n)


steps = st.one_of(
    st.tuples(st.just("act"), st.integers(0, 9)),
    st.tuples(st.just("par"), st.integers(1, 4)),
    st.tuples(st.just("fail")),
    st.tuples(st.just("timer"), st.integers(1, 120)),
    st.tuples(st.just("child"), st.integers(0, 9)),
    st.tuples(st.just("fan"), st.integers(0, 8), st.integers(1, 3), st.sampled_from([0, 30])),
    st.tuples(st.just("retry"), st.integers(0, 40)),
    st.tuples(st.just("cancel"), st.integers(0, 9), st.sampled_from([0, 1])),
)


class Interleaving(Harness):
    """The harness with a decision task's poll and answer as separate steps."""

    def poll_decision(self) -> Any:
        task = self.call("PollForDecisionTask", {"domain": DOMAIN, "taskList": {"name": TASK_LIST}})
        if task is None:
            return None
        execution = task["workflowExecution"]
        replay = ExecutionReplay(
            self.table, WorkflowExecution(execution["workflowId"], execution["runId"]), TASK_LIST
        )
        history = self.history(execution)
        return task["taskToken"], replay.apply(history).decisions, task["startedEventId"], history

    def answer(self, token: str, decisions: list[dict[str, Any]], *_: Any) -> None:
        # The task may have timed out meanwhile (SWF then schedules another): its token is stale.
        with contextlib.suppress(SwfFault):
            self.call("RespondDecisionTaskCompleted", {"taskToken": token, "decisions": decisions})

    def fail(self, token: str, decisions: list[dict[str, Any]], started: int, history: Any) -> None:
        """Answer as a worker whose code could not decide the task (awsflow.decision_failures)."""
        attempt = next_attempt(history)
        self.answer(token, failure_decisions(NondeterminismError("injected"), started, attempt))


@settings(
    max_examples=int(os.environ.get("AWSFLOW_PROPERTY_EXAMPLES", "40")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(program=st.lists(steps, min_size=1, max_size=6), data=st.data())
def test_replaying_any_prefix_reproduces_recorded_decisions(program: list[Any], data: st.DataObject) -> None:
    h = Interleaving((Program,), (Steps(),))
    root = h.start(Program, "run", [list(step) for step in program])
    out: list[tuple[str, list[dict[str, Any]], int, Any]] = []
    cancel_at = data.draw(st.none() | st.integers(0, 119))  # a RequestCancelWorkflowExecution
    for step in range(120):
        if step == cancel_at:
            with contextlib.suppress(SwfFault):  # the run may have closed already
                h.call("RequestCancelWorkflowExecution", {"domain": DOMAIN, **root})
        action = data.draw(st.sampled_from(["poll", "answer", "work", "tick", "signal", "fail"]))
        if action == "poll":
            polled = h.poll_decision()
            if polled is not None:
                out.append(polled)
        elif action == "answer" and out:
            h.answer(*out.pop(data.draw(st.integers(0, len(out) - 1))))
        elif action == "fail" and out:  # the worker's code raised: the failure marker and retry timer
            h.fail(*out.pop(data.draw(st.integers(0, len(out) - 1))))
        elif action == "work":
            h.work_once()
        elif action == "signal":
            request = {"domain": DOMAIN, **root, "signalName": "poke", "input": CONVERTER.dumps([(3,), {}])}
            with contextlib.suppress(SwfFault):  # the run may have closed already
                h.call("SignalWorkflowExecution", request)
        elif action == "tick":
            h.now += data.draw(st.sampled_from([1, 20, 61, 130]))
            h.engine.advance(h.now)
    for polled in out:
        h.answer(*polled)
    h.run()
    # Time jumps may time activities out and fail the workflow: a legitimate outcome.
    assert h.close_event(root)["eventType"].startswith("WorkflowExecution")
    assert all(record.error is None for record in h.records)

    runs = h.call("ListClosedWorkflowExecutions", {"domain": DOMAIN, "startTimeFilter": {"oldestDate": 0}})
    for info in runs["executionInfos"]:
        execution = WorkflowExecution(info["execution"]["workflowId"], info["execution"]["runId"])
        history = h.history(info["execution"])
        sticky = ExecutionReplay(h.table, execution, TASK_LIST)
        fed = 0
        for index, event in enumerate(history):
            if event["eventType"] != "DecisionTaskStarted":
                continue
            prefix = history[: index + 1]
            cold = ExecutionReplay(h.table, execution, TASK_LIST).apply(prefix).decisions
            recorded = recorded_keys(history, event["eventId"])
            if recorded is not None and not any(is_retry_timer(key) for _, key in recorded):
                assert decision_keys(cold) == recorded
            # (A failed task's answer is the worker's, not the code's: the code's decisions there
            # are made again in the next task, which the checks of later boundaries cover.)
            chunk_end = data.draw(st.integers(fed, index + 1))
            sticky.apply(history[fed:chunk_end])
            fed = chunk_end
            assert sticky.apply(history[fed : index + 1]).decisions == cold
            fed = index + 1
