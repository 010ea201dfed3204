"""Benchmark: awsflow.local against moto's SWF server, in the same run.

Drives N executions through the loop a real decider and worker make — start, poll decision,
schedule an activity, poll activity, complete it, poll decision, complete the run — against
each server over HTTP with botocore, and prints executions per second and the ratio (target:
awsflow.local at least 3x moto). Then holds as many concurrent long polls on awsflow.local as asked
and prints how many were held at once (target: ≥ 200 on 2 cores).

Run: ``python bench/local_server.py [--n 200] [--polls 250]``.
"""

from __future__ import annotations

import argparse
import logging
import threading
import time
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


def one_execution(client: Any, n: int) -> None:
    client.start_workflow_execution(domain=DOMAIN, workflowId=f"run-{n}", workflowType=WORKFLOW, input=str(n))
    task = client.poll_for_decision_task(domain=DOMAIN, taskList=TASKS, identity="decider")
    client.respond_decision_task_completed(
        taskToken=task["taskToken"],
        decisions=[
            {
                "decisionType": "ScheduleActivityTask",
                "scheduleActivityTaskDecisionAttributes": {
                    "activityType": ACTIVITY,
                    "activityId": "a",
                    "input": "x",
                },
            }
        ],
    )
    work = client.poll_for_activity_task(domain=DOMAIN, taskList=TASKS, identity="worker")
    client.respond_activity_task_completed(taskToken=work["taskToken"], result="done")
    task = client.poll_for_decision_task(domain=DOMAIN, taskList=TASKS, identity="decider")
    client.respond_decision_task_completed(
        taskToken=task["taskToken"],
        decisions=[
            {
                "decisionType": "CompleteWorkflowExecution",
                "completeWorkflowExecutionDecisionAttributes": {"result": "ok"},
            }
        ],
    )


def throughput(endpoint: str, n: int) -> float:
    client = make_client(endpoint)
    register(client)
    one_execution(client, -1)  # warm the connection and the server's caches
    began = time.perf_counter()
    for i in range(n):
        one_execution(client, i)
    return n / (time.perf_counter() - began)


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=200, help="executions per server")
    parser.add_argument("--polls", type=int, default=250, help="concurrent long polls to hold")
    args = parser.parse_args()

    with LocalSWF() as swf:
        ours = throughput(swf.endpoint_url, args.n)
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # moto's server logs every request
    moto_server = ThreadedMotoServer(port=0, verbose=False)
    moto_server.start()
    try:
        host, port = moto_server.get_host_and_port()
        theirs = throughput(f"http://{host}:{port}", args.n)
    finally:
        moto_server.stop()
    print(
        f"executions/s   awsflow.local {ours:8.1f}   moto {theirs:8.1f}   ratio {ours / theirs:5.2f}x (target >= 3x)"
    )
    held = held_polls(args.polls)
    print(f"concurrent long polls held by awsflow.local: {held} of {args.polls} (target >= 200)")


if __name__ == "__main__":
    main()
