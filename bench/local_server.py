"""Benchmark: awsflow.local against moto's SWF server, in the same run.

Each server runs as users run it, in a process of its own (``python -m awsflow.local``,
``python -m moto.server``). Drives N executions through the loop a real decider and worker make
— start, poll decision, schedule an activity, poll activity, complete it, poll decision, complete
the run: 7 requests — against each server over HTTP with botocore, and prints per server the
executions and requests per second, and the server's CPU per request: the CPU time (user +
system, from ``/proc/<pid>/stat``) its process spent while the loop ran, divided by the requests
it served. Then the ratios (target: awsflow.local at least 4x moto's throughput). ``--rounds``
repeats the pair, interleaved, because other processes share the cores; compare rounds.
``--db`` runs awsflow.local on an SQLite file, as a durable service, instead of in memory.

Then reads a 2,000-event history (two pages) ``--history-reads`` times from awsflow.local and
prints the server CPU per 1,000-event page, what a cold replay costs the service.

Then holds as many concurrent long polls on awsflow.local as asked and prints how many were held
at once (target: ≥ 200 on 2 cores).

Then ``--clients K``: the same loop from 1, then from K client processes at once (each on a task
list of its own), against a fresh awsflow.local each time, and the server's CPU and context
switches per request: what clients sending at the same time cost the server, whose threads (one
per connection, one GIL) then hand the GIL to each other at system calls, often across cores.
Measured on the shared 2-core machine (N=400, botocore clients, 2 rounds): 1 client 0.29 ms and
1.2-1.9 switches per request, 4 clients 0.28-0.32 ms and 1.9.

Run: ``python bench/local_server.py [--n 200] [--rounds 3] [--db] [--history-reads 20] [--polls 250]
[--clients 4]``.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from typing import Any

import botocore.config
import botocore.session

from awsflow.local import LocalSWF

DOMAIN = "bench"
TASKS = {"name": "bench"}
WORKFLOW = {"name": "BenchFlow", "version": "1"}
ACTIVITY = {"name": "BenchWork", "version": "1"}


def make_client(endpoint: str, pool: int = 10) -> Any:
    return botocore.session.get_session().create_client(
        "swf",
        region_name="us-east-1",
        endpoint_url=endpoint,
        aws_access_key_id="bench",
        aws_secret_access_key="bench",
        config=botocore.config.Config(
            read_timeout=70, retries={"max_attempts": 0}, max_pool_connections=pool
        ),
    )


def register(client: Any) -> None:
    client.register_domain(name=DOMAIN, workflowExecutionRetentionPeriodInDays="1")
    client.register_workflow_type(
        domain=DOMAIN,
        **WORKFLOW,
        defaultTaskList=TASKS,
        defaultExecutionStartToCloseTimeout="3600",
        defaultTaskStartToCloseTimeout="600",
        defaultChildPolicy="TERMINATE",
    )
    client.register_activity_type(
        domain=DOMAIN,
        **ACTIVITY,
        defaultTaskList=TASKS,
        defaultTaskScheduleToStartTimeout="600",
        defaultTaskStartToCloseTimeout="600",
        defaultTaskScheduleToCloseTimeout="1200",
        defaultTaskHeartbeatTimeout="600",
    )


def one_execution(client: Any, n: int, tasks: dict[str, str] = TASKS) -> None:
    client.start_workflow_execution(
        domain=DOMAIN, workflowId=f"run-{n}", workflowType=WORKFLOW, input=str(n), taskList=tasks
    )
    task = client.poll_for_decision_task(domain=DOMAIN, taskList=tasks, identity="decider")
    client.respond_decision_task_completed(
        taskToken=task["taskToken"],
        decisions=[
            {
                "decisionType": "ScheduleActivityTask",
                "scheduleActivityTaskDecisionAttributes": {
                    "activityType": ACTIVITY,
                    "activityId": "a",
                    "input": "x",
                    "taskList": tasks,
                },
            }
        ],
    )
    work = client.poll_for_activity_task(domain=DOMAIN, taskList=tasks, identity="worker")
    client.respond_activity_task_completed(taskToken=work["taskToken"], result="done")
    task = client.poll_for_decision_task(domain=DOMAIN, taskList=tasks, identity="decider")
    client.respond_decision_task_completed(
        taskToken=task["taskToken"],
        decisions=[
            {
                "decisionType": "CompleteWorkflowExecution",
                "completeWorkflowExecutionDecisionAttributes": {"result": "ok"},
            }
        ],
    )


REQUESTS_PER_EXECUTION = 7
_TICKS_PER_SECOND = os.sysconf("SC_CLK_TCK")


def process_stat(pid: int) -> tuple[int, float]:
    """A process's parent's pid and the CPU seconds (user + system) it has used, from
    ``/proc/<pid>/stat`` (Linux)."""
    with open(f"/proc/{pid}/stat") as stat:
        # After the parenthesised command name: state, ppid (2nd), ... utime (12th), stime (13th).
        fields = stat.read().rsplit(")", 1)[1].split()
    return int(fields[1]), (int(fields[11]) + int(fields[12])) / _TICKS_PER_SECOND


class ServerProcess:
    """A server in a child process, and the CPU time that process has used."""

    def __init__(self, argv: list[str], endpoint: str | None = None) -> None:
        self.proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        if endpoint is None:  # awsflow.local prints "... listening on <url>" once it listens
            assert self.proc.stdout is not None
            endpoint = self.proc.stdout.readline().rsplit(" ", 1)[-1].strip()
        else:
            _wait_listening(endpoint, deadline=time.monotonic() + 30)
        self.endpoint = endpoint

    def cpu_seconds(self) -> float:
        return process_stat(self.proc.pid)[1]

    def context_switches(self) -> int:
        """Voluntary and involuntary context switches of the server's threads (live ones)."""
        total = 0
        for task in os.listdir(f"/proc/{self.proc.pid}/task"):
            try:
                with open(f"/proc/{self.proc.pid}/task/{task}/status") as status:
                    for line in status:
                        name, _, value = line.partition(":")
                        if name in ("voluntary_ctxt_switches", "nonvoluntary_ctxt_switches"):
                            total += int(value)
            except OSError:  # the thread ended meanwhile
                continue
        return total

    def close(self) -> None:
        self.proc.terminate()
        self.proc.wait(15)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _wait_listening(endpoint: str, deadline: float) -> None:
    host, port = endpoint.rsplit("/", 1)[-1].split(":")
    while True:
        try:
            socket.create_connection((host, int(port)), timeout=1).close()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)  # a benchmark waiting for a server to start, not a test


