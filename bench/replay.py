"""Benchmark: CPU per decision task on the path users run, cold and sticky, beside botoflow 0.8.

The workflow schedules N activities one after the other (N = 10, 100, 300, 1000). Its history
is made once on awsflow.local's in-memory engine and encoded as awsflow.local's HTTP front
encodes a PollForDecisionTask answer (compact JSON, pages of 1,000 events, timestamps as epoch
seconds): those raw bytes are what every decider gets. A stand-in endpoint in this process
serves them over HTTP, and a real :class:`~awsflow.WorkflowWorker` takes the task with
``run_once()`` — poll, every history page, decode, replay, answer — so the figure is the CPU
time of the worker's thread for one decision task (the server's thread is not counted):

- **cold**: a worker holding no replay gets the last decision task (the one that completes the
  workflow) with the whole history;
- **sticky**: a worker that decided the task before gets only the new events (as with
  ``startAtPreviousStartedEvent``);
- **botocore** decodes with botocore's client (its parser: datetimes and all), the way awsflow
  worked before the lean path; **lean** is the default (awsflow._wire). The botocore variant is
  selected by the documented fallback rule: a client with an event handler of its own.
- **botoflow 0.8** (when importable) decides the same cold task through its own Decider and a
  botocore client against the same endpoint; it has no sticky mode.

Every ratio compares figures measured in this run. Also printed: decoding alone (botocore's
parser against ``awsflow._wire.decode``) of the whole history.

Run: ``python bench/replay.py [--runs 5] [--sizes 10,100,300,1000]``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import botocore.config
import botocore.session
from botocore.parsers import create_parser

from awsflow import WorkflowDefinition, WorkflowWorker, activities, activity, execute
from awsflow._wire import decode
from awsflow.test import EngineHarness

SIZES = (10, 100, 300, 1000)
PAGE = 1000  # events per page, as SWF and awsflow.local page a poll's history
DOMAIN = "bench"
TASK_LIST = "tasks"


@activities(schedule_to_start_timeout=60, start_to_close_timeout=60)
class Work:
    @activity("1.0")
    def step(self, i: int) -> int:
        return i


class Sequential(WorkflowDefinition):
    @execute(version="1.0", execution_start_to_close_timeout=86_400)
    def run(self, n: int) -> Any:
        total = 0
        for i in range(n):
            total += yield Work.step(i)
        return total


# -- the history, as a poll delivers it -----------------------------------------------------------
def make_history(n: int) -> tuple[dict[str, str], list[dict[str, Any]]]:
    harness = EngineHarness((Sequential,), (Work(),))
    run = harness.start(Sequential, "run", n)
    harness.run()
    last = harness.records[-1]
    assert last.decisions is not None and last.decisions[0]["decisionType"] == "CompleteWorkflowExecution"
    return run, last.events


def poll_pages(run: dict[str, str], events: list[dict[str, Any]], previous_started: int) -> list[bytes]:
    """The raw answers of a PollForDecisionTask and its next pages, as awsflow.local sends them."""
    started = [e["eventId"] for e in events if e["eventType"] == "DecisionTaskStarted"][-1]
    task = {
        "taskToken": "bench-token",
        "startedEventId": started,
        "previousStartedEventId": previous_started,
        "workflowExecution": run,
        "workflowType": {"name": "Sequential", "version": "1.0"},
    }
    chunks = [events[i : i + PAGE] for i in range(0, len(events), PAGE)] or [[]]
    pages = []
    for index, chunk in enumerate(chunks):
        page: dict[str, Any] = {**task, "events": chunk}
        if index + 1 < len(chunks):
            page["nextPageToken"] = str(index + 1)
        pages.append(json.dumps(page, separators=(",", ":")).encode())
    return pages


def started_ids(events: list[dict[str, Any]]) -> list[int]:
    return [e["eventId"] for e in events if e["eventType"] == "DecisionTaskStarted"]


# -- the stand-in endpoint --------------------------------------------------------------------------
EMPTY_POLL = b'{"previousStartedEventId":0,"startedEventId":0}'


class Endpoint(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.pages: list[bytes] = [EMPTY_POLL]
        self.answered: list[list[dict[str, Any]]] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # kept-alive connections, as awsflow.local's
    server: Endpoint

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_POST(self) -> None:
        operation = self.headers["X-Amz-Target"].rsplit(".", 1)[1]
        request = json.loads(self.rfile.read(int(self.headers["Content-Length"])) or b"{}")
        payload = b"{}"
        if operation == "PollForDecisionTask":
            payload = self.server.pages[int(request.get("nextPageToken") or 0)]
        elif operation == "RespondDecisionTaskCompleted":
            self.server.answered.append(request["decisions"])
            payload = b""
        self.send_response(200)
        self.send_header("Content-Type", "application/x-amz-json-1.0")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)


@contextmanager
def endpoint() -> Iterator[Endpoint]:
    server = Endpoint()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def client_for(url: str) -> Any:
    return botocore.session.get_session().create_client(
        "swf",
        region_name="us-east-1",
        endpoint_url=url,
        aws_access_key_id="bench",
        aws_secret_access_key="bench",
        config=botocore.config.Config(read_timeout=70, retries={"mode": "standard", "max_attempts": 5}),
    )


def _own_handler(**kwargs: Any) -> None:
    """An event handler of the user's: by the fallback rule, the client makes its own calls."""


