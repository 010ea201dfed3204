"""The background heartbeater on a virtual clock: when it beats, postpones, and stops."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from waiting import wait_until

from awsflow.local import VirtualClock
from awsflow.swf_exceptions import UnknownResourceError
from awsflow.workers._heartbeats import AutoHeartbeat, heartbeat_interval


class Beats:
    def __init__(self, clock: VirtualClock) -> None:
        self.clock = clock
        self.at: list[float] = []
        self.fail_with: Exception | None = None

    def __call__(self) -> None:
        self.at.append(self.clock.now())
        if self.fail_with is not None:
            raise self.fail_with


@pytest.fixture
def clock() -> VirtualClock:
    return VirtualClock(start=0.0)


@pytest.fixture
def ticks(clock: VirtualClock) -> threading.Condition:
    condition = threading.Condition()

    def notify() -> None:
        with condition:
            condition.notify_all()

    clock.subscribe(notify)
    return condition


@pytest.fixture
def beats(clock: VirtualClock) -> Beats:
    return Beats(clock)


@pytest.fixture
def heartbeater(beats: Beats, clock: VirtualClock, ticks: threading.Condition) -> Iterator[AutoHeartbeat]:
    beater = AutoHeartbeat(beats, 10.0, clock, ticks, "test heartbeat")
    beater.start()
    yield beater
    beater.stop()


def test_the_interval_is_a_third_of_the_heartbeat_timeout() -> None:
    assert heartbeat_interval(30) == 10.0
    assert heartbeat_interval("9") == 3.0
    assert (
        heartbeat_interval(None) is None
        and heartbeat_interval("NONE") is None
        and heartbeat_interval(0) is None
    )


def test_it_beats_once_per_interval_of_clock_time(
    heartbeater: AutoHeartbeat, beats: Beats, clock: VirtualClock
) -> None:
    clock.advance(9.9)
    clock.advance(0.1)
    wait_until(lambda: len(beats.at) == 1, what="the first beat")
    clock.advance(25)  # one jump over two intervals is one beat (SWF needs one, not a backlog)
    wait_until(lambda: len(beats.at) == 2, what="the second beat")
    assert beats.at == [10.0, 35.0]


def test_a_heartbeat_sent_by_the_activity_postpones_the_next(
    heartbeater: AutoHeartbeat, beats: Beats, clock: VirtualClock
) -> None:
    clock.advance(8)
    heartbeater.postpone()  # next due at 18
    clock.advance(9)
    clock.advance(1)
    wait_until(lambda: len(beats.at) == 1, what="the postponed beat")
    assert beats.at == [18.0]


def test_stop_ends_the_beats_and_the_thread(
    heartbeater: AutoHeartbeat, beats: Beats, clock: VirtualClock
) -> None:
    heartbeater.stop()
    clock.advance(100)
    assert beats.at == [] and not heartbeater._thread.is_alive()


def test_a_failed_beat_is_retried_but_a_task_swf_no_longer_has_ends_the_beats(
    heartbeater: AutoHeartbeat, beats: Beats, clock: VirtualClock
) -> None:
    beats.fail_with = ConnectionError("network down")
    clock.advance(10)
    wait_until(lambda: len(beats.at) == 1, what="a failing beat")
    beats.fail_with = UnknownResourceError("Unknown activity task token", "UnknownResourceFault")
    clock.advance(10)
    wait_until(lambda: not heartbeater._thread.is_alive(), what="the heartbeater to give up")
    assert beats.at == [10.0, 20.0]
