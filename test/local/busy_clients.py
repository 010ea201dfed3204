"""Clients that keep a service busy and record every answer it gives, for the stop tests.

Each client loops start → poll → respond over its own botocore connection until told to stop
or until the service stops answering. Every outcome is recorded: a status code (200, 4xx,
503...) or the name of the connection error; the tests then assert that none was a 500.
"""

from __future__ import annotations

import threading
from collections import Counter
from typing import Any

import botocore.config
import botocore.exceptions
import botocore.session

DOMAIN = "busy"
WORKFLOW = {"name": "w", "version": "1"}
ACTIVITY = {"name": "a", "version": "1"}


def client_for(endpoint: str) -> Any:
    return botocore.session.get_session().create_client(
        "swf",
        region_name="us-east-1",
        endpoint_url=endpoint,
        aws_access_key_id="k",
        aws_secret_access_key="s",
        config=botocore.config.Config(
            read_timeout=70, connect_timeout=5, retries={"max_attempts": 0}, max_pool_connections=4
        ),
    )


def prepare(client: Any) -> None:
    client.register_domain(name=DOMAIN, workflowExecutionRetentionPeriodInDays="1")
    client.register_workflow_type(
        domain=DOMAIN,
        defaultTaskList={"name": "decisions"},
        defaultExecutionStartToCloseTimeout="600",
        defaultTaskStartToCloseTimeout="60",
        defaultChildPolicy="TERMINATE",
        **WORKFLOW,
    )
    client.register_activity_type(
        domain=DOMAIN,
        defaultTaskList={"name": "activities"},
        defaultTaskScheduleToStartTimeout="NONE",
        defaultTaskScheduleToCloseTimeout="NONE",
        defaultTaskStartToCloseTimeout="600",
        defaultTaskHeartbeatTimeout="NONE",
        **ACTIVITY,
    )


class BusyClients:
    """``count`` clients hammering ``endpoint`` in threads; ``outcomes`` counts their answers."""

    def __init__(self, endpoint: str, count: int = 4) -> None:
        self.endpoint = endpoint
        self.outcomes: Counter[str] = Counter()
        self.started: list[dict[str, str]] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._threads = [
            threading.Thread(target=self._run, args=(n,), name=f"busy client {n}", daemon=True)
            for n in range(count)
        ]

    def __enter__(self) -> BusyClients:
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=80)

    def _record(self, outcome: str) -> None:
        with self._lock:
            self.outcomes[outcome] += 1

    def _call(self, method: Any, **kwargs: Any) -> dict[str, Any] | None:
        try:
            response: dict[str, Any] = method(**kwargs)
        except botocore.exceptions.ClientError as err:
            self._record(str(err.response["ResponseMetadata"]["HTTPStatusCode"]))
            return None
        except botocore.exceptions.BotoCoreError as err:  # connection refused, reset, closed...
            self._record(type(err).__name__)
            return None
        self._record("200")
        return response

    def _run(self, n: int) -> None:
        client = client_for(self.endpoint)
        i = 0
        failures_in_a_row = 0
        while not self._stop.is_set() and failures_in_a_row < 20:
            i += 1
            before = self.answered_ok()
            self._one_round(client, f"{n}-{i}")
            failures_in_a_row = 0 if self.answered_ok() > before else failures_in_a_row + 1

    def answered_ok(self) -> int:
        with self._lock:
            return self.outcomes["200"]

    def _one_round(self, client: Any, workflow_id: str) -> None:
        run = self._call(
            client.start_workflow_execution, domain=DOMAIN, workflowId=workflow_id, workflowType=WORKFLOW
        )
        if run is not None:
            with self._lock:
                self.started.append({"workflowId": workflow_id, "runId": run["runId"]})
        task = self._call(client.poll_for_decision_task, domain=DOMAIN, taskList={"name": "decisions"})
        if task and task.get("taskToken"):
            self._call(
                client.respond_decision_task_completed,
                taskToken=task["taskToken"],
                decisions=[
                    {
                        "decisionType": "ScheduleActivityTask",
                        "scheduleActivityTaskDecisionAttributes": {
                            "activityType": ACTIVITY,
                            "activityId": "a",
                        },
                    }
                ],
            )
        activity = self._call(client.poll_for_activity_task, domain=DOMAIN, taskList={"name": "activities"})
        if activity and activity.get("taskToken"):
            self._call(client.respond_activity_task_completed, taskToken=activity["taskToken"], result="r")
        self._call(client.list_domains, registrationStatus="REGISTERED")
