"""Generated child workflow ids: ``<parent runId>:<n>`` as botoflow and AWS Flow for Java make them,
while histories written with awsflow's former ``sha1(runId)[:20]-<n>`` ids keep replaying."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from harness import Harness
from workflows import Child, Parent, Steps

from awsflow.data_converter import JSONDataConverter
from awsflow.decider import ExecutionReplay
from awsflow.decorators import execute
from awsflow.exceptions import ChildWorkflowFailedError
from awsflow.options import workflow_options
from awsflow.retry_policy import RetryPolicy
from awsflow.workflow_definition import WorkflowDefinition
from awsflow.workflow_execution import WorkflowExecution

CONVERTER = JSONDataConverter()
failures_left: dict[str, int] = {}


class SometimesFailingChild(WorkflowDefinition):
    @execute(version="1.0", execution_start_to_close_timeout=3600)
    def run(self, label: str) -> Any:
        if failures_left.get(label, 0) > 0:
            failures_left[label] -= 1
            raise OSError(f"child {label} failed")
        return f"child {label} done"
        yield  # a generator, like any workflow


class RetriesItsChild(WorkflowDefinition):
    @execute(version="1.0", execution_start_to_close_timeout=3600)
    def run(self, label: str) -> Any:
        with workflow_options(retry_policy=RetryPolicy(initial_interval=30, maximum_attempts=3)):
            child = yield SometimesFailingChild.run(label)
        try:
            return [(yield child.workflow_result), child.workflow_execution.workflow_id]
        except ChildWorkflowFailedError as error:
            return ["failed", error.attempts]


def run(workflows: tuple[type, ...], *args: Any) -> tuple[Harness, dict[str, str], list[dict[str, Any]]]:
    h = Harness(workflows, (Steps(),))
    started = h.start(workflows[0], "run", *args)
    h.run()
    return h, started, h.history(started)


def attributes(event: dict[str, Any]) -> dict[str, Any]:
    return dict(event.get(event["eventType"][0].lower() + event["eventType"][1:] + "EventAttributes", {}))


def in_former_form(history: list[dict[str, Any]], run_id: str) -> list[dict[str, Any]]:
    """The history as awsflow 0.1.0.dev0 wrote it: child ids ``sha1(runId)[:20]-<n>``."""
    former = hashlib.sha1(run_id.encode()).hexdigest()[:20] + "-"
    rewritten = json.loads(json.dumps(history, default=str).replace(f"{run_id}:", former))
    assert rewritten != json.loads(json.dumps(history, default=str)), "the history had no generated child id"
    return list(rewritten)


def replayed_last_decisions(h: Harness, started: dict[str, str], events: list[dict[str, Any]]) -> Any:
    last_started = max(i for i, e in enumerate(events) if e["eventType"] == "DecisionTaskStarted")
    execution = WorkflowExecution(started["workflowId"], started["runId"])
    return ExecutionReplay(h.table, execution, "tasks").apply(events[: last_started + 1]).decisions


def test_a_generated_child_id_is_the_parent_run_id_and_the_call_number() -> None:
    _, started, history = run((Parent, Child), 21)
    initiated = [attributes(e) for e in history if e["eventType"] == "StartChildWorkflowExecutionInitiated"]
    assert [a["workflowId"] for a in initiated] == [f"{started['runId']}:1"]
    assert CONVERTER.loads(attributes(history[-1])["result"]) == [42, f"{started['runId']}:1"]


def test_a_history_with_child_ids_in_the_former_form_replays_and_keeps_them() -> None:
    h, started, history = run((Parent, Child), 21)
    former = in_former_form(history, started["runId"])
    decisions = replayed_last_decisions(h, started, former)
    assert decisions[0]["decisionType"] == "CompleteWorkflowExecution"
    result = decisions[0]["completeWorkflowExecutionDecisionAttributes"]["result"]
    assert result == attributes(former[-1])["result"]  # the child's id as recorded
    assert CONVERTER.loads(result)[1].endswith("-1") and ":" not in CONVERTER.loads(result)[1]


def test_a_retried_child_history_in_the_former_form_replays_every_attempt() -> None:
    failures_left["kid"] = 2
    h, started, history = run((RetriesItsChild, SometimesFailingChild), "kid")
    ids = [
        a["workflowId"]
        for a in map(attributes, history)
        if "workflowId" in a and "-attempt-" in a["workflowId"]
    ]
    assert ids and all(i.startswith(f"{started['runId']}:1-attempt-") for i in ids)
    former = in_former_form(history, started["runId"])
    decisions = replayed_last_decisions(h, started, former)
    result = decisions[0]["completeWorkflowExecutionDecisionAttributes"]["result"]
    assert result == attributes(former[-1])["result"]
    assert CONVERTER.loads(result)[1].endswith("-1-attempt-3")
