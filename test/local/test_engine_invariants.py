"""Model-based tests of the pure engine (no HTTP): SWF's invariants hold under any interleaving.

Hypothesis drives random sequences of starts, polls, answers, signals, cancels, terminations
and clock jumps against one engine and checks after every step that each history is contiguous
from 1, that no run has more than one open decision task, that every outcome event names the
task it closes, and that replaying the commands into a fresh engine reproduces the state — the
property the journal-based store rests on.
"""

from __future__ import annotations

from typing import Any

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from awsflow.local.engine import Engine, SwfFault

DOMAIN = "d"
TASK_LIST = {"name": "tl"}
WORKFLOW = {"name": "W", "version": "1"}
ACTIVITY = {"name": "A", "version": "1"}
SETUP: list[tuple[str, dict[str, Any]]] = [
    ("RegisterDomain", {"name": DOMAIN, "workflowExecutionRetentionPeriodInDays": "1"}),
    (
        "RegisterWorkflowType",
        {
            "domain": DOMAIN,
            **WORKFLOW,
            "defaultTaskList": TASK_LIST,
            "defaultExecutionStartToCloseTimeout": "500",
            "defaultTaskStartToCloseTimeout": "30",
            "defaultChildPolicy": "TERMINATE",
        },
    ),
    (
        "RegisterActivityType",
        {
            "domain": DOMAIN,
            **ACTIVITY,
            "defaultTaskList": TASK_LIST,
            "defaultTaskScheduleToStartTimeout": "40",
            "defaultTaskStartToCloseTimeout": "40",
            "defaultTaskScheduleToCloseTimeout": "100",
            "defaultTaskHeartbeatTimeout": "NONE",
        },
    ),
]
# Outcome events and the members that must point back at earlier events.
CROSS_REFERENCES = {
    "DecisionTaskStarted": ("scheduledEventId",),
    "DecisionTaskCompleted": ("scheduledEventId", "startedEventId"),
    "ActivityTaskStarted": ("scheduledEventId",),
    "ActivityTaskCompleted": ("scheduledEventId", "startedEventId"),
    "ActivityTaskFailed": ("scheduledEventId", "startedEventId"),
    "TimerFired": ("startedEventId",),
    "ActivityTaskScheduled": ("decisionTaskCompletedEventId",),
    "TimerStarted": ("decisionTaskCompletedEventId",),
}


def _decision(index: int, kind: str) -> dict[str, Any]:
    if kind == "activity":
        return {
            "decisionType": "ScheduleActivityTask",
            "scheduleActivityTaskDecisionAttributes": {"activityType": ACTIVITY, "activityId": f"a{index}"},
        }
    if kind == "timer":
        return {
            "decisionType": "StartTimer",
            "startTimerDecisionAttributes": {"timerId": f"t{index}", "startToFireTimeout": str(index % 50)},
        }
    if kind == "marker":
        return {"decisionType": "RecordMarker", "recordMarkerDecisionAttributes": {"markerName": "m"}}
    return {"decisionType": "CompleteWorkflowExecution"}


class EngineMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.engine = Engine(seed="invariants")
        self.now = 1_000.0
        self.log: list[tuple[str, dict[str, Any], float]] = []
        self.runs: list[dict[str, str]] = []
        self.decision_tokens: list[str] = []
        self.activity_tokens: list[str] = []
        self.counter = 0
        for operation, request in SETUP:
            self.call(operation, request)

    def call(self, operation: str, request: dict[str, Any]) -> dict[str, Any] | None:
        reply = self.engine.advance(self.now)
        if reply.mutated:
            self.log.append(("Tick", {}, self.now))
        try:
            reply = self.engine.handle(operation, request, self.now)
        except SwfFault:
            return None
        if reply.mutated:
            self.log.append((operation, request, self.now))
        return reply.body

    @rule()
    def start(self) -> None:
        self.counter += 1
        body = self.call(
            "StartWorkflowExecution",
            {"domain": DOMAIN, "workflowId": f"w{self.counter}", "workflowType": WORKFLOW},
        )
        if body is not None:
            self.runs.append({"workflowId": f"w{self.counter}", "runId": body["runId"]})

    @rule()
    def poll_decision(self) -> None:
        body = self.call("PollForDecisionTask", {"domain": DOMAIN, "taskList": TASK_LIST})
        if body is not None:
            self.decision_tokens.append(body["taskToken"])

    @rule()
    def poll_activity(self) -> None:
        body = self.call("PollForActivityTask", {"domain": DOMAIN, "taskList": TASK_LIST})
        if body is not None:
            self.activity_tokens.append(body["taskToken"])

    @rule(
        data=st.data(),
        kinds=st.lists(st.sampled_from(["activity", "timer", "marker", "complete"]), max_size=4),
    )
    def answer_decision(self, data: st.DataObject, kinds: list[str]) -> None:
        if not self.decision_tokens:
            return
        token = data.draw(st.sampled_from(self.decision_tokens))
        self.counter += 1
        decisions = [_decision(self.counter * 10 + i, kind) for i, kind in enumerate(kinds)]
        if "complete" in kinds:  # a close decision must be last
            decisions = [d for d in decisions if d["decisionType"] != "CompleteWorkflowExecution"]
            decisions.append(_decision(0, "complete"))
        self.call("RespondDecisionTaskCompleted", {"taskToken": token, "decisions": decisions})

    @rule(data=st.data(), fail=st.booleans())
    def answer_activity(self, data: st.DataObject, fail: bool) -> None:
        if not self.activity_tokens:
            return
        token = data.draw(st.sampled_from(self.activity_tokens))
        operation = "RespondActivityTaskFailed" if fail else "RespondActivityTaskCompleted"
        self.call(operation, {"taskToken": token})

    @rule(
        data=st.data(),
        operation=st.sampled_from(
            ["SignalWorkflowExecution", "RequestCancelWorkflowExecution", "TerminateWorkflowExecution"]
        ),
    )
    def poke_run(self, data: st.DataObject, operation: str) -> None:
        if not self.runs:
            return
        run = data.draw(st.sampled_from(self.runs))
        request: dict[str, Any] = {"domain": DOMAIN, **run}
        if operation == "SignalWorkflowExecution":
            request["signalName"] = "s"
        self.call(operation, request)

    @rule(seconds=st.sampled_from([1, 10, 35, 45, 120, 600]))
    def advance(self, seconds: int) -> None:
        self.now += seconds
        reply = self.engine.advance(self.now)
        if reply.mutated:
            self.log.append(("Tick", {}, self.now))

    def _histories(self, engine: Engine) -> dict[str, list[dict[str, Any]]]:
        result = {}
        for run in self.runs:
            try:
                reply = engine.handle(
                    "GetWorkflowExecutionHistory", {"domain": DOMAIN, "execution": run}, self.now
                )
            except SwfFault:
                continue
            assert reply.body is not None
            result[run["runId"]] = reply.body["events"]
        return result

    @invariant()
    def histories_are_well_formed(self) -> None:
        for events in self._histories(self.engine).values():
            assert [e["eventId"] for e in events] == list(range(1, len(events) + 1))
            open_decision = 0
            closed = False
            for event in events:
                kind = event["eventType"]
                assert not closed, f"{kind} appended after the run closed"
                attrs = event[kind[0].lower() + kind[1:] + "EventAttributes"]
                for member in CROSS_REFERENCES.get(kind, ()):
                    assert 0 < attrs[member] < event["eventId"], (kind, member, attrs)
                if kind == "DecisionTaskScheduled":
                    open_decision += 1
                    assert open_decision == 1, "two decision tasks open at once"
                elif kind in ("DecisionTaskCompleted", "DecisionTaskTimedOut"):
                    open_decision -= 1
                closed = kind.startswith("WorkflowExecution") and kind in {
                    "WorkflowExecutionCompleted",
                    "WorkflowExecutionFailed",
                    "WorkflowExecutionCanceled",
                    "WorkflowExecutionTerminated",
                    "WorkflowExecutionTimedOut",
                    "WorkflowExecutionContinuedAsNew",
                }

    def teardown(self) -> None:
        # Replaying the journaled commands into a fresh engine rebuilds the same histories.
        fresh = Engine(seed="invariants")
        for operation, request, now in self.log:
            if operation == "Tick":
                fresh.advance(now)
            else:
                fresh.handle(operation, request, now)
        assert self._histories(fresh) == self._histories(self.engine)
        # So does loading a snapshot; and after compaction the engine still dumps the same.
        restored = Engine.from_snapshot(self.engine.snapshot())
        assert restored.snapshot() == fresh.snapshot() == self.engine.snapshot()
        self.engine.compact()
        assert self.engine.snapshot() == restored.snapshot()


EngineMachine.TestCase.settings = settings(max_examples=60, stateful_step_count=40, deadline=None)
test_engine_invariants = EngineMachine.TestCase


def test_engine_imports_no_io_modules() -> None:
    """The engine stays pure: no sockets, threads, clocks, randomness or SQLite (STYLE §1)."""
    import ast
    import pathlib

    import awsflow.local.engine as engine_package

    forbidden = {
        "socket",
        "threading",
        "time",
        "random",
        "sqlite3",
        "http",
        "botocore",
        "os",
        "datetime",
        "uuid",
    }
    root = pathlib.Path(engine_package.__file__).parent
    for path in root.glob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            for name in names:
                assert name.split(".")[0] not in forbidden, f"{path.name} imports {name}"
