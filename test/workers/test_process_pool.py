"""What a supervised child tells its supervisor of a task (``_pool_child``), without processes.

(The pool's children themselves run in test/e2e/test_activity_children.py and
test_activity_supervision.py.)
"""

from __future__ import annotations

import pickle

from awsflow.context import ActivityTask
from awsflow.workers._pool_child import summary, task_from_summary
from awsflow.workflow_execution import WorkflowExecution


def test_a_took_report_carries_all_the_supervisor_logs_and_fails_a_task_with_but_its_input() -> None:
    task = ActivityTask(
        id="7",
        name="Files.copy",
        version="1.0",
        input='["a large input"]',
        started_event_id=12,
        token="token-7",
        workflow_execution=WorkflowExecution("wf", "run"),
    )
    sent = pickle.loads(pickle.dumps(summary(task)))  # as it crosses the pipe
    assert task_from_summary(sent) == ActivityTask(
        "7", "Files.copy", "1.0", None, 12, "token-7", WorkflowExecution("wf", "run")
    )
