"""The workflow worker's kept replays: bounded by count and by an estimate of their size."""

from __future__ import annotations

import pytest

from awsflow.workers._replay_cache import ReplayCache, payload_bytes


def test_the_least_recently_kept_goes_first_when_there_are_too_many() -> None:
    cache: ReplayCache[str, str] = ReplayCache(max_runs=2, max_bytes=1000)
    cache.keep("a", "replay a", 10)
    cache.keep("b", "replay b", 10)
    assert cache.take("a") == ("replay a", 10)
    cache.keep("a", "replay a", 10)  # decided again: now the most recent
    cache.keep("c", "replay c", 10)
    assert "b" not in cache and "a" in cache and "c" in cache
    assert len(cache) == 2 and cache.bytes == 20


def test_replays_are_evicted_until_the_sizes_fit() -> None:
    cache: ReplayCache[str, str] = ReplayCache(max_runs=100, max_bytes=100)
    for run in "abcd":
        cache.keep(run, run, 30)
    assert [run for run in "abcd" if run in cache] == ["b", "c", "d"] and cache.bytes == 90
    cache.keep("e", "e", 70)  # needs two of them gone
    assert [run for run in "abcde" if run in cache] == ["d", "e"] and cache.bytes == 100


def test_a_replay_bigger_than_the_whole_budget_is_not_kept_and_evicts_nothing() -> None:
    cache: ReplayCache[str, str] = ReplayCache(max_runs=10, max_bytes=100)
    cache.keep("a", "a", 50)
    cache.keep("huge", "huge", 101)
    assert "huge" not in cache and "a" in cache and cache.bytes == 50


def test_taking_a_replay_removes_it_and_its_size() -> None:
    cache: ReplayCache[str, str] = ReplayCache(max_runs=10, max_bytes=100)
    cache.keep("a", "first", 40)
    cache.keep("a", "second", 60)  # kept again: charged once, at its new size
    assert cache.bytes == 60
    assert cache.take("a") == ("second", 60) and cache.take("a") is None
    assert cache.bytes == 0 and len(cache) == 0


def test_no_runs_at_all_keeps_nothing_and_negative_bounds_are_refused() -> None:
    cache: ReplayCache[str, str] = ReplayCache(max_runs=0, max_bytes=100)
    cache.keep("a", "a", 1)
    assert len(cache) == 0
    with pytest.raises(ValueError, match="must not be negative"):
        ReplayCache(max_runs=1, max_bytes=-1)


def test_the_size_counts_the_payloads_the_workflow_is_handed() -> None:
    events = [
        {
            "eventType": "WorkflowExecutionStarted",
            "workflowExecutionStartedEventAttributes": {"input": "x" * 100, "taskList": {"name": "t"}},
        },
        {"eventType": "ActivityTaskScheduled", "activityTaskScheduledEventAttributes": {"input": "y" * 999}},
        {"eventType": "ActivityTaskCompleted", "activityTaskCompletedEventAttributes": {"result": "z" * 40}},
        {"eventType": "ActivityTaskCompleted", "activityTaskCompletedEventAttributes": {}},  # no result
        {
            "eventType": "ActivityTaskFailed",
            "activityTaskFailedEventAttributes": {"reason": "r" * 5, "details": "d" * 7},
        },
        {"eventType": "MarkerRecorded", "markerRecordedEventAttributes": {"details": "m" * 3}},
    ]
    # What the workflow sent out (the scheduled activity's input) is not held by the replay.
    assert payload_bytes(events) == 100 + 40 + 5 + 7 + 3


def test_discard_drops_only_the_replay_it_names() -> None:
    cache: ReplayCache[str, str] = ReplayCache(max_runs=10, max_bytes=100)
    cache.keep("a", "first", 40)
    cache.discard("a", "another")  # kept since by a later task of the run: stays
    assert "a" in cache and cache.bytes == 40
    cache.discard("a", "first")
    assert "a" not in cache and cache.bytes == 0
    cache.discard("a", "first")  # nothing kept: nothing to do
    assert len(cache) == 0