@dataclass(frozen=True)
class Measured:
    executions_per_second: float
    cpu_per_request: float  # seconds of the server process's CPU

    @property
    def requests_per_second(self) -> float:
        return self.executions_per_second * REQUESTS_PER_EXECUTION


def throughput(server: ServerProcess, n: int) -> Measured:
    client = make_client(server.endpoint)
    register(client)
    for i in range(5):  # warm the connection and the server's caches
        one_execution(client, -1 - i)
    cpu = server.cpu_seconds()
    began = time.perf_counter()
    for i in range(n):
        one_execution(client, i)
    wall = time.perf_counter() - began
    return Measured(n / wall, (server.cpu_seconds() - cpu) / (n * REQUESTS_PER_EXECUTION))


HISTORY_EVENTS = 2_000  # two pages of 1,000 (SWF's largest)


def history_page_cpu(server: ServerProcess, reads: int) -> float:
    """Server CPU seconds per 1,000-event page of GetWorkflowExecutionHistory (a cold replay reads these)."""
    client = make_client(server.endpoint)
    run = client.start_workflow_execution(domain=DOMAIN, workflowId="long", workflowType=WORKFLOW)
    for i in range(HISTORY_EVENTS - 2):  # after WorkflowExecutionStarted, DecisionTaskScheduled
        client.signal_workflow_execution(
            domain=DOMAIN, workflowId="long", signalName="s", input=f"[{i}, {{}}]"
        )
    execution = {"workflowId": "long", "runId": run["runId"]}

    def read_history() -> int:
        pages, token = 0, None
        while True:
            more = {"nextPageToken": token} if token else {}
            page = client.get_workflow_execution_history(
                domain=DOMAIN, execution=execution, maximumPageSize=1000, **more
            )
            pages += 1
            token = page.get("nextPageToken")
            if not token:
                return pages

    read_history()  # as the loop above warms up
    cpu = server.cpu_seconds()
    pages = sum(read_history() for _ in range(reads))
    return (server.cpu_seconds() - cpu) / pages


def measure_awsflow(n: int, db: bool, history_reads: int = 0) -> tuple[Measured, float | None]:
    with tempfile.TemporaryDirectory() as scratch:
        argv = [sys.executable, "-m", "awsflow.local", "--port", "0", "--log-level", "WARNING"]
        if db:
            argv += ["--db", os.path.join(scratch, "bench.db")]
        server = ServerProcess(argv)
        try:
            measured = throughput(server, n)
            return measured, history_page_cpu(server, history_reads) if history_reads else None
        finally:
            server.close()


def measure_moto(n: int) -> Measured:
    port = _free_port()
    server = ServerProcess(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        endpoint=f"http://127.0.0.1:{port}",
    )
    try:
        return throughput(server, n)
    finally:
        server.close()


def _line(name: str, m: Measured) -> str:
    return (
        f"  {name:14} {m.executions_per_second:7.1f} executions/s {m.requests_per_second:8.1f} requests/s"
        f"   server CPU {m.cpu_per_request * 1000:6.3f} ms/request"
    )