def new_worker(server: Endpoint, path: str) -> WorkflowWorker:
    client = client_for(server.url)
    if path == "botocore":
        client.meta.events.register("after-call.swf.PollForDecisionTask", _own_handler)
    worker = WorkflowWorker(None, "us-east-1", DOMAIN, TASK_LIST, Sequential, client=client)
    server.pages = [EMPTY_POLL]
    assert worker.run_once() is False  # warm: its connection, and (lean) its wire client
    return worker


def cpu_of(action: Callable[[], Any]) -> float:
    started = time.thread_time()
    action()
    return time.thread_time() - started


# -- one decision task, each way ------------------------------------------------------------------
def cold(server: Endpoint, path: str, run: dict[str, str], events: list[dict[str, Any]]) -> float:
    worker = new_worker(server, path)
    server.pages = poll_pages(run, events, started_ids(events)[-2])
    seconds = cpu_of(worker.run_once)
    assert server.answered[-1][0]["decisionType"] == "CompleteWorkflowExecution", server.answered[-1]
    return seconds


def sticky(server: Endpoint, path: str, run: dict[str, str], events: list[dict[str, Any]]) -> float:
    worker = new_worker(server, path)
    ids = started_ids(events)
    cut = next(i for i, e in enumerate(events) if e["eventId"] == ids[-2]) + 1
    previous = ids[-3] if len(ids) > 2 else 0
    server.pages = poll_pages(run, events[:cut], previous)
    worker.run_once()  # the task before: decided cold, its replay kept
    assert server.answered[-1][0]["decisionType"] == "ScheduleActivityTask", server.answered[-1]
    server.pages = poll_pages(run, events[cut:], ids[-2])
    seconds = cpu_of(worker.run_once)
    assert server.answered[-1][0]["decisionType"] == "CompleteWorkflowExecution", server.answered[-1]
    return seconds


def botoflow_decider(server: Endpoint) -> Callable[[], None] | None:
    """One cold decision by botoflow 0.8's Decider through a botocore client, or None."""
    try:
        import botoflow
        from botoflow.decider.decider import Decider
        from botoflow.utils import extract_workflows_dict
    except ImportError:
        return None

    @botoflow.activities(schedule_to_start_timeout=60, start_to_close_timeout=60)
    class Work:  # the same activity type, declared for botoflow
        @botoflow.activity("1.0")
        def step(self, i: int) -> int:
            return i

    class Sequential(botoflow.WorkflowDefinition):
        @botoflow.execute(version="1.0", execution_start_to_close_timeout=86_400)
        def run(self, n: int) -> Any:
            total = 0
            for i in range(n):
                total += yield Work.step(i)
            botoflow.return_(total)

    workflows = extract_workflows_dict([Sequential])

    class Worker:  # what botoflow's Decider needs of its worker
        client = client_for(server.url)

    def decide() -> None:
        Decider(
            Worker(), DOMAIN, TASK_LIST, lambda name, version: workflows[(name, version)], "bench"
        ).decide()

    return decide


