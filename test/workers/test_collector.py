"""A decision task is decided with the cyclic collector held off, and it always comes back on."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from awsflow.workers._collector import collector_paused


@pytest.fixture(autouse=True)
def collector_on() -> Iterator[None]:
    gc.enable()
    yield
    gc.enable()  # whatever a failing test left


def test_the_collector_is_off_inside_and_back_on_after() -> None:
    with collector_paused():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_the_collector_comes_back_on_when_the_task_raises() -> None:
    with pytest.raises(KeyError), collector_paused():
        raise KeyError("a failed decision")
    assert gc.isenabled()


def test_a_collector_turned_off_by_the_user_stays_off() -> None:
    gc.disable()
    with collector_paused():
        assert not gc.isenabled()
    assert not gc.isenabled()


def test_overlapping_pauses_end_with_the_one_that_turned_it_off() -> None:
    first, second = collector_paused(), collector_paused()
    first.__enter__()
    second.__enter__()  # found it off: leaves it to the first
    first.__exit__(None, None, None)
    assert gc.isenabled()  # the second task's pause is cut short, never made to last
    second.__exit__(None, None, None)
    assert gc.isenabled()


def test_a_pause_ended_early_turns_the_collector_on_once() -> None:
    with collector_paused() as pause:
        pause.end()  # before a decision task's answer is sent
        assert gc.isenabled()
        gc.disable()  # the user's own, meanwhile: neither a second end nor the block's end undoes it
        pause.end()
    assert not gc.isenabled()


def test_a_pause_that_found_the_collector_off_ends_without_turning_it_on() -> None:
    gc.disable()
    with collector_paused() as pause:
        pause.end()
        assert not gc.isenabled()
    assert not gc.isenabled()
