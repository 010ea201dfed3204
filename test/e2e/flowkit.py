"""End-to-end helpers: workers in threads, talking to awsflow.local over HTTP through botocore."""

from __future__ import annotations

from contextlib import ExitStack
from typing import Any

from waiting import wait_until

from awsflow import ActivityWorker, WorkflowWorker
from awsflow.local import LocalSWF, VirtualClock
from awsflow.workers.workflow_worker import STICKY_TIMEOUT

TASK_LIST = "e2e"


class Flow:
    """A test's handle on the service: its client, domain, clock, and workers to start."""

    def __init__(
        self, swf: LocalSWF, clock: VirtualClock, client: Any, domain: str, stack: ExitStack
    ) -> None:
        self.swf = swf
        self.clock = clock
        self.client = client
        self.domain = domain
        self._stack = stack

    def workflow_worker(
        self, *definitions: type, task_list: str = TASK_LIST, enter: bool = True, **options: Any
    ) -> WorkflowWorker:
        worker = WorkflowWorker(
            None, "us-east-1", self.domain, task_list, *definitions, client=self.swf.client(), **options
        )
        return self._stack.enter_context(worker) if enter else worker

    def activity_worker(
        self,
        *instances: Any,
        task_list: str = TASK_LIST,
        enter: bool = True,
        identity: str | None = None,
        **options: Any,
    ) -> ActivityWorker:
        worker = ActivityWorker(
            None, "us-east-1", self.domain, task_list, *instances, client=self.swf.client(), **options
        )
        if identity is not None:
            worker.identity = identity
        return self._stack.enter_context(worker) if enter else worker

    def history(self, execution: Any) -> list[dict[str, Any]]:
        events: list[dict[str, Any]] = []
        request = {
            "domain": self.domain,
            "execution": {"workflowId": execution.workflow_id, "runId": execution.run_id},
        }
        paginator = self.client.get_paginator("get_workflow_execution_history")
        for page in paginator.paginate(**request):
            events.extend(page["events"])
        return events

    def event_types(self, execution: Any) -> list[str]:
        return [event["eventType"] for event in self.history(execution)]

    def wait_for_event(self, execution: Any, event_type: str, timeout: float = 10.0) -> dict[str, Any]:
        found: dict[str, Any] = {}

        def seen() -> bool:
            for event in self.history(execution):
                if event["eventType"] == event_type:
                    found.update(event)
                    return True
            return False

        wait_until(seen, timeout, f"{event_type} in {tuple(execution)}")
        return found

    def wait_until_decided(self, execution: Any, timeout: float = 10.0) -> None:
        """Wait until no decision task of the run is scheduled or started: a clock jump then
        times out nothing in flight."""

        def decided() -> bool:
            events = self.history(execution)
            last = next((e for e in reversed(events) if e["eventType"].startswith("DecisionTask")), None)
            return last is not None and last["eventType"] == "DecisionTaskCompleted"

        wait_until(decided, timeout, f"no decision task of {tuple(execution)} in flight")

    def advance(self, seconds: float) -> None:
        self.clock.advance(seconds)

    def sticky_fallback(self, execution: Any) -> None:
        """Let the run's decision task, routed to a stopped worker's own list, come back.

        A worker routes its runs' next decision tasks to a list only it polls; once it has
        stopped, such a task waits there for the routing timeout (SCHEDULE_TO_START), then goes
        back to the shared list — what a deploy costs a run that was waiting on something.
        """

        def routed_away() -> bool:
            events = self.history(execution)
            last = next(e for e in reversed(events) if e["eventType"].startswith("DecisionTask"))
            return (
                last["eventType"] == "DecisionTaskScheduled"
                and last["decisionTaskScheduledEventAttributes"]["taskList"]["name"] != TASK_LIST
            )

        wait_until(routed_away, 10, f"a decision task of {tuple(execution)} on a worker's own list")
        self.advance(STICKY_TIMEOUT)
        self.wait_for_event(execution, "DecisionTaskTimedOut")
