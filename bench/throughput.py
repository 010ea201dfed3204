"""Benchmark: hello-world workflows per second, awsflow beside botoflow 0.8, in the same run.

A ``python -m awsflow.local`` process for each configuration (see ``measure``). ``--workflows`` hello-world executions (two activities
each, as ``examples/hello_world.py``) are started by one client while the workers, already
polling and warmed up by a few untimed workflows, run them; the clock runs from the first start to
the last close. The starts come from a process of their own, as a service taking requests would
send them (with its own framework's starter): started from a thread of the workers' process, they
wait for its GIL behind every poller, and with four pollers the starts themselves took 97 % of the
run (workers idle, task lists empty) — the figure measured the starter, not the workers.
Configurations:

- ``botoflow``: botoflow 0.8's workers, P decider and P activity loop threads in this process
  (when botoflow is installed);
- ``awsflow``: one awsflow workflow worker and one activity worker in this process, each
  ``start(pollers=P)``, activities run ``max_concurrent=P``;
- ``awsflow processes``: activities in ``processes=2`` supervised children, and two workflow
  worker processes (each ``start(pollers=P)``) besides this one's activity worker.

For P = 1, 2, 4. Printed: workflows per second and the ratio against botoflow with the same P;
and where that CPU went, per workflow, over the timed part (Linux): the service's process, the
starter's, and the workers' (this process, where the in-process workers run and the closes are
counted, and its other child processes). ``ceiling`` is what the machine's cores could do at
that cost if every one were busy all the time: with the service on the same cores, the figure
a configuration cannot pass, however its workers are arranged.

On a shared machine one round's figures move by a third from run to run; ``--rounds R``
measures every configuration R times, interleaved, and also prints the medians (of the rates,
and of the ratios, each taken within its round).

Run: ``python bench/throughput.py [--workflows 300] [--pollers 1 2 4] [--rounds 1]``.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import statistics
import sys
import threading
import time
from pathlib import Path
from typing import Any

import awsflow

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "test"))
from botoflow_shims import LocalSession, botoflow, install_botoflow_shims
from end_to_end import Service
from local_server import make_client, process_stat

REGION = "us-east-1"
TASK_LIST = "hello"


@awsflow.activities(schedule_to_start_timeout=600, start_to_close_timeout=600)
class HelloActivities:
    @awsflow.activity("1.0")
    def get_name(self) -> str:
        return "World"

    @awsflow.activity("1.0")
    def greeting(self, name: str) -> str:
        return f"Hello {name}!"


class HelloWorkflow(awsflow.WorkflowDefinition):
    @awsflow.execute(version="1.0", execution_start_to_close_timeout=3600)
    def hello(self) -> Any:
        name = yield HelloActivities.get_name()
        yield HelloActivities.greeting(name)


def botoflow_program() -> tuple[type, Any]:
    @botoflow.activities(schedule_to_start_timeout=600, start_to_close_timeout=600)
    class BotoflowActivities:
        @botoflow.activity("1.0")
        def get_name(self) -> str:
            return "World"

        @botoflow.activity("1.0")
        def greeting(self, name: str) -> str:
            return f"Hello {name}!"

    class BotoflowHello(botoflow.WorkflowDefinition):
        @botoflow.execute(version="1.0", execution_start_to_close_timeout=3600)
        def hello(self) -> Any:
            name = yield BotoflowActivities.get_name()
            yield BotoflowActivities.greeting(name)

    return BotoflowHello, BotoflowActivities()


def wait_all_closed(client: Any, domain: str, count: int, since: float) -> None:
    """Return once ``count`` runs started since ``since`` have closed.

    A count scans every run of the domain on the service, the one the workers use: polled
    every 20 ms it took 9 % of the service's CPU. So it is polled less often while many runs
    remain — never longer than those runs take at 2,000/s, so the end is seen within 20 ms.
    """
    while True:
        closed = client.count_closed_workflow_executions(
            domain=domain, startTimeFilter={"oldestDate": since}
        )["count"]
        if closed >= count:
            return
        time.sleep(min(0.25, max(0.02, (count - closed) / 2000)))  # a benchmark's poll, not a test's wait


WARM_UP = 10  # workflows run first, untimed: every process and connection is up after them


class Starter:
    """Starts hello-world workflows from a process of its own (see the module docstring).

    ``starter(count)`` asks for ``count`` more starts and returns at once: they overlap the work.
    """

    def __init__(self, url: str, domain: str, framework: str) -> None:
        spawn = multiprocessing.get_context("spawn")
        self._conn, child_end = spawn.Pipe()
        self._process = spawn.Process(target=starter_process, args=(url, domain, framework, child_end))
        self._process.start()
        self.pid = self._process.pid
        child_end.close()
        self._conn.recv()  # ready: imports done, client made

    def __call__(self, count: int) -> None:
        self._conn.send(count)

    def close(self) -> None:
        self._conn.send(None)
        self._process.join()


def starter_process(url: str, domain: str, framework: str, conn: Any) -> None:
    """The starter's process: one client, one thread, each framework's own workflow starter."""
    if framework == "botoflow":
        install_botoflow_shims()
        workflow, _ = botoflow_program()
        session = LocalSession(url)

        def start(count: int) -> None:
            with botoflow.workflow_starter(session, REGION, domain, TASK_LIST):
                for _ in range(count):
                    workflow.hello()

    else:
        client = make_client(url)

        def start(count: int) -> None:
            with awsflow.workflow_starter(None, REGION, domain, TASK_LIST, client=client):
                for _ in range(count):
                    HelloWorkflow.hello()

    conn.send("ready")
    while (count := conn.recv()) is not None:
        start(count)


class Measured:
    """A configuration's rate, and its CPU per workflow by process role (ms; empty off Linux)."""

    def __init__(self, count: int, wall: float, cpu: dict[str, float]) -> None:
        self.rate = count / wall
        self.cpu_ms = {role: seconds * 1000 / count for role, seconds in cpu.items()}

    def columns(self) -> str:
        if not self.cpu_ms:
            return ""
        total = sum(self.cpu_ms.values())
        split = "/".join(f"{self.cpu_ms[role]:.2f}" for role in ROLES)
        ceiling = (os.cpu_count() or 1) * 1000 / total
        return f"{split:>22} {total:>7.2f} {ceiling:>8.0f}"


