"""Workers on the lean path run workflows end to end against awsflow.local verifying SigV4."""

from __future__ import annotations

import time
from typing import Any

from awsflow import ActivityWorker, WorkflowDefinition, WorkflowWorker, activities, activity, execute
from awsflow._wire import fallback_reason
from awsflow.local import LocalSWF, VirtualClock

KEYS = ("awsflow-local", "awsflow-local")


@activities(schedule_to_start_timeout=60, start_to_close_timeout=60, heartbeat_timeout=60)
class Steps:
    @activity("1.0")
    def double(self, x: int) -> int:
        return 2 * x


class Doubling(WorkflowDefinition):
    @execute(version="1.0", execution_start_to_close_timeout=120)
    def run(self, n: int) -> Any:
        total = 0
        for i in range(n):
            total += yield Steps.double(i)
        return total


def test_a_workflow_runs_through_lean_polls_answers_and_history_reads_that_the_service_verified() -> None:
    with LocalSWF(clock=VirtualClock(start=time.time()), verify_sigv4=KEYS, poll_timeout=5) as swf:
        client = swf.client()
        client.register_domain(name="signed", workflowExecutionRetentionPeriodInDays="1")
        assert fallback_reason(client) is None  # so every hot call below goes the lean way
        deciding = WorkflowWorker(None, "us-east-1", "signed", "work", Doubling, client=swf.client())
        working = ActivityWorker(None, "us-east-1", "signed", "work", Steps(), client=swf.client())
        with deciding, working:
            instance = Doubling.run(5)
            assert instance.wait_for_completion(timeout=30) == 20
        assert deciding.stats.poll_errors == working.stats.poll_errors == 0
        # A handle through the worker reads the history the lean way: timestamps as numbers.
        handle = deciding.workflow_handle(instance.workflow_execution)
        events = list(handle.history())
        assert [e.event_type for e in events].count("ActivityTaskCompleted") == 5
        assert all(e.timestamp.tzinfo is not None for e in events)
        assert all(isinstance(e["eventTimestamp"], float) for e in handle.wire_history())


def _own_hook(**kwargs: Any) -> None:
    """A hook of the user's on a hot call: by the fallback rule, botocore makes the calls."""


def test_workers_on_a_client_botocore_keeps_poll_through_their_own_connections_signed_by_botocore() -> None:
    # The polls still go over the workers' abortable connections (a before-send hook), with the
    # request botocore prepared and signed: its header values are bytes.
    with LocalSWF(clock=VirtualClock(start=time.time()), verify_sigv4=KEYS, poll_timeout=5) as swf:
        client = swf.client()
        client.register_domain(name="kept", workflowExecutionRetentionPeriodInDays="1")
        clients = [swf.client(), swf.client()]
        for own in clients:
            own.meta.events.register("after-call.swf.RespondDecisionTaskCompleted", _own_hook)
            assert fallback_reason(own) is not None
        deciding = WorkflowWorker(None, "us-east-1", "kept", "work", Doubling, client=clients[0])
        working = ActivityWorker(None, "us-east-1", "kept", "work", Steps(), client=clients[1])
        with deciding, working:
            instance = Doubling.run(3)
            assert instance.wait_for_completion(timeout=30) == 6
        assert deciding.stats.poll_errors == working.stats.poll_errors == 0
