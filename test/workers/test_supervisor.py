"""The supervised pool's bookkeeping, pure: shares, the tasks children report, crashes, overruns."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from hypothesis import given
from hypothesis import strategies as st

from awsflow.workers._supervision import Supervision, describe_exit, overrun_reason, split


@dataclass(frozen=True)
class Task:
    id: str
    token: str
    name: str = "Files.copy"
    version: str = "1.0"


def task(n: int) -> Task:
    return Task(str(n), f"token-{n}")


def pool(processes: int, max_concurrent: int, ready: bool = True) -> Supervision:
    supervision = Supervision(processes, max_concurrent)
    for pid in range(100, 100 + processes):
        supervision.started(pid)
        if ready:
            supervision.ready(pid)
    return supervision


def test_max_concurrent_is_split_as_evenly_as_possible_each_process_at_least_one() -> None:
    assert split(3, 2) == [2, 1]
    assert split(8, 3) == [3, 3, 2]
    assert split(2, 2) == [1, 1]
    with pytest.raises(ValueError, match=r"max_concurrent=1 is less than processes=2"):
        split(1, 2)
    with pytest.raises(ValueError, match=r"max_concurrent=0 is less than processes=1"):
        Supervision(1, 0)


def test_a_replacement_process_gets_the_share_of_the_one_that_died() -> None:
    supervision = Supervision(2, 3)
    assert [supervision.started(100), supervision.started(101)] == [2, 1]
    supervision.ended(100, -9)
    assert supervision.started(102) == 2 and supervision.share(101) == 1
    supervision.ended(101, -9)
    assert supervision.started(103) == 1


def test_a_task_is_held_from_the_took_report_to_the_done_report() -> None:
    supervision = pool(2, 2)
    supervision.took(100, task(1), 5.0)
    supervision.took(101, task(2), 3.0)
    assert [a.task.id for a in supervision.assignments()] == ["2", "1"]  # oldest first
    assert supervision.in_flight == 2
    done = supervision.finished(100, "token-1")
    assert done is not None and (done.pid, done.started_at) == (100, 5.0)
    assert supervision.finished(100, "token-1") is None and supervision.in_flight == 1


def test_a_took_report_from_a_process_already_reaped_holds_nothing() -> None:
    supervision = pool(1, 1)
    supervision.ended(100, -9)
    assert supervision.took(100, task(1), 0.0) is None and supervision.in_flight == 0


def test_a_process_told_to_poll_is_busy_until_it_reports_its_stop() -> None:
    supervision = pool(2, 2)
    assert not supervision.busy
    assert supervision.to_poll() == [100, 101] and supervision.to_poll() == []  # told once
    assert supervision.busy
    assert supervision.to_stop() == [100, 101] and supervision.to_stop() == []
    assert supervision.busy  # told, not stopped yet: a poll in flight may still bring a task
    supervision.stopped(100)
    assert supervision.busy
    supervision.ended(101, -9)  # a dead process takes nothing any more
    assert not supervision.busy


def test_a_stop_reported_after_polling_resumed_leaves_the_process_busy() -> None:
    supervision = pool(1, 1)
    supervision.to_poll()
    supervision.to_stop()
    supervision.to_poll()  # polling again before the first stop's report came
    supervision.stopped(100)
    assert supervision.busy
    supervision.to_stop()
    supervision.stopped(100)
    assert not supervision.busy
    supervision.stopped(100)  # a stray report changes nothing
    assert not supervision.busy


def test_a_crashed_process_s_tasks_are_failed_naming_the_signal_and_it_is_to_be_replaced() -> None:
    supervision = pool(2, 4)
    supervision.took(100, task(1), 0.0)
    supervision.took(101, task(2), 0.0)
    supervision.took(100, task(3), 0.0)
    failures = supervision.ended(100, -9)
    assert sorted(f.assignment.task.id for f in failures) == ["1", "3"]
    assert all("process 100 was killed by SIGKILL (signal 9)" in f.reason for f in failures)
    assert "activity Files.copy 1.0, id 1" in failures[0].reason
    assert supervision.missing == 1 and supervision.in_flight == 1
    assert supervision.finished(100, "token-1") is None  # a late report changes nothing
    assert supervision.ended(100, -9) == []  # reaped once


def test_a_process_is_ready_once_it_says_so() -> None:
    supervision = pool(1, 1, ready=False)
    assert not supervision.is_ready(100)
    supervision.ready(100)
    assert supervision.is_ready(100) and not supervision.is_ready(999)


def test_exit_codes_and_signals_are_described() -> None:
    assert describe_exit(3) == "exited with code 3"
    assert describe_exit(-11) == "was killed by SIGSEGV (signal 11)"
    assert describe_exit(-200) == "was killed by an unknown signal (signal 200)"
    assert describe_exit(None) == "stopped answering"


def test_overrun_releases_every_task_with_the_grace_period_in_the_reason() -> None:
    supervision = pool(2, 2)
    supervision.took(100, task(1), 5.0)
    supervision.took(101, task(2), 1.0)
    failures = supervision.overrun("42:host", 2.5)
    assert [f.assignment.task.id for f in failures] == ["2", "1"]  # oldest first
    assert "ran past the 2.5 s grace period" in failures[0].reason
    assert supervision.in_flight == 0
    assert "told to stop at once" in overrun_reason("42:host", None, task(1))


def test_reasons_fit_swf_s_256_characters() -> None:
    supervision = pool(1, 1)
    supervision.took(100, Task("x" * 300, "t", name="n" * 300), 0.0)
    assert len(supervision.ended(100, -9)[0].reason) == 256


OPERATIONS = st.lists(
    st.tuples(st.sampled_from(["poll", "take", "finish", "crash", "stop", "stopped"]), st.integers(0, 5)),
    max_size=60,
)


@given(processes=st.integers(1, 4), extra=st.integers(0, 4), operations=OPERATIONS)
def test_every_task_ends_exactly_once_and_the_caps_always_hold(
    processes: int, extra: int, operations: list[tuple[str, int]]
) -> None:
    # A model of the pool: processes take tasks only while polling and below their share.
    max_concurrent = processes + extra
    supervision = Supervision(processes, max_concurrent)
    next_pid = 1
    for _ in range(processes):
        supervision.started(next_pid)
        next_pid += 1
    assigned: dict[str, int] = {}
    polling: set[int] = set()
    ended: list[str] = []
    counter = 0
    for operation, pick in operations:
        pids = supervision.pids
        pid = pids[pick % len(pids)]
        if operation == "poll":
            polling |= set(supervision.to_poll())
        elif operation == "stop":
            polling -= set(supervision.to_stop())
        elif operation == "stopped" and pid not in polling:
            supervision.stopped(pid)
        elif operation == "take" and pid in polling:
            if sum(1 for p in assigned.values() if p == pid) < supervision.share(pid):
                counter += 1
                assert supervision.took(pid, Task(str(counter), f"t{counter}"), 0.0) is not None
                assigned[f"t{counter}"] = pid
        elif operation == "finish" and assigned:
            token = sorted(assigned)[pick % len(assigned)]
            if supervision.finished(assigned.pop(token), token) is not None:
                ended.append(token)
        elif operation == "crash":
            for failure in supervision.ended(pid, -9):
                ended.append(failure.assignment.task.token)
                del assigned[failure.assignment.task.token]
            polling.discard(pid)
            for _ in range(supervision.missing):  # replaced
                supervision.started(next_pid)
                next_pid += 1
        assert supervision.in_flight == len(assigned) <= max_concurrent
        assert sorted(supervision.share(p) for p in supervision.pids) == sorted(
            split(max_concurrent, processes)
        )
        assert not polling or supervision.busy
    assert len(ended) == len(set(ended))
    assert supervision.in_flight + len(ended) == counter
