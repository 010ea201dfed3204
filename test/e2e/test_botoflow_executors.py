"""botoflow's executors, run as botoflow users run them, write botoflow's histories (issue 10 item 1).

Each step starts a threaded executor with a task waiting, stops it at once and joins it:
botoflow's ``start()`` returns once its pollers are about to poll and ``stop()`` lets those
polls finish, so the waiting task is handled. awsflow's executors must do the same, on the same
service, event for event.
"""

from __future__ import annotations

import threading
import time
from typing import Any

from botoflow_diff import Framework, Program, Run, compare, requires_botoflow

pytestmark = requires_botoflow


def errands(flow: Framework) -> Program:
    @flow.activities(schedule_to_start_timeout=60, start_to_close_timeout=60)
    class Errands:
        @flow.activity("1.0")
        def fetch(self, item: str) -> str:
            return f"{item} fetched"

    class Shopping(flow.WorkflowDefinition):
        @flow.execute(version="1.0", execution_start_to_close_timeout=600)
        def run(self, first: str, second: str) -> Any:
            one = yield Errands.fetch(first)
            two = yield Errands.fetch(second)
            flow.return_([one, two])

    return Program(workflows=[Shopping], activities=[Errands()])


def _stop_and_join(run: Run, executor: Any) -> None:
    """stop(), then join(); a poll botoflow's threads make after the stop is answered empty (on
    SWF it would wait out its 60 s) without moving the clock both histories are stamped with."""
    executor.stop()
    joiner = threading.Thread(target=executor.join)
    joiner.start()
    deadline = time.monotonic() + 30
    while joiner.is_alive() and time.monotonic() < deadline:
        run.swf.service.end_held_polls()
        joiner.join(0.05)
    assert not joiner.is_alive(), f"{run.name}'s executor did not stop"


def start_stop_join(run: Run) -> None:
    run.start("Shopping.run", "milk", "bread")
    flow = run.flow
    for step in range(5):
        if step % 2 == 0:
            executor = flow.ThreadedWorkflowExecutor(run.workflow_worker)
            executor.start()
        else:
            executor = flow.ThreadedActivityExecutor(run.activity_worker)
            executor.start(1, 4)
        _stop_and_join(run, executor)


def test_start_stop_join_of_botoflows_executors_handles_each_waiting_task_as_botoflow_did() -> None:
    both = compare(errands, script=start_stop_join)
    both.assert_same()
    assert both.awsflow.closed_with() == ("WorkflowExecutionCompleted", '["milk fetched","bread fetched"]')
