"""Timers: a trial that reminds its user three days before it ends, on durable SWF timers.

    python examples/timers.py

``workflow_time.sleep(seconds)`` is an SWF timer: the workflow worker records StartTimer and
forgets the run; three days later SWF records TimerFired and hands out a decision task, which any
worker can take — nothing sleeps in a process meanwhile. ``workflow_time.now()`` is the time of
the decision task being decided, the same on every replay. The service here runs on a
``VirtualClock``, so the example moves its clock instead of waiting: a week passes in no time.
"""

from __future__ import annotations

import time
from typing import Any

from awsflow import (
    ActivityWorker,
    WorkflowDefinition,
    WorkflowWorker,
    activities,
    activity,
    execute,
    workflow_time,
)
from awsflow.local import LocalSWF, VirtualClock

DAY = 24 * 3600


@activities(schedule_to_start_timeout=60, start_to_close_timeout=60)
class Mailer:
    @activity("1.0")
    def send(self, user: str, text: str) -> None:
        print(f"  mail to {user}: {text}", flush=True)


class Trial(WorkflowDefinition):
    @execute(version="1.0", execution_start_to_close_timeout=30 * DAY)
    def run(self, user: str, days: int) -> Any:
        started = workflow_time.now()
        yield Mailer.send(user, f"your {days}-day trial starts today")
        yield workflow_time.sleep((days - 3) * DAY)
        yield Mailer.send(user, "your trial ends in 3 days")
        yield workflow_time.sleep(3 * DAY)
        ended = workflow_time.now()
        return f"trial of {user} ran from {started:%Y-%m-%d} to {ended:%Y-%m-%d}"


def wait_for_timers(client: Any, execution: Any, count: int) -> None:
    """Return once the execution's history holds ``count`` TimerStarted events (10 s at most)."""
    request = {
        "domain": "trials",
        "execution": {"workflowId": execution.workflow_id, "runId": execution.run_id},
    }
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        events = client.get_workflow_execution_history(**request)["events"]
        if sum(event["eventType"] == "TimerStarted" for event in events) >= count:
            return
        time.sleep(0.02)
    raise TimeoutError(f"the workflow did not start timer {count}")


def show_history(client: Any, execution: Any) -> None:
    request = {
        "domain": "trials",
        "execution": {"workflowId": execution.workflow_id, "runId": execution.run_id},
    }
    first = None
    for event in client.get_workflow_execution_history(**request)["events"]:
        kind = event["eventType"]
        if kind.startswith("Timer") or kind.startswith("WorkflowExecution"):
            stamp = event["eventTimestamp"].timestamp()
            first = stamp if first is None else first
            attributes = event.get(kind[0].lower() + kind[1:] + "EventAttributes", {})
            detail = f"timerId={attributes['timerId']}" if "timerId" in attributes else ""
            if kind == "TimerStarted":
                detail += f" startToFireTimeout={attributes['startToFireTimeout']}"
            print(f"  day {(stamp - first) / DAY:4.1f}  {kind:28} {detail}".rstrip())


def main() -> None:
    clock = VirtualClock()  # SWF's time, moved by hand: the service never waits in real time
    with LocalSWF(clock=clock) as swf:
        client = swf.client()
        client.register_domain(name="trials", workflowExecutionRetentionPeriodInDays="1")
        with (
            WorkflowWorker(None, "us-east-1", "trials", "trials", Trial, client=client),
            ActivityWorker(None, "us-east-1", "trials", "trials", Mailer(), client=client),
        ):
            trial = Trial.run("ada", 14)
            execution = trial.workflow_execution
            wait_for_timers(client, execution, 1)
            print("the workflow sleeps on an SWF timer, no process waits for it. 11 days pass:")
            clock.advance(11 * DAY)
            wait_for_timers(client, execution, 2)
            print("3 more days pass:")
            clock.advance(3 * DAY)
            print(trial.wait_for_completion(timeout=30))
            show_history(client, execution)


if __name__ == "__main__":
    main()
