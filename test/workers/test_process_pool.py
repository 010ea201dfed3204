"""The threads a supervised child runs its tasks in (``_process_pool.TaskThreads``), without processes."""

from __future__ import annotations

import threading

from awsflow.workers._process_pool import TaskThreads

DEADLINE = 10.0  # seconds a thread gets to react; never reached when the code is right


class Recorder:
    """A run callback noting which thread ran each task; a task named ``hold`` waits for ``go``."""

    def __init__(self) -> None:
        self.ran: dict[str, threading.Thread] = {}
        self.done = {name: threading.Event() for name in ("a", "b", "c", "hold")}
        self.holding = threading.Event()
        self.go = threading.Event()

    def __call__(self, task: str) -> None:
        self.ran[task] = threading.current_thread()
        if task == "hold":
            self.holding.set()
            assert self.go.wait(DEADLINE)
        self.done[task].set()


def test_tasks_one_after_another_reuse_one_thread() -> None:
    recorder = Recorder()
    threads = TaskThreads(recorder)
    for name in ("a", "b", "c"):
        threads.submit(name)
        assert recorder.done[name].wait(DEADLINE)
    threads.close()
    assert len({recorder.ran[name] for name in ("a", "b", "c")}) == 1


def test_a_task_arriving_while_every_thread_is_busy_gets_a_new_thread() -> None:
    recorder = Recorder()
    threads = TaskThreads(recorder)
    threads.submit("hold")
    assert recorder.holding.wait(DEADLINE)
    threads.submit("a")
    assert recorder.done["a"].wait(DEADLINE)  # not queued behind the held task
    recorder.go.set()
    threads.close()
    assert recorder.done["hold"].is_set()  # close() let the held task finish
    assert recorder.ran["a"] is not recorder.ran["hold"]
    assert not any(thread.is_alive() for thread in recorder.ran.values())


def test_a_thread_whose_task_raised_is_replaced() -> None:
    ran: list[str] = []
    done = threading.Event()

    def run(task: str) -> None:
        if task == "bad":
            raise RuntimeError("a bug in the answer path")
        ran.append(task)
        done.set()

    hook, errors = threading.excepthook, []
    threading.excepthook = lambda args: errors.append(args.exc_value)
    try:
        threads = TaskThreads(run)
        threads.submit("bad")
        threads.submit("good")
        assert done.wait(DEADLINE)
        threads.close()
    finally:
        threading.excepthook = hook
    assert ran == ["good"] and [str(error) for error in errors] == ["a bug in the answer path"]
