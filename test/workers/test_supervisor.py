"""The supervised pool's bookkeeping, pure: routing tasks, crashes, overruns."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from hypothesis import given
from hypothesis import strategies as st

from awsflow.workers._supervision import Supervision, describe_exit, overrun_reason


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


def test_a_task_goes_to_the_ready_process_holding_the_fewest() -> None:
    supervision = pool(2, 4)
    assert [supervision.assign(task(n), float(n)).pid for n in range(4)] == [100, 101, 100, 101]
    supervision.finished(101, "token-1")
    assert supervision.assign(task(9), 9.0).pid == 101


def test_no_room_until_a_process_is_ready() -> None:
    supervision = pool(1, 1, ready=False)
    assert not supervision.has_room()
    with pytest.raises(ValueError, match="poll only when has_room"):
        supervision.assign(task(1), 0.0)
    supervision.ready(100)
    assert supervision.has_room()


def test_polling_pauses_at_max_concurrent_and_resumes_when_a_task_ends() -> None:
    supervision = pool(3, 2)
    supervision.assign(task(1), 0.0)
    supervision.assign(task(2), 0.0)
    assert not supervision.has_room()  # a process is idle, but two tasks are the cap
    assert supervision.finished(100, "token-1") is not None
    assert supervision.has_room()


def test_each_process_holds_at_most_its_share_of_max_concurrent() -> None:
    supervision = pool(2, 3)  # ceil(3 / 2) = 2 each
    assert supervision.per_process == 2
    supervision.ended(101, 0)  # one process left: it may hold 2, not 3
    supervision.assign(task(1), 0.0)
    supervision.assign(task(2), 0.0)
    assert not supervision.has_room()


def test_a_crashed_process_s_tasks_are_failed_naming_the_signal_and_it_is_to_be_replaced() -> None:
    supervision = pool(2, 4)
    supervision.assign(task(1), 0.0)  # -> 100
    supervision.assign(task(2), 0.0)  # -> 101
    supervision.assign(task(3), 0.0)  # -> 100
    failures = supervision.ended(100, -9)
    assert sorted(f.assignment.task.id for f in failures) == ["1", "3"]
    assert all("process 100 was killed by SIGKILL (signal 9)" in f.reason for f in failures)
    assert "activity Files.copy 1.0, id 1" in failures[0].reason
    assert supervision.missing == 1 and supervision.in_flight == 1
    assert supervision.finished(100, "token-1") is None  # a late report changes nothing
    assert supervision.ended(100, -9) == []  # reaped once


def test_exit_codes_and_signals_are_described() -> None:
    assert describe_exit(3) == "exited with code 3"
    assert describe_exit(-11) == "was killed by SIGSEGV (signal 11)"
    assert describe_exit(-200) == "was killed by an unknown signal (signal 200)"
    assert describe_exit(None) == "stopped answering"


def test_overrun_releases_every_task_with_the_grace_period_in_the_reason() -> None:
    supervision = pool(2, 2)
    supervision.assign(task(1), 5.0)
    supervision.assign(task(2), 1.0)
    failures = supervision.overrun("42:host", 2.5)
    assert [f.assignment.task.id for f in failures] == ["2", "1"]  # oldest first
    assert "ran past the 2.5 s grace period" in failures[0].reason
    assert supervision.in_flight == 0
    assert "told to stop at once" in overrun_reason("42:host", None, task(1))


def test_reasons_fit_swf_s_256_characters() -> None:
    supervision = pool(1, 1)
    supervision.assign(Task("x" * 300, "t", name="n" * 300), 0.0)
    assert len(supervision.ended(100, -9)[0].reason) == 256


def test_bad_sizes_are_refused() -> None:
    with pytest.raises(ValueError, match="processes and max_concurrent must be 1 or more"):
        Supervision(0, 1)


OPERATIONS = st.lists(
    st.tuples(st.sampled_from(["poll", "finish", "crash", "ready"]), st.integers(0, 5)), max_size=60
)


@given(processes=st.integers(1, 4), max_concurrent=st.integers(1, 8), operations=OPERATIONS)
def test_every_task_ends_exactly_once_and_the_caps_always_hold(
    processes: int, max_concurrent: int, operations: list[tuple[str, int]]
) -> None:
    supervision = Supervision(processes, max_concurrent)
    next_pid = 1
    for _ in range(processes):
        supervision.started(next_pid)
        next_pid += 1
    assigned: dict[str, int] = {}
    ended: list[str] = []
    counter = 0
    for operation, pick in operations:
        pids = supervision.pids
        if operation == "ready" and pids:
            supervision.ready(pids[pick % len(pids)])
        elif operation == "poll" and supervision.has_room():
            counter += 1
            assigned[f"t{counter}"] = supervision.assign(Task(str(counter), f"t{counter}"), 0.0).pid
        elif operation == "finish" and assigned:
            token = sorted(assigned)[pick % len(assigned)]
            if supervision.finished(assigned.pop(token), token) is not None:
                ended.append(token)
        elif operation == "crash" and pids:
            pid = pids[pick % len(pids)]
            for failure in supervision.ended(pid, -9):
                ended.append(failure.assignment.task.token)
                del assigned[failure.assignment.task.token]
            for _ in range(supervision.missing):  # replaced
                supervision.started(next_pid)
                next_pid += 1
        assert supervision.in_flight == len(assigned) <= max_concurrent
        assert all(
            sum(1 for pid in assigned.values() if pid == p) <= supervision.per_process
            for p in supervision.pids
        )
    assert len(ended) == len(set(ended))
    assert supervision.in_flight + len(ended) == counter