ROLES = ("service", "starter", "workers")


def process_tree_cpu() -> dict[int, float]:
    """CPU seconds (user + system) of this process and each of its descendants, by pid.

    Read from ``/proc`` (Linux); empty elsewhere.
    """
    if not os.path.isdir("/proc"):
        return {}
    parents: dict[int, int] = {}
    cpu: dict[int, float] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            parents[int(entry)], cpu[int(entry)] = process_stat(int(entry))
        except OSError:  # ended meanwhile
            continue
    ours = {os.getpid()}
    grew = True
    while grew:
        descendants = {pid for pid, parent in parents.items() if parent in ours}
        grew = not descendants <= ours
        ours |= descendants
    return {pid: cpu[pid] for pid in ours if pid in cpu}


def timed_batches(
    client: Any, domain: str, since: float, count: int, starter: Starter, service_pid: int
) -> Measured:
    """The rate from asking for ``count`` starts to the last close, after a warm-up, and the CPU.

    The workers already poll; the starts overlap the work.
    """
    try:
        starter(WARM_UP)
        wait_all_closed(client, domain, WARM_UP, since)
        before = process_tree_cpu()
        started = time.perf_counter()
        starter(count)
        wait_all_closed(client, domain, WARM_UP + count, since)
        wall = time.perf_counter() - started
        after = process_tree_cpu()
    finally:
        starter.close()
    cpu = dict.fromkeys(ROLES, 0.0) if after else {}
    for pid, seconds in after.items():
        role = "service" if pid == service_pid else "starter" if pid == starter.pid else "workers"
        cpu[role] += seconds - before.get(pid, 0.0)
    return Measured(count, wall, cpu)


def decider_process(url: str, domain: str, pollers: int, stop: Any) -> None:
    """A workflow worker process of the ``awsflow processes`` configuration."""
    worker = awsflow.WorkflowWorker(None, REGION, domain, TASK_LIST, HelloWorkflow, client=make_client(url))
    worker.start(pollers)
    stop.wait()
    worker.stop()
    worker.join()


