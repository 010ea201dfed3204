"""A workflow and activities for the fault tests: every run of an activity's code is counted,
so a test can tell a run SWF asked for (after a timeout) from one the worker repeated."""

from __future__ import annotations

import threading
from collections import Counter
from typing import Any

from awsflow import WorkflowDefinition, activities, activity, execute, get_context, retry_activity
from awsflow.exceptions import ActivityTaskTimedOutError

# (workflow id, activity id) -> how many times the activity's code ran for that task
runs: Counter[tuple[str, str]] = Counter()
_lock = threading.Lock()
# A step named here waits for its gate (set by the test) once it has set its "entered" event.
gates: dict[str, threading.Event] = {}
entered: dict[str, threading.Event] = {}


@activities(schedule_to_start_timeout=600, start_to_close_timeout=20)
class Steps:
    # A timed-out attempt (SWF's doing: a lost task, an outage past the timeout) is tried again.
    @retry_activity(
        stop_max_attempt_number=5,
        wait_fixed=0,
        retry_on_exception=lambda e: isinstance(e, ActivityTaskTimedOutError),
    )
    @activity("1.0")
    def step(self, name: str) -> str:
        context = get_context()
        with _lock:
            runs[(context.workflow_execution.workflow_id, context.task.id)] += 1
        if name in gates:
            entered[name].set()
            gates[name].wait(60)
        return name.upper()


class ThreeSteps(WorkflowDefinition):
    @execute(version="1.0", execution_start_to_close_timeout=3600, task_start_to_close_timeout=10)
    def run(self, tag: str) -> Any:
        first = yield Steps.step(f"{tag}-a")
        second, third = yield [Steps.step(f"{tag}-b"), Steps.step(f"{tag}-c")]
        return [first, second, third]
