"""The one guarded poll loop: backoff that stop() interrupts, growing and reset backoff, ending."""

from __future__ import annotations

import threading

import pytest

from awsflow.workers._poll_loop import poll_until_stopped
from awsflow.workers._transport import PollAborted

DEADLINE = 10.0  # seconds a background loop gets to react; never reached when the code is right


class Flaky(Exception):
    pass


def test_the_backoff_waits_on_the_stop_event_so_stop_ends_it_at_once() -> None:
    stopping = threading.Event()
    failed = threading.Event()

    def on_failure(error: Exception) -> None:
        failed.set()

    def poll() -> None:
        raise Flaky("service down")

    loop = threading.Thread(
        target=poll_until_stopped,
        args=(poll, stopping),
        kwargs={"on_failure": on_failure, "backoff": lambda error, n: 3600.0},
        daemon=True,
    )
    loop.start()
    assert failed.wait(DEADLINE)
    stopping.set()  # an hour's backoff is under way: the stop must cut it short
    loop.join(DEADLINE)
    assert not loop.is_alive()


def test_the_backoff_grows_with_failures_in_a_row_and_resets_after_a_success() -> None:
    stopping = threading.Event()
    outcomes: list[Exception | None] = [Flaky(), Flaky(), Flaky(), None, Flaky(), None]
    steps = iter(outcomes)
    seen: list[tuple[str, int]] = []
    reported: list[Exception] = []

    def poll() -> None:
        outcome = next(steps)
        if outcome is not None:
            raise outcome
        if len(seen) == 4:  # the last success: stop after it
            stopping.set()

    def backoff(error: Exception, failures: int) -> float:
        seen.append((type(error).__name__, failures))
        return 0.0

    poll_until_stopped(poll, stopping, on_failure=reported.append, backoff=backoff)
    assert seen == [("Flaky", 1), ("Flaky", 2), ("Flaky", 3), ("Flaky", 1)]
    assert reported == [outcomes[0], outcomes[1], outcomes[2], outcomes[4]]


def test_an_aborted_poll_ends_the_loop_unreported() -> None:
    stopping = threading.Event()
    polls: list[int] = []
    reported: list[Exception] = []

    def poll() -> None:
        polls.append(1)
        raise PollAborted()

    poll_until_stopped(poll, stopping, on_failure=reported.append, backoff=lambda error, n: 0.0)
    assert (len(polls), reported) == (1, [])


def test_the_first_round_runs_even_when_already_stopping_then_the_loop_ends() -> None:
    stopping = threading.Event()
    stopping.set()
    polls: list[int] = []
    ready: list[int] = []
    poll_until_stopped(
        lambda: polls.append(1),
        stopping,
        on_failure=pytest.fail,
        backoff=lambda error, n: 0.0,
        ready=lambda: ready.append(len(polls)),
    )
    assert (polls, ready) == ([1], [0])  # ready before the first poll, one poll only


def test_a_failure_once_stopping_is_neither_reported_nor_waited_for() -> None:
    stopping = threading.Event()

    def poll() -> None:
        stopping.set()
        raise Flaky("the stop broke the poll")

    poll_until_stopped(poll, stopping, on_failure=pytest.fail, backoff=lambda error, n: 3600.0)


def test_no_room_ends_the_loop_without_polling() -> None:
    stopping = threading.Event()
    rooms = iter([True, True, False])
    polls: list[int] = []
    poll_until_stopped(
        lambda: polls.append(1),
        stopping,
        on_failure=pytest.fail,
        backoff=lambda error, n: 0.0,
        room=lambda: next(rooms),
    )
    assert len(polls) == 2