def decode_costs(pages: list[bytes], runs: int) -> tuple[float, float]:
    """Seconds (median) to decode ``pages`` with botocore's parser, and with the lean decoder."""
    shape = botocore.session.get_session().get_service_model("swf").operation_model("PollForDecisionTask")
    parser = create_parser("json")

    def with_botocore() -> None:
        for page in pages:
            parser.parse({"status_code": 200, "headers": {}, "body": page}, shape.output_shape)

    def lean() -> None:
        for page in pages:
            decode(page)

    return (
        statistics.median(cpu_of(with_botocore) for _ in range(runs)),
        statistics.median(cpu_of(lean) for _ in range(runs)),
    )


def median_of(runs: int, measure: Callable[[], float]) -> float:
    return statistics.median(measure() for _ in range(runs))


def report(server: Endpoint, n: int, runs: int, botoflow_decide: Callable[[], None] | None) -> None:
    """Measure and print one size."""
    run, events = make_history(n)
    pages = poll_pages(run, events, started_ids(events)[-2])
    parse_botocore, parse_lean = decode_costs(pages, runs)
    figures = {
        (mode.__name__, path): median_of(runs, lambda m=mode, p=path: m(server, p, run, events))
        for mode in (cold, sticky)
        for path in ("botocore", "lean")
    }
    cold_b, cold_l = figures[("cold", "botocore")], figures[("cold", "lean")]
    sticky_b, sticky_l = figures[("sticky", "botocore")], figures[("sticky", "lean")]
    print(
        f"N={n:<5} events={len(events):<5} "
        f"decode {parse_botocore * 1e3:7.2f} → {parse_lean * 1e3:6.2f} ({parse_botocore / parse_lean:4.1f}x) | "
        f"cold {cold_b * 1e3:7.2f} → {cold_l * 1e3:6.2f} ({cold_b / cold_l:4.1f}x) | "
        f"sticky {sticky_b * 1e3:5.2f} → {sticky_l * 1e3:5.2f} ({sticky_b / sticky_l:4.1f}x) | "
        f"lean cold/sticky {cold_l / sticky_l:5.1f}x"
    )
    if botoflow_decide is None:
        return

    def botoflow_cold() -> float:
        server.pages = pages
        seconds = cpu_of(botoflow_decide)
        assert server.answered[-1][0]["decisionType"] == "CompleteWorkflowExecution"
        return seconds

    theirs = median_of(runs, botoflow_cold)
    print(
        f"{'':24}botoflow 0.8 cold {theirs * 1e3:7.2f}: awsflow lean cold {theirs / cold_l:5.1f}x faster, "
        f"sticky {theirs / sticky_l:6.1f}x"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)))
    args = parser.parse_args()
    with endpoint() as server:
        botoflow_decide = botoflow_decider(server)
        if botoflow_decide is None:
            print(
                "botoflow 0.8 is not installed: skipped (pip install --no-deps botoflow==0.8 six dill retrying)"
            )
        print(f"CPU ms per decision task, botocore → lean (worker thread, median of {args.runs} runs)")
        for n in (int(size) for size in args.sizes.split(",")):
            report(server, n, args.runs, botoflow_decide)
    print(
        "targets (issue 13): lean cold/sticky <= 5x at N=1000; cold >= 5x botoflow; sticky >= 150x botoflow"
    )


if __name__ == "__main__":
    main()
