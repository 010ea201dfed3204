"""SWF's limit of 1,000 open activities per run, reached through the framework over HTTP.

awsflow does not count open activities itself: SWF refuses the 1,001st with a
ScheduleActivityTaskFailed event (cause OPEN_ACTIVITIES_LIMIT_EXCEEDED), and the workflow gets it
as :class:`ScheduleActivityTaskFailedError` from that call's Future, the others unaffected.
"""

from __future__ import annotations

from typing import Any

from flowkit import Flow

from awsflow import WorkflowDefinition, activities, activity, execute
from awsflow.exceptions import ScheduleActivityTaskFailedError

LIMIT = 1_000  # open activities per run (SWF-SEMANTICS, limits)


@activities(schedule_to_start_timeout=600, start_to_close_timeout=600)
class Held:
    @activity("1.0")
    def hold(self, n: int) -> int:  # never polled in this test: every one stays open
        return n


class OneTooMany(WorkflowDefinition):
    @execute(version="1.0", execution_start_to_close_timeout=3600)
    def run(self) -> Any:
        calls = [Held.hold(n) for n in range(LIMIT + 1)]  # one decision task schedules them all
        try:
            yield calls[LIMIT]
        except ScheduleActivityTaskFailedError as error:
            return [error.cause, error.activity_id, calls[LIMIT - 1].done()]
        return "scheduled"


def test_the_activity_past_the_open_limit_fails_with_swf_cause_and_the_rest_stay_open(flow: Flow) -> None:
    flow.activity_worker(Held(), enter=False)  # registers the activity type; polls nothing
    flow.workflow_worker(OneTooMany)
    instance = OneTooMany.run()
    cause, activity_id, last_done = instance.wait_for_completion(timeout=60)
    assert cause == "OPEN_ACTIVITIES_LIMIT_EXCEEDED"
    assert last_done is False  # the 1,000th was scheduled and is still open
    history = flow.history(instance.workflow_execution)
    types = [e["eventType"] for e in history]
    assert types.count("ActivityTaskScheduled") == LIMIT
    (failed,) = [e for e in history if e["eventType"] == "ScheduleActivityTaskFailed"]
    attributes = failed["scheduleActivityTaskFailedEventAttributes"]
    assert attributes["cause"] == "OPEN_ACTIVITIES_LIMIT_EXCEEDED"
    assert attributes["activityId"] == activity_id
