"""The service killed with SIGKILL again and again under load loses nothing (issue 11).

``python -m awsflow.local --db`` runs in its own process, two worker processes run
``KillNine`` (two activities per execution, each retried on timeout), and the test kills the
service at random moments, restarting it on the same database and port each time. Afterwards
every execution has completed with the right result, every history's event ids run 1..n, and
no scheduled activity was closed twice (an answer lost with the service times the task out, and
the workflow's retry schedules it anew: a new scheduled event, never a second outcome).
"""

from __future__ import annotations

import os
import random
import signal
import socket
import subprocess
import sys
import threading
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import botocore.config
import botocore.session
import pytest
from botocore.exceptions import BotoCoreError, ClientError
from server_process import ServerProcess
from waiting import wait_until

from awsflow.data_converter import JSONDataConverter

HERE = Path(__file__).resolve().parent
EXECUTIONS = 100
KILLS = 10
DOMAIN = "kill9"
TASK_LIST = "kill9"
ACTIVITY_CLOSES = {
    "ActivityTaskCompleted",
    "ActivityTaskFailed",
    "ActivityTaskTimedOut",
    "ActivityTaskCanceled",
}

pytestmark = pytest.mark.skipif(
    os.environ.get("AWS_SWF_CONFORMANCE") == "moto", reason="kills awsflow.local's own process"
)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _client(endpoint: str) -> Any:
    return botocore.session.get_session().create_client(
        "swf",
        region_name="us-east-1",
        endpoint_url=endpoint,
        aws_access_key_id="test",
        aws_secret_access_key="test",
        config=botocore.config.Config(read_timeout=10, connect_timeout=2, retries={"max_attempts": 0}),
    )


def _through_outages(call: Any, timeout: float = 30.0) -> Any:
    """Retry ``call`` while the service is down (connection errors), up to ``timeout`` seconds."""
    box: list[Any] = []

    def attempt() -> bool:
        try:
            box.append(call())  # None is a result too
        except (BotoCoreError, ConnectionError):
            return False
        return True

    wait_until(attempt, timeout, "the service to answer")
    return box[0]


def _history(client: Any, run: dict[str, str]) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = []
    token: dict[str, str] = {}
    while True:
        page = client.get_workflow_execution_history(domain=DOMAIN, execution=run, **token)
        events.extend(page["events"])
        if "nextPageToken" not in page:
            return events
        token = {"nextPageToken": page["nextPageToken"]}


@pytest.fixture
def workers(tmp_path: Path) -> Iterator[Any]:
    processes: list[subprocess.Popen[str]] = []

    def spawn(endpoint: str, count: int) -> None:
        for n in range(count):
            log = open(tmp_path / f"worker{n}.log", "w")  # noqa: SIM115 - closed with the process
            process = subprocess.Popen(
                [sys.executable, str(HERE / "kill9_worker.py"), endpoint, DOMAIN, TASK_LIST],
                stdout=subprocess.PIPE,
                stderr=log,
                text=True,
                cwd=HERE,
            )
            processes.append(process)
            assert process.stdout is not None and process.stdout.readline() == "ready\n"

    yield spawn
    for process in processes:
        process.send_signal(signal.SIGTERM)
    for process in processes:
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)


def test_every_execution_completes_through_ten_kill_9s_of_the_service(tmp_path: Path, workers: Any) -> None:
    db = str(tmp_path / "swf.sqlite")
    port = str(_free_port())
    args = ["--db", db, "--port", port, "--poll-timeout", "5", "--log-level", "WARNING"]
    rng = random.Random(os.environ.get("AWSFLOW_KILL9_SEED", "kill9"))
    service = ServerProcess(*args)
    endpoint = service.url
    client = _client(endpoint)
    try:
        client.register_domain(name=DOMAIN, workflowExecutionRetentionPeriodInDays="1")
        workers(endpoint, 2)
        converter = JSONDataConverter()

        def start(n: int) -> None:
            workflow_id = f"kill9-{n}"
            try:
                client.start_workflow_execution(
                    domain=DOMAIN,
                    workflowId=workflow_id,
                    workflowType={"name": "KillNine", "version": "1.0"},
                    input=converter.dumps([[n], {}]),
                )
            except ClientError as err:  # its first answer was lost with a killed service
                if err.response["Error"]["Code"] != "WorkflowExecutionAlreadyStartedFault":
                    raise

        def open_executions() -> int:
            listed = client.count_open_workflow_executions(domain=DOMAIN, startTimeFilter={"oldestDate": 0})
            return int(listed["count"])

        batch = EXECUTIONS // KILLS
        busy_kills = 0
        for kill in range(KILLS):
            # A batch of executions starts, the workers take them up (resuming after the last
            # outage), and the service is killed at a random moment of that work (a batch is at
            # least 0.5 s of activity work: kill9_worker.ACTIVITY_SLOTS).
            for n in range(kill * batch, (kill + 1) * batch):
                _through_outages(lambda n=n: start(n))
            threading.Event().wait(rng.uniform(0.1, 0.5))
            busy_kills += _through_outages(open_executions) > 0
            service.kill()
            service = ServerProcess(*args)
            assert service.url == endpoint
        assert busy_kills >= KILLS - 1, f"only {busy_kills} of the kills found executions open"

        def all_closed() -> bool:
            count = client.count_closed_workflow_executions(domain=DOMAIN, startTimeFilter={"oldestDate": 0})
            return bool(count["count"] == EXECUTIONS)

        wait_until(lambda: _through_outages(all_closed), timeout=90, what="every execution to close")
        for n in range(EXECUTIONS):
            listed = client.list_closed_workflow_executions(
                domain=DOMAIN, startTimeFilter={"oldestDate": 0}, executionFilter={"workflowId": f"kill9-{n}"}
            )["executionInfos"]
            assert len(listed) == 1, f"kill9-{n} ran {len(listed)} times"
            assert listed[0]["closeStatus"] == "COMPLETED", listed[0]
            events = _history(client, listed[0]["execution"])
            assert [e["eventId"] for e in events] == list(range(1, len(events) + 1))
            closes: dict[int, int] = {}
            for event in events:
                if event["eventType"] in ACTIVITY_CLOSES:
                    attrs = event[event["eventType"][0].lower() + event["eventType"][1:] + "EventAttributes"]
                    closes[attrs["scheduledEventId"]] = closes.get(attrs["scheduledEventId"], 0) + 1
            assert all(count == 1 for count in closes.values()), f"kill9-{n}: an activity closed twice"
            kinds = Counter(e["eventType"] for e in events)
            assert kinds["ActivityTaskCompleted"] == 4, f"kill9-{n}: {kinds}"  # each step's result once
            completed = events[-1]["workflowExecutionCompletedEventAttributes"]
            assert converter.loads(completed["result"]) == n * n + 1
    finally:
        service.stop()
