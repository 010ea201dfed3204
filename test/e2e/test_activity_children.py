"""``processes=N``: each child polls SWF for itself; the worker's own process only supervises.

The pool's bookkeeping comes from the children's reports (a task taken, a task answered), so a
child that dies right after taking a task still has it failed at once, and stopping the worker
releases the children's long polls as it releases its own.
"""

from __future__ import annotations

import logging
import os
import time

import pytest
import supervised
from flowkit import Flow
from waiting import wait_until

CHILD_START_TIMEOUT = 60.0  # a spawned child imports botocore and awsflow first (slow on a busy CI box)


def started_identities(flow: Flow, execution: object) -> list[str]:
    return [
        event["activityTaskStartedEventAttributes"]["identity"]
        for event in flow.history(execution)
        if event["eventType"] == "ActivityTaskStarted"
    ]


def test_two_children_each_take_a_task_from_swf_at_once_without_the_worker_polling(flow: Flow) -> None:
    flow.workflow_worker(supervised.Holds)
    worker = flow.activity_worker(supervised.Holding(), enter=False, processes=2, grace_period=0)
    with worker:
        instance = supervised.Holds.run(2)
        wait_until(lambda: len(worker.tasks_in_flight) == 2, CHILD_START_TIMEOUT, "two tasks in flight")
        pids = {held.pid for held in worker.tasks_in_flight}
        assert pids == set(worker.process_ids) and os.getpid() not in pids and len(pids) == 2
        identities = started_identities(flow, instance.workflow_execution)
        # SWF recorded the pollers that took them: the children, not the worker's own process.
        assert len(identities) == 2 and worker.identity not in identities
        assert all(identity.startswith(f"{worker.identity}:") for identity in identities)
        # Each child holds its share (one) and polls no more; only the decider's two polls are held.
        assert flow.swf.service.wait_for_pollers(2, timeout=10, at_most=True)
    assert worker.stats.overruns == 2


def test_stopping_releases_the_children_s_long_polls_at_once(flow: Flow) -> None:
    worker = flow.activity_worker(supervised.Holding(), enter=False, processes=2)
    worker.start()
    try:
        assert flow.swf.service.wait_for_pollers(2, timeout=CHILD_START_TIMEOUT), "the children's polls"
    finally:
        stopping_at = time.monotonic()
        worker.shutdown()
    # awsflow.local would hold an unreleased poll for 60 s.
    assert time.monotonic() - stopping_at < 10
    assert flow.swf.service.waiting_pollers() == 0
    assert worker.process_ids == () and worker.stats.crashes == 0


def test_each_child_polls_with_the_pollers_asked_for_up_to_its_share(flow: Flow) -> None:
    worker = flow.activity_worker(supervised.Holding(), enter=False, processes=2, max_concurrent=4)
    worker.start(pollers=3)  # each child's share is 2: it polls in 2 threads
    try:
        assert flow.swf.service.wait_for_pollers(4, timeout=CHILD_START_TIMEOUT), "two polls per child"
    finally:
        worker.shutdown()
    assert flow.swf.service.waiting_pollers() == 0


def test_a_worker_stopped_and_joined_polls_again_in_the_same_children_when_started(flow: Flow) -> None:
    flow.workflow_worker(supervised.ExitsThenRecovers)
    worker = flow.activity_worker(supervised.Fragile(), enter=False, processes=1)
    worker.start()
    try:
        first = supervised.ExitsThenRecovers.run(0).wait_for_completion(timeout=CHILD_START_TIMEOUT)
        worker.stop()
        worker.join()  # returns once the child reported that it stopped polling
        assert not worker.is_running and worker.process_ids == (first,)
        assert flow.swf.service.wait_for_pollers(2, timeout=10, at_most=True)  # the decider's only
        worker.start()
        second = supervised.ExitsThenRecovers.run(0).wait_for_completion(timeout=CHILD_START_TIMEOUT)
    finally:
        worker.shutdown()
    assert second == first and worker.stats.tasks_completed == 2 and worker.stats.crashes == 0


def test_the_children_s_heartbeats_and_tasks_are_counted_and_logged_by_the_worker(
    flow: Flow, caplog: pytest.LogCaptureFixture
) -> None:
    flow.workflow_worker(supervised.Beats)
    worker = flow.activity_worker(supervised.Holding(), processes=1)
    with caplog.at_level(logging.INFO, logger="awsflow.workers.activity_worker"):
        pid = supervised.Beats.run(3).wait_for_completion(timeout=CHILD_START_TIMEOUT)
        wait_until(lambda: worker.stats.tasks_completed == 1, what="the done report")
    stats = worker.stats
    assert (stats.tasks_started, stats.heartbeats, stats.tasks_in_flight) == (1, 3, 0)
    taken, finished = (r for r in caplog.records if r.name == "awsflow.workers.activity_worker")
    assert taken.getMessage().endswith(f"taken by process {pid}") and taken.pid == pid  # type: ignore[attr-defined]
    assert finished.outcome == "completed" and finished.pid == pid  # type: ignore[attr-defined]


def test_a_child_killed_right_after_taking_a_task_has_it_failed_at_once(flow: Flow) -> None:
    flow.workflow_worker(supervised.Dies)
    worker = flow.activity_worker(supervised.Holding(), processes=1)
    instance = supervised.Dies.run()
    cause = instance.wait_for_completion(timeout=CHILD_START_TIMEOUT)
    assert "was killed by SIGKILL (signal 9) while running this task (activity Holding.die 1.0" in cause
    started = flow.history(instance.workflow_execution)
    started_at = next(e["eventTimestamp"] for e in started if e["eventType"] == "ActivityTaskStarted")
    failed_at = next(e["eventTimestamp"] for e in started if e["eventType"] == "ActivityTaskFailed")
    assert (failed_at - started_at).total_seconds() < 5  # not its 300 s start-to-close timeout
    wait_until(lambda: worker.stats.crashes == 1 and len(worker.process_ids) == 1, what="the child replaced")
    assert worker.stats.tasks_failed == 1 and worker.stats.tasks_started == 1


def test_max_concurrent_is_split_among_the_children(flow: Flow) -> None:
    flow.workflow_worker(supervised.Holds)
    worker = flow.activity_worker(
        supervised.Holding(), enter=False, processes=2, max_concurrent=3, grace_period=0
    )
    with worker:
        supervised.Holds.run(4)
        wait_until(lambda: len(worker.tasks_in_flight) == 3, CHILD_START_TIMEOUT, "three tasks in flight")
        assert flow.swf.service.wait_for_pollers(2, timeout=10, at_most=True)  # every child is full
        held = [task.pid for task in worker.tasks_in_flight]
        assert sorted(held.count(pid) for pid in set(held)) == [1, 2]
        assert len(worker.tasks_in_flight) == 3  # the fourth waits in SWF
    assert worker.stats.overruns == 3


def test_fewer_slots_than_processes_is_refused(flow: Flow) -> None:
    with pytest.raises(ValueError, match=r"max_concurrent=1 is less than processes=2"):
        flow.activity_worker(supervised.Holding(), enter=False, processes=2, max_concurrent=1)
