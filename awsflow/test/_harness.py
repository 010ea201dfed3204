"""Workflow code and awsflow.local's pure SWF engine wired together in memory: no HTTP, no threads.

Like h11's ConnectionPair: the decider answers the engine's decision tasks with a cold replay of
the whole history (as a worker without state does), activities run in-process, and time is a
number the harness moves to the next deadline when nothing else can happen. Fast and
deterministic: for unit tests of workflows and for benchmarks.

.. versionadded:: 0.1 (unstable: its shape may change)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from awsflow._swf import LIMITS, Limits, read_history
from awsflow.decider import ExecutionReplay
from awsflow.decision_failures import failure_decisions, next_attempt
from awsflow.local.engine import Engine
from awsflow.workers._activity_runner import ActivityTask, run_activity_task
from awsflow.workers._registry import extract_activities, extract_workflows_dict
from awsflow.workflow_definition import execute_methods
from awsflow.workflow_execution import WorkflowExecution

DOMAIN = "harness"
TASK_LIST = "tasks"


@dataclass
class DecisionRecord:
    """One decision task: the history the decider saw and what it answered."""

    events: list[dict[str, Any]]
    decisions: list[dict[str, Any]] | None  # None: the decider raised (answered as a failure)
    error: BaseException | None = None


@dataclass
class Harness:
    workflows: tuple[type, ...]
    activities: tuple[Any, ...] = ()
    now: float = 1_700_000_000.0
    records: list[DecisionRecord] = field(default_factory=list)
    fail_activities: dict[str, int] = field(default_factory=dict)
    limits: Limits = LIMITS  # the decider's (the engine keeps its own)

    def __post_init__(self) -> None:
        self.engine = Engine(seed="harness")
        self.table = extract_workflows_dict(self.workflows)
        self.implementations = extract_activities(self.activities)
        self.call("RegisterDomain", {"name": DOMAIN, "workflowExecutionRetentionPeriodInDays": "1"})
        for _, workflow_type, _ in self.table.values():
            self._register(
                "RegisterWorkflowType", workflow_type.to_registration_options_dict(DOMAIN, TASK_LIST)
            )
        for _, activity_type in self.implementations.values():
            self._register(
                "RegisterActivityType", activity_type.to_registration_options_dict(DOMAIN, TASK_LIST)
            )

    def _register(self, operation: str, request: dict[str, Any] | None) -> None:
        if request is not None:  # None: skip_registration
            self.call(operation, request)

    def call(self, operation: str, request: dict[str, Any]) -> Any:
        return self.engine.handle(operation, request, self.now).body

    def start(
        self, workflow: type, method: str, *args: Any, workflow_id: str = "wf", **kwargs: Any
    ) -> dict[str, str]:
        workflow_type = {name: t for t, name in execute_methods(workflow).items()}[method]
        encoded = workflow_type.data_converter.dumps([args, kwargs])
        request = workflow_type.start_request(DOMAIN, workflow_id, encoded, {}, TASK_LIST)
        run_id = self.call("StartWorkflowExecution", request)["runId"]
        return {"workflowId": request["workflowId"], "runId": run_id}

    def open_count(self) -> int:
        request = {"domain": DOMAIN, "startTimeFilter": {"oldestDate": 0}}
        return int(self.call("CountOpenWorkflowExecutions", request)["count"])

    def history(self, run: dict[str, str]) -> list[dict[str, Any]]:
        return read_history(self.call, {"domain": DOMAIN, "execution": run})

    def decide_once(self) -> bool:
        task = self.call("PollForDecisionTask", {"domain": DOMAIN, "taskList": {"name": TASK_LIST}})
        if task is None:
            return False
        execution = task["workflowExecution"]
        events = self.history(execution)
        replay = ExecutionReplay(
            self.table,
            WorkflowExecution(execution["workflowId"], execution["runId"]),
            TASK_LIST,
            limits=self.limits,
        )
        try:
            outcome = replay.apply(events)
        except Exception as error:  # answered as the worker answers it: marker and retry timer
            self.records.append(DecisionRecord(events, None, error))
            self._answer_failure(task, events, error)
            return True
        self.records.append(DecisionRecord(events, outcome.decisions))
        request: dict[str, Any] = {"taskToken": task["taskToken"], "decisions": outcome.decisions}
        if outcome.execution_context is not None:
            request["executionContext"] = outcome.execution_context
        self.call("RespondDecisionTaskCompleted", request)
        return True

    def _answer_failure(self, task: dict[str, Any], events: list[dict[str, Any]], error: Exception) -> None:
        decisions = failure_decisions(error, task["startedEventId"], next_attempt(events))
        self.call("RespondDecisionTaskCompleted", {"taskToken": task["taskToken"], "decisions": decisions})

    def work_once(self) -> bool:
        polled = self.call("PollForActivityTask", {"domain": DOMAIN, "taskList": {"name": TASK_LIST}})
        if polled is None:
            return False
        task = ActivityTask.from_swf(polled)
        if self.fail_activities.get(task.name, 0) > 0:  # simulate a worker that dies: no answer
            self.fail_activities[task.name] -= 1
            return True
        response = run_activity_task(task, self.implementations, self)
        if response is not None:
            self.call(*response)
        return True

    def request_heartbeat(self, task: ActivityTask, details: str | None) -> dict[str, Any]:
        request: dict[str, Any] = {"taskToken": task.token}
        if details is not None:
            request["details"] = details
        return dict(self.call("RecordActivityTaskHeartbeat", request))

    def run(self, max_steps: int = 10_000) -> None:
        """Decide and work until nothing is left, jumping time to the next deadline when idle."""
        for _ in range(max_steps):
            if self.decide_once() or self.work_once():
                continue
            deadline = self.engine.next_deadline()
            if deadline is None or self.open_count() == 0:
                return
            self.now = max(self.now, deadline)
            self.engine.advance(self.now)
        raise AssertionError("the workflow did not settle")

    def close_event(self, run: dict[str, str]) -> dict[str, Any]:
        return self.history(run)[-1]
