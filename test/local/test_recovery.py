"""Restarts never fail on a store the service wrote; failures outside requests are undone too.

A journal written by an older awsflow.local may hold commands today's engine refuses or trips
over: those are logged, set aside (kept in the store with the reason) and skipped, and the
service starts. A deadline whose firing raises is discarded (it would fail every request), a
journal write that fails undoes its command, and a rebuilt engine does not run a Lambda
function twice.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Any

import pytest
from test_all_or_nothing import DOMAIN, SETUP, TASK_LIST, WORKFLOW, Injector
from waiting import wait_until

from awsflow.local import VirtualClock
from awsflow.local._service import Service
from awsflow.local._store import MemoryStore, SqliteStore
from awsflow.local.engine import UnknownOperationException

pytestmark = pytest.mark.skipif(
    __import__("os").environ.get("AWS_SWF_CONFORMANCE") == "moto",
    reason="tests awsflow.local's own durability",
)


def _setup(service: Service) -> None:
    for operation, request in SETUP:
        service.call(operation, request)


def _start(service: Service, workflow_id: str, **options: Any) -> dict[str, str]:
    body = service.call(
        "StartWorkflowExecution",
        {"domain": DOMAIN, "workflowId": workflow_id, "workflowType": WORKFLOW, **options},
    )
    assert body is not None
    return {"workflowId": workflow_id, "runId": body["runId"]}


def _events(service: Service, run: dict[str, str]) -> list[str]:
    body = service.call("GetWorkflowExecutionHistory", {"domain": DOMAIN, "execution": run})
    assert body is not None
    return [event["eventType"] for event in body["events"]]


def _decide(service: Service, *decisions: dict[str, Any]) -> None:
    task = service.call("PollForDecisionTask", {"domain": DOMAIN, "taskList": TASK_LIST})
    assert task is not None and task.get("taskToken"), "no decision task queued"
    service.call(
        "RespondDecisionTaskCompleted", {"taskToken": task["taskToken"], "decisions": list(decisions)}
    )


def test_a_journaled_command_that_is_now_refused_is_set_aside_and_the_service_starts(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    db = tmp_path / "swf.sqlite"
    clock = VirtualClock()
    first = Service(store=SqliteStore(db), clock=clock, poll_timeout=0)
    _setup(first)
    kept = _start(first, "kept")
    first.close()
    # What an older awsflow.local could have journaled and this one refuses.
    store = SqliteStore(db)
    store.append("NoLongerAnOperation", {"x": 1}, clock.now())
    store.close()
    with caplog.at_level(logging.ERROR, logger="awsflow.local"):
        second = Service(store=SqliteStore(db), clock=clock, poll_timeout=0)
    assert "journaled command #5 (NoLongerAnOperation" in caplog.text  # 3 registrations, 1 start
    assert "UnknownOperationException" in caplog.text
    after = _start(second, "after")
    assert _events(second, kept) == ["WorkflowExecutionStarted", "DecisionTaskScheduled"]
    second.close()
    store = SqliteStore(db)
    [aside] = store.set_aside()
    assert aside.entry.operation == "NoLongerAnOperation" and aside.entry.request == {"x": 1}
    assert aside.error.startswith(UnknownOperationException.__name__)
    store.close()
    caplog.clear()
    with caplog.at_level(logging.ERROR, logger="awsflow.local"):
        third = Service(store=SqliteStore(db), clock=clock, poll_timeout=0)
    assert caplog.text == "", "the set-aside command is not re-applied on every start"
    assert _events(third, after) == ["WorkflowExecutionStarted", "DecisionTaskScheduled"]
    third.close()


def test_a_journaled_command_that_fails_half_way_on_replay_is_undone(tmp_path: Path) -> None:
    db = tmp_path / "swf.sqlite"
    clock = VirtualClock()
    first = Service(store=SqliteStore(db), clock=clock, poll_timeout=0)
    _setup(first)
    run = _start(first, "w")
    first.call("SignalWorkflowExecution", {"domain": DOMAIN, **run, "signalName": "a"})
    first.call("SignalWorkflowExecution", {"domain": DOMAIN, **run, "signalName": "b"})
    first.close()

    class FailSecondSignal:
        """Make the replay of the second signal raise after it changed the state."""

        def __init__(self) -> None:
            self.appends = 0

        def __call__(self, point: str) -> None:
            if point == "append":
                self.appends += 1
                if self.appends == 4:  # Started, Scheduled, signal a, then signal b
                    raise RuntimeError("the engine of today trips over this old command")

    second = Service(store=SqliteStore(db), clock=clock, poll_timeout=0, mutation_hook=FailSecondSignal())
    # Signal b is gone entirely: no half-appended event, ids contiguous.
    assert _events(second, run) == [
        "WorkflowExecutionStarted",
        "DecisionTaskScheduled",
        "WorkflowExecutionSignaled",
    ]
    second.call("SignalWorkflowExecution", {"domain": DOMAIN, **run, "signalName": "c"})
    body = second.call("GetWorkflowExecutionHistory", {"domain": DOMAIN, "execution": run})
    assert body is not None
    assert [e["eventId"] for e in body["events"]] == [1, 2, 3, 4]
    second.close()


def test_a_deadline_that_fails_to_fire_is_discarded_and_the_others_still_fire(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    db = tmp_path / "swf.sqlite"
    clock = VirtualClock()

    def broken_timers(point: str) -> None:
        if point == "timer_fired":
            raise RuntimeError("a bug in firing timers")

    service = Service(store=SqliteStore(db), clock=clock, poll_timeout=0, mutation_hook=broken_timers)
    _setup(service)
    run = _start(service, "w")
    _decide(
        service,
        {
            "decisionType": "StartTimer",
            "startTimerDecisionAttributes": {"timerId": "t", "startToFireTimeout": "5"},
        },
    )
    other = _start(service, "other", executionStartToCloseTimeout="10")
    clock.advance(20)
    with caplog.at_level(logging.ERROR, logger="awsflow.local"):
        # Any request fires what is due first; the broken timer must not make it fail.
        assert service.call("ListDomains", {"registrationStatus": "REGISTERED"}) is not None
    assert "it is discarded" in caplog.text
    assert "TimerFired" not in _events(service, run)
    assert _events(service, other)[-1] == "WorkflowExecutionTimedOut"
    live = service.state_snapshot()
    service.close()
    restarted = Service(store=SqliteStore(db), clock=clock, poll_timeout=0, mutation_hook=broken_timers)
    assert restarted.state_snapshot() == live
    restarted.close()


class FailingJournal(MemoryStore):
    """A store whose disk fills up on demand (a fake at the I/O boundary)."""

    def __init__(self) -> None:
        super().__init__()
        self.full = False

    def append(self, operation: str, request: dict[str, Any], now: float) -> int:
        if self.full:
            raise OSError(28, "No space left on device")
        return super().append(operation, request, now)


def test_a_command_whose_journal_write_fails_is_undone() -> None:
    store = FailingJournal()
    service = Service(store=store, clock=VirtualClock(), poll_timeout=0)
    _setup(service)
    run = _start(service, "w")
    before = service.state_snapshot()
    store.full = True
    with pytest.raises(OSError, match="No space left"):
        service.call("SignalWorkflowExecution", {"domain": DOMAIN, **run, "signalName": "s"})
    assert service.state_snapshot() == before
    store.full = False
    service.call("SignalWorkflowExecution", {"domain": DOMAIN, **run, "signalName": "s"})
    assert _events(service, run)[-1] == "WorkflowExecutionSignaled"
    service.close()


class UnreadableStore(FailingJournal):
    def snapshot(self) -> dict[str, Any] | None:
        if self.full:
            raise OSError(5, "Input/output error")
        return super().snapshot()


def test_when_even_the_rebuild_fails_the_service_says_so_on_every_request() -> None:
    store = UnreadableStore()
    service = Service(store=store, clock=VirtualClock(), poll_timeout=0)
    _setup(service)
    run = _start(service, "w")
    store.full = True
    with pytest.raises(OSError):
        service.call("SignalWorkflowExecution", {"domain": DOMAIN, **run, "signalName": "s"})
    with pytest.raises(RuntimeError, match="could not rebuild its state"):
        service.call("ListDomains", {"registrationStatus": "REGISTERED"})
    service.close()


def test_a_rebuilt_engine_does_not_run_a_lambda_function_twice() -> None:
    calls: list[str | None] = []
    release = threading.Event()

    def slow(payload: str | None) -> str:
        calls.append(payload)
        release.wait(10)
        return "done"

    injector = Injector()
    clock = VirtualClock()
    service = Service(
        store=MemoryStore(),
        clock=clock,
        poll_timeout=0,
        lambda_functions={"slow": slow},
        mutation_hook=injector,
    )
    service.start()
    try:
        _setup(service)
        run = _start(service, "w", lambdaRole="arn:aws:iam::000000000000:role/l")
        _decide(
            service,
            {
                "decisionType": "ScheduleLambdaFunction",
                "scheduleLambdaFunctionDecisionAttributes": {"id": "f", "name": "slow", "input": "x"},
            },
        )
        wait_until(lambda: calls == ["x"], what="the function to start")
        injector.arm(0, RuntimeError("injected bug"))  # any command failing forces a rebuild
        with pytest.raises(RuntimeError, match="injected bug"):
            service.call("SignalWorkflowExecution", {"domain": DOMAIN, **run, "signalName": "s"})
        release.set()
        wait_until(lambda: "LambdaFunctionCompleted" in _events(service, run), what="the function's result")
        assert calls == ["x"]
    finally:
        release.set()
        service.close()
