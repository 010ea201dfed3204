"""A workflow that sleeps 30 days, then retries a flaky activity an hour later: milliseconds here.

Time skips while the test waits for the result, and only when no task is in flight; the history
still shows the 30 days and the hour, as SWF would record them.
"""

from __future__ import annotations

import time

import pytest
from example_workflows import DAY, BillingActivities, MonthlyBilling

from awsflow.testing import WorkflowEnvironment

pytestmark = pytest.mark.swf_local_only  # the virtual clock: against a real SWF this takes 30 days


def test_a_thirty_day_sleep_and_an_hour_of_backoff_take_under_a_second(swf_env: WorkflowEnvironment) -> None:
    swf_env.start_workers(MonthlyBilling, BillingActivities())
    started = time.monotonic()
    handle = swf_env.start(MonthlyBilling.bill, "ada")
    assert handle.result() == "charged ada on attempt 2"
    assert time.monotonic() - started < 1.0

    events = swf_env.history(handle)
    at = {event["eventId"]: event["eventTimestamp"].timestamp() for event in events}
    first = events[0]["eventTimestamp"].timestamp()
    fired = [event["eventId"] for event in events if event["eventType"] == "TimerFired"]
    assert [at[event_id] - first for event_id in fired] == [30 * DAY, 30 * DAY + 3600]
    assert events[-1]["eventType"] == "WorkflowExecutionCompleted"
    assert at[events[-1]["eventId"]] - first == 30 * DAY + 3600


def test_time_stands_still_until_the_test_waits(swf_env: WorkflowEnvironment) -> None:
    swf_env.start_workers(MonthlyBilling, BillingActivities())
    before = swf_env.now()
    handle = swf_env.start(MonthlyBilling.bill, "bob")
    swf_env.sleep(29 * DAY)  # by hand: the timer has not fired yet
    assert swf_env.history(handle)[-1]["eventType"] == "TimerStarted"  # still open, sleeping
    assert swf_env.now() == before + 29 * DAY
    assert handle.result() == "charged bob on attempt 2"
    assert swf_env.now() == before + 30 * DAY + 3600
