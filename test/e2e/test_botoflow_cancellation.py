"""Cancellation under botoflow 0.8 and awsflow writes the same histories (issue 10 items 2, 3, 4, 10).

Each program runs under both frameworks on awsflow.local (``test/botoflow_diff.py``) and the
histories are compared event by event. The saved histories of ``test/botoflow_programs.py``
replay in ``test/decider/test_botoflow_histories.py``; here the same programs run live.
"""

from __future__ import annotations

from typing import Any

import pytest
from botoflow_diff import Framework, Program, Run, compare, requires_botoflow
from botoflow_programs import (
    activity_canceled_before_start,
    cancel_request_during_activity,
    errands,
    self_cancel_with_open_activities,
)
from history_diff import attributes_of

pytestmark = requires_botoflow


def closing_decision(run: Run) -> list[str]:
    """The events recorded by the decision task that closed the run."""
    history = run.history()
    completed = attributes_of(history[-1])["decisionTaskCompletedEventId"]
    return [
        e["eventType"] for e in history if attributes_of(e).get("decisionTaskCompletedEventId") == completed
    ]


def test_a_workflow_cancelling_itself_with_open_activities_writes_botoflows_history() -> None:
    """Item 3a: a cancel request for each open activity, and the close, in one decision."""
    both = compare(errands, script=self_cancel_with_open_activities)
    both.assert_same()
    assert both.awsflow.closed_with() == ("WorkflowExecutionCanceled", "giving up")
    assert closing_decision(both.awsflow) == [
        "ActivityTaskCancelRequested",
        "ActivityTaskCancelRequested",
        "WorkflowExecutionCanceled",
    ]


def test_a_cancel_request_during_an_activity_writes_botoflows_history() -> None:
    """Item 3b: canceled in the decision task that sees the request, not when the activity ends."""
    both = compare(errands, script=cancel_request_during_activity)
    both.assert_same()
    assert both.awsflow.closed_with() == ("WorkflowExecutionCanceled", "")
    assert closing_decision(both.awsflow) == ["ActivityTaskCancelRequested", "WorkflowExecutionCanceled"]


def test_yield_future_cancel_of_an_activity_canceled_before_start_writes_botoflows_history() -> None:
    """Items 2 and 4: ``yield errand.cancel()`` waits for ActivityTaskCancelRequested; the
    errand's ActivityTaskCanceledError escapes and the workflow records botoflow's reason."""
    both = compare(errands, script=activity_canceled_before_start)
    both.assert_same()
    assert both.awsflow.closed_with() == (
        "WorkflowExecutionCanceled",
        "Activity was cancelled before being picked up by activity worker",
    )


def cancellations(flow: Framework) -> Program:
    @flow.activities(schedule_to_start_timeout=60, start_to_close_timeout=60)
    class Jobs:
        @flow.activity("1.0")
        def job(self, name: str) -> str:
            return f"{name} done"

    class QuitsWith(flow.WorkflowDefinition):
        @flow.execute(version="1.0", execution_start_to_close_timeout=600)
        def run(self, details: Any) -> Any:
            Jobs.job("open")
            yield flow.workflow_time.sleep(5)
            self.cancel(details)

    class CancelsAFinishedJob(flow.WorkflowDefinition):
        @flow.execute(version="1.0", execution_start_to_close_timeout=600)
        def run(self) -> Any:
            job = Jobs.job("quick")
            done = yield job
            try:
                yield job.cancel()  # SWF refuses: the activity is closed
            except flow.exceptions.RequestCancelActivityTaskFailedError as error:
                flow.return_([done, error.cause, error.activity_id])

    class CleansUp(flow.WorkflowDefinition):
        @flow.execute(version="1.0", execution_start_to_close_timeout=600)
        def run(self) -> Any:
            yield flow.workflow_time.sleep(100)

        def cancellation_handler(self) -> Any:  # a plain generator
            yield Jobs.job("cleanup")

    class CleansUpInACoroutine(flow.WorkflowDefinition):
        @flow.execute(version="1.0", execution_start_to_close_timeout=600)
        def run(self) -> Any:
            yield flow.workflow_time.sleep(100)

        @flow.coroutine
        def cancellation_handler(self) -> Any:
            yield Jobs.job("cleanup")

    class Kid(flow.WorkflowDefinition):
        @flow.execute(version="1.0", execution_start_to_close_timeout=600)
        def run(self) -> Any:
            yield flow.workflow_time.sleep(100)

    class CancelsItsKid(flow.WorkflowDefinition):
        @flow.execute(version="1.0", execution_start_to_close_timeout=600)
        def run(self) -> Any:
            kid = yield Kid.run()
            yield kid.cancel()
            yield Jobs.job("after")  # its id follows the child's, as botoflow counted
            yield kid.workflow_result  # the child's cancel escapes: canceled with its details

    return Program(
        workflows=[QuitsWith, CancelsAFinishedJob, CleansUp, CleansUpInACoroutine, Kid, CancelsItsKid],
        activities=[Jobs()],
    )


@pytest.mark.parametrize(("details", "recorded"), [("enough", "enough"), (None, "None"), (0, "0")])
def test_the_details_of_a_self_cancel_are_botoflows(details: Any, recorded: str) -> None:
    """Item 4: ``str(error.cause)``."""
    both = compare(cancellations, "QuitsWith.run", details)
    both.assert_same()
    assert both.awsflow.closed_with() == ("WorkflowExecutionCanceled", recorded)


def test_cancelling_an_activity_that_completed_writes_botoflows_refused_request() -> None:
    """Item 2: the request goes to SWF, which refuses it; the cancel Future raises."""
    both = compare(cancellations, "CancelsAFinishedJob.run")
    both.assert_same()
    assert both.awsflow.closed_with() == (
        "WorkflowExecutionCompleted",
        '["quick done","ACTIVITY_ID_UNKNOWN","1"]',
    )
    assert "RequestCancelActivityTaskFailed" in [e["eventType"] for e in both.awsflow.history()]


def cancel_during_the_timer(entry: str) -> Any:
    def script(run: Run) -> None:
        run.start(entry)
        run.decide()  # the timer
        run.request_cancel()
        run.run()  # the handler's job, then the close; the timer is left to SWF

    return script


@pytest.mark.parametrize("entry", ["CleansUp.run", "CleansUpInACoroutine.run"])
def test_a_cancellation_handler_running_an_activity_writes_botoflows_history(entry: str) -> None:
    """Item 10, in the forms botoflow 0.8 ran (a plain method or an ``async def`` wedged it)."""
    both = compare(cancellations, script=cancel_during_the_timer(entry))
    both.assert_same()
    types = [e["eventType"] for e in both.awsflow.history()]
    assert types.count("ActivityTaskCompleted") == 1 and types[-1] == "WorkflowExecutionCanceled"
    assert "TimerCanceled" not in types


def test_cancelling_a_child_writes_botoflows_histories() -> None:
    """No control and no id taken by the cancel request: the next call gets botoflow's id."""
    both = compare(cancellations, "CancelsItsKid.run")
    both.assert_same()
    assert both.awsflow.closed_with() == ("WorkflowExecutionCanceled", "")
    scheduled = [e for e in both.awsflow.history() if e["eventType"] == "ActivityTaskScheduled"]
    assert [e["activityTaskScheduledEventAttributes"]["activityId"] for e in scheduled] == ["2"]
