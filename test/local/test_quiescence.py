"""Quiescence and time skipping in the service: what awsflow.testing's time skipping stands on.

``Service.skip_time`` moves the clock only when no worker has or can take a task, decided under
the service's lock from the engine's own task states.
"""

from __future__ import annotations

import copy
from typing import Any

import test_engine_invariants as invariants
from hypothesis import settings
from hypothesis.stateful import invariant
from swf_helpers import (
    TASK_LIST,
    decide,
    decision,
    event_types,
    history,
    poll_activity,
    schedule,
    setup_domain,
    start,
)

from awsflow.local import LocalSWF, VirtualClock
from awsflow.local.engine import Engine


def served_all(kind: str, domain: str, task_list: str) -> bool:
    return True


def served_none(kind: str, domain: str, task_list: str) -> bool:
    return False


def test_a_scheduled_decision_task_holds_the_clock_and_a_started_one_too(
    swf: LocalSWF, client: Any, domain: str, clock: VirtualClock
) -> None:
    setup_domain(client, domain)
    start(client, domain)
    before = clock.now()
    assert swf.service.skip_time(served_all) is None
    busy = swf.service.wait_quiet(served_all, 0.01)
    assert [(b.kind, b.state, b.task_list) for b in busy] == [("decision", "scheduled", TASK_LIST["name"])]
    client.poll_for_decision_task(domain=domain, taskList=TASK_LIST, identity="d")
    assert [(b.kind, b.state) for b in swf.service.wait_quiet(served_none, 0.01)] == [("decision", "started")]
    assert swf.service.skip_time(served_none) is None
    assert clock.now() == before


def test_a_task_on_a_list_nobody_serves_does_not_hold_the_clock(
    swf: LocalSWF, client: Any, domain: str, clock: VirtualClock
) -> None:
    setup_domain(client, domain)
    run = start(client, domain)
    before = clock.now()
    # The only standing deadline is the run's timeout (3600 s): skipping reaches it.
    assert swf.service.skip_time(served_none) == before + 3600
    assert "WorkflowExecutionTimedOut" in event_types(client, domain, run)


def test_skipping_jumps_to_the_timer_fires_it_and_then_waits_for_the_decider(
    swf: LocalSWF, client: Any, domain: str, clock: VirtualClock
) -> None:
    setup_domain(client, domain)
    run = start(client, domain, executionStartToCloseTimeout=str(10 * 86400))
    before = clock.now()
    decide(client, domain, decision("StartTimer", timerId="t", startToFireTimeout="86400"))
    assert swf.service.wait_quiet(served_all, 1.0) == []
    assert swf.service.skip_time(served_all) == before + 86400
    events = history(client, domain, run)
    fired = [e for e in events if e["eventType"] == "TimerFired"]
    assert len(fired) == 1 and fired[0]["eventTimestamp"].timestamp() == before + 86400
    # The timer scheduled a decision task: the clock is held again.
    assert swf.service.skip_time(served_all) is None


def test_a_running_activity_holds_the_clock_until_it_is_answered(
    swf: LocalSWF, client: Any, domain: str, clock: VirtualClock
) -> None:
    setup_domain(client, domain)
    start(client, domain)
    decide(client, domain, schedule("a1", startToCloseTimeout="300"))
    task = poll_activity(client, domain)
    assert [(b.kind, b.state, b.name) for b in swf.service.wait_quiet(served_all, 0.01)] == [
        ("activity", "started", "a1")
    ]
    assert swf.service.skip_time(served_all) is None
    client.respond_activity_task_completed(taskToken=task["taskToken"], result="r")
    decide(client, domain, decision("StartTimer", timerId="t", startToFireTimeout="60"))
    now = clock.now()
    # The activity's start-to-close deadline (300 s) no longer stands: the timer comes first.
    assert swf.service.skip_time(served_all) == now + 60


def test_skip_time_until_stops_at_the_given_instant(
    swf: LocalSWF, client: Any, domain: str, clock: VirtualClock
) -> None:
    setup_domain(client, domain)
    start(client, domain)
    decide(client, domain, decision("StartTimer", timerId="t", startToFireTimeout="100"))
    now = clock.now()
    assert swf.service.skip_time(served_all, until=now + 40) == now + 40
    assert swf.service.skip_time(served_all, until=now + 400) == now + 100


def test_retention_is_not_a_deadline_worth_skipping_to(
    swf: LocalSWF, client: Any, domain: str, clock: VirtualClock
) -> None:
    setup_domain(client, domain)
    start(client, domain)
    decide(client, domain, decision("CompleteWorkflowExecution", result="done"))
    assert swf.service.skip_time(served_all) is None


def test_wait_quiet_returns_when_the_watched_run_closes_though_others_are_busy(
    swf: LocalSWF, client: Any, domain: str
) -> None:
    setup_domain(client, domain)
    run = start(client, domain, workflow_id="watched")
    start(client, domain, workflow_id="other")
    client.terminate_workflow_execution(domain=domain, **run)
    assert swf.service.wait_quiet(served_all, 5.0, or_closed=(domain, run["workflowId"], run["runId"])) == []


class QuiescenceMachine(invariants.EngineMachine):
    """The engine's model-based test, also checking what time skipping relies on, after every step."""

    @invariant()
    def a_quiet_region_has_every_open_task_accounted_for(self) -> None:
        busy = self.engine.busy(served_all)
        snapshot = self.engine.snapshot()
        open_tasks = sum(
            (1 if run["decision"] else 0) + len(run["activities"])
            for run in snapshot["executions"]
            if run["close_status"] is None
        )
        assert len(busy) == open_tasks

    @invariant()
    def skipping_to_the_next_standing_deadline_always_writes_history(self) -> None:
        upcoming = self.engine.next_standing_deadline()
        if upcoming is None:
            return
        probe = Engine.from_snapshot(copy.deepcopy(self.engine.snapshot()))
        before = _event_count(probe)
        probe.advance(max(upcoming, self.now))
        assert _event_count(probe) > before, "a jump to a standing deadline fired nothing"


def _event_count(engine: Engine) -> int:
    return sum(len(run["events"]) for run in engine.snapshot()["executions"])


QuiescenceMachine.TestCase.settings = settings(max_examples=25, stateful_step_count=30, deadline=None)
test_quiescence_under_any_interleaving = QuiescenceMachine.TestCase
