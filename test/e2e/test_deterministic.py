"""Deterministic helpers end to end: values survive replays by workers that keep no state."""

from __future__ import annotations

import datetime
import uuid
from typing import Any

import flows
from flowkit import Flow

import awsflow
from awsflow import WorkflowDefinition, execute, workflow_time

effects: list[int] = []


class Draws(WorkflowDefinition):
    @execute(version="1.0", execution_start_to_close_timeout=3600)
    def run(self) -> Any:
        first = [workflow_time.now().isoformat(), awsflow.random().random(), str(awsflow.uuid4())]
        effect = awsflow.side_effect(lambda: effects.append(1) or len(effects))
        yield flows.Shop.price("apple")  # each later decision task replays the lines above
        yield workflow_time.sleep(30)
        return [*first, effect, workflow_time.now().isoformat()]


def test_now_random_uuid4_and_side_effect_are_stable_across_decision_tasks(flow: Flow) -> None:
    effects.clear()
    flow.workflow_worker(Draws)
    flow.activity_worker(flows.Shop())
    instance = Draws.run()
    flow.wait_for_event(instance.workflow_execution, "TimerStarted")
    flow.advance(31)
    when, draw, an_id, effect, later = instance.wait_for_completion(timeout=10)
    assert effects == [1] and effect == 1  # ran once, in the first decision task
    assert 0 <= draw < 1 and uuid.UUID(an_id).version == 4
    history = flow.history(instance.workflow_execution)
    started = [e["eventTimestamp"] for e in history if e["eventType"] == "DecisionTaskStarted"]
    assert datetime.datetime.fromisoformat(when) == started[0]  # aware, UTC, to the microsecond
    assert datetime.datetime.fromisoformat(later) == started[-1]
    assert started[-1] - started[0] >= datetime.timedelta(seconds=30)