def held_polls(count: int) -> int:
    with LocalSWF(poll_timeout=60) as swf:
        client = make_client(swf.endpoint_url, pool=count + 10)
        client.register_domain(name=DOMAIN, workflowExecutionRetentionPeriodInDays="1")
        threads = [
            threading.Thread(
                target=client.poll_for_activity_task,
                kwargs={"domain": DOMAIN, "taskList": {"name": f"l{i % 10}"}},
            )
            for i in range(count)
        ]
        for thread in threads:
            thread.start()
        swf.service.wait_for_pollers(count, timeout=60)
        held = swf.service.waiting_pollers()
    # Leaving the block answered every waiting poll empty.
    for thread in threads:
        thread.join(timeout=30)
    return held


def client_process(endpoint: str, index: int, count: int, go: Any, done: Any, leave: Any) -> None:
    """One of ``--clients``: warms up, waits for the start, runs ``count`` executions.

    It keeps its connection until told to leave: a server thread's context switches are counted
    only while the thread lives."""
    client = make_client(endpoint)
    tasks = {"name": f"bench-{index}"}
    for i in range(2):
        one_execution(client, -1000 * (index + 1) - i, tasks)
    done.put("ready")
    go.wait()
    for i in range(count):
        one_execution(client, index * count + i, tasks)
    done.put("done")
    leave.wait()


@dataclass(frozen=True)
class Concurrent:
    cpu_per_request: float  # seconds of the server process's CPU
    switches_per_request: float  # the server threads' context switches


def concurrent_clients(clients: int, n: int) -> Concurrent:
    """The loop from ``clients`` processes at once (n executions in all), on a fresh server."""
    spawn = multiprocessing.get_context("spawn")
    server = ServerProcess([sys.executable, "-m", "awsflow.local", "--port", "0", "--log-level", "WARNING"])
    try:
        register(make_client(server.endpoint))
        go, leave, done = spawn.Event(), spawn.Event(), spawn.Queue()
        share = max(1, n // clients)
        children = [
            spawn.Process(target=client_process, args=(server.endpoint, k, share, go, done, leave))
            for k in range(clients)
        ]
        for child in children:
            child.start()
        for _ in children:
            done.get(timeout=120)
        cpu, switches = server.cpu_seconds(), server.context_switches()
        go.set()
        for _ in children:
            done.get(timeout=600)
        requests = clients * share * REQUESTS_PER_EXECUTION
        measured = Concurrent(
            (server.cpu_seconds() - cpu) / requests, (server.context_switches() - switches) / requests
        )
        leave.set()
        for child in children:
            child.join(30)
        return measured
    finally:
        server.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=200, help="executions per server per round")
    parser.add_argument("--rounds", type=int, default=1, help="rounds of the pair, interleaved")
    parser.add_argument("--db", action="store_true", help="awsflow.local on an SQLite file")
    parser.add_argument(
        "--history-reads", type=int, default=20, help="whole-history reads to time per round (0: skip)"
    )
    parser.add_argument("--polls", type=int, default=250, help="concurrent long polls to hold (0: skip)")
    parser.add_argument(
        "--clients", type=int, default=4, help="client processes at once, beside one (0: skip)"
    )
    args = parser.parse_args()

    for round_number in range(1, args.rounds + 1):
        ours, page_cpu = measure_awsflow(args.n, args.db, args.history_reads)
        theirs = measure_moto(args.n)
        print(f"round {round_number} ({args.n} executions, {args.n * REQUESTS_PER_EXECUTION} requests each)")
        print(_line("awsflow.local" + (" db" if args.db else ""), ours))
        print(_line("moto", theirs))
        print(
            f"  ratio: throughput {ours.executions_per_second / theirs.executions_per_second:5.2f}x"
            " (target >= 4x), server CPU per request "
            f"{theirs.cpu_per_request / ours.cpu_per_request:5.2f}x less",
            flush=True,
        )
        if page_cpu is not None:
            print(f"  awsflow.local: server CPU {page_cpu * 1000:.2f} ms per 1,000-event history page")
    if args.clients > 0:
        for round_number in range(1, args.rounds + 1):
            for clients in (1, args.clients):
                m = concurrent_clients(clients, args.n)
                print(
                    f"round {round_number}: {clients} client process(es) at once: server CPU "
                    f"{m.cpu_per_request * 1000:6.3f} ms/request, "
                    f"{m.switches_per_request:5.2f} context switches/request",
                    flush=True,
                )
    if args.polls <= 0:
        return
    held = held_polls(args.polls)
    print(f"concurrent long polls held by awsflow.local: {held} of {args.polls} (target >= 200)")


if __name__ == "__main__":
    main()