def run_awsflow(
    url: str, service_pid: int, domain: str, count: int, pollers: int, processes: bool
) -> Measured:
    client = make_client(url)
    # Made first: workers register the types as they are made, and a start needs them (the
    # processes configuration's deciders are made in their own processes, so one is made here).
    if processes:
        activities = awsflow.ActivityWorker(
            None, REGION, domain, TASK_LIST, HelloActivities(), client=make_client(url), processes=2
        )
        awsflow.WorkflowWorker(None, REGION, domain, TASK_LIST, HelloWorkflow, client=client)
        spawn = multiprocessing.get_context("spawn")
        stop = spawn.Event()
        children = [
            spawn.Process(target=decider_process, args=(url, domain, pollers, stop)) for _ in range(2)
        ]
        deciders: list[Any] = []
    else:
        activities = awsflow.ActivityWorker(
            None,
            REGION,
            domain,
            TASK_LIST,
            HelloActivities(),
            client=make_client(url),
            max_concurrent=pollers,
        )
        children = []
        deciders = [
            awsflow.WorkflowWorker(None, REGION, domain, TASK_LIST, HelloWorkflow, client=make_client(url))
        ]
    for child in children:
        child.start()
    for decider in deciders:
        decider.start(pollers)
    activities.start(pollers)
    since = time.time() - 1
    measured = timed_batches(client, domain, since, count, Starter(url, domain, "awsflow"), service_pid)
    if children:
        stop.set()
        for child in children:
            child.join(120)
    for decider in deciders:
        decider.stop()
    # shutdown(), not stop() and join(): it also ends the activity processes (stop() and join()
    # leave them for a later start()).
    activities.shutdown()
    for decider in deciders:
        decider.join()
    return measured


def run_botoflow(url: str, service_pid: int, domain: str, count: int, pollers: int) -> Measured:
    install_botoflow_shims()
    workflow, work = botoflow_program()
    session = LocalSession(url)
    # Made first: botoflow registers the types as its workers are made, and a start needs them.
    workers = [botoflow.WorkflowWorker(session, REGION, domain, TASK_LIST, workflow) for _ in range(pollers)]
    workers += [botoflow.ActivityWorker(session, REGION, domain, TASK_LIST, work) for _ in range(pollers)]
    for worker in workers:
        threading.Thread(target=_loop, args=(worker,), daemon=True).start()
    since = time.time() - 1
    starter = Starter(url, domain, "botoflow")
    return timed_batches(make_client(url), domain, since, count, starter, service_pid)


def _loop(worker: Any) -> None:
    try:
        while True:
            worker.run_once()
    except Exception:  # the service went away at the end of the benchmark
        return


def measure(name: str, pollers: int, count: int) -> Measured:
    """One configuration on a service of its own.

    Not one service for all: a later configuration would find the runs of the earlier ones
    still held, and pay for them (the service's snapshot of its whole state every 10,000
    commands, its garbage collections) in its own timed window.
    """
    service = Service()
    try:
        make_client(service.url).register_domain(name="bench", workflowExecutionRetentionPeriodInDays="1")
        if name == "botoflow":
            return run_botoflow(service.url, service.proc.pid, "bench", count, pollers)
        return run_awsflow(
            service.url, service.proc.pid, "bench", count, pollers, name == "awsflow processes"
        )
    finally:
        service.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--workflows", type=int, default=300)
    parser.add_argument("--pollers", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument(
        "--rounds", type=int, default=1, help="measure every configuration this many times; print medians"
    )
    args = parser.parse_args()
    if botoflow is None:
        print("botoflow 0.8 is not installed: measuring awsflow alone (no ratios)")
    configurations = (["botoflow"] if botoflow is not None else []) + ["awsflow", "awsflow processes"]
    rates: dict[tuple[str, int], list[float]] = {}
    ratios: dict[tuple[str, int], list[float]] = {}
    print(
        f"{'configuration':<20} {'pollers':>7} {'workflows/s':>12} {'vs botoflow':>12} "
        f"{'CPU ms/wf: ' + '/'.join(ROLES):>22} {'total':>7} {'ceiling':>8}"
    )
    for _ in range(args.rounds):
        for pollers in args.pollers:
            baseline = None
            for name in configurations:
                measured = measure(name, pollers, args.workflows)
                if name == "botoflow":
                    baseline = measured.rate
                rate = measured.rate
                rates.setdefault((name, pollers), []).append(rate)
                ratio = ""
                if baseline and name != "botoflow":  # a ratio of two figures of this round
                    ratios.setdefault((name, pollers), []).append(rate / baseline)
                    ratio = f"{rate / baseline:>11.1f}x"
                print(f"{name:<20} {pollers:>7} {rate:>12.1f} {ratio:>12} {measured.columns()}", flush=True)
    if args.rounds > 1:
        print(f"\nmedians of {args.rounds} rounds (each ratio taken within its round)")
        for (name, pollers), measured in rates.items():
            ratio = f"{statistics.median(ratios[name, pollers]):>11.1f}x" if (name, pollers) in ratios else ""
            print(f"{name:<20} {pollers:>7} {statistics.median(measured):>12.1f} {ratio:>12}")


if __name__ == "__main__":
    main()
