"""Activities alone, without SWF: heartbeats in order, cancellation at a heartbeat or ``yield``."""

from __future__ import annotations

import pytest
from example_workflows import ArchiveActivities

from awsflow import ActivityCancelledError
from awsflow.testing import ActivityEnvironment


def test_copying_reports_progress_at_each_file() -> None:
    env = ActivityEnvironment()
    assert env.run(ArchiveActivities().copy_files, ["a", "b", "c"]) == 3
    assert env.heartbeats == ["0/3: a", "1/3: b", "2/3: c"]


def test_a_cancel_stops_the_copy_at_its_next_heartbeat() -> None:
    env = ActivityEnvironment(cancel_at_heartbeat=2)
    with pytest.raises(ActivityCancelledError):
        env.run(ArchiveActivities().copy_files, ["a", "b", "c"])
    assert env.heartbeats == ["0/3: a", "1/3: b"]


def test_a_generator_activity_heartbeats_at_each_yield_and_cleans_up_when_canceled() -> None:
    activities = ArchiveActivities()
    env = ActivityEnvironment(
        on_heartbeat=lambda details: env.request_cancel() if len(env.heartbeats) == 2 else None
    )
    with pytest.raises(ActivityCancelledError):
        env.run(activities.compress, ["x", "y", "z"])
    # The cancel asked for at the second heartbeat is SWF's answer to the third.
    assert env.heartbeats == ['{"compressing":"x"}', '{"compressing":"y"}', '{"compressing":"z"}']
    assert activities.cleaned_up


def test_the_task_context_shows_the_token_and_attempt() -> None:
    seen = {}

    def inspect_context() -> None:
        from awsflow import get_context

        context = get_context()
        seen.update(token=context.task.token, attempt=context.attempt, activity_id=context.task.id)

    ActivityEnvironment(attempt=3, task_token="tok-1").run(inspect_context)
    assert seen == {"token": "tok-1", "attempt": 3, "activity_id": "1-attempt-3"}
