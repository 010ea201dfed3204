"""The shape of a deployment: one module, three programs that run apart.

    python examples/deployment.py workflow-worker    # long-running: decides (SIGTERM stops it)
    python examples/deployment.py activity-worker    # long-running: runs the activities
    python examples/deployment.py start ada          # starts one order, prints its result

The same code runs against Amazon SWF and awsflow.local: the endpoint, region and credentials
come from botocore's chain (an instance or task role, ``AWS_PROFILE``, ``AWS_DEFAULT_REGION``;
``AWS_ENDPOINT_URL_SWF`` points it at awsflow.local). ``AWSFLOW_DOMAIN`` names the domain, which
is registered once, beforehand (``awsflow domain register orders --retention 7``). The workers
register the workflow and activity types when they start; the starter registers nothing, so
start the workers of a new version first.
"""

from __future__ import annotations

import logging
import os
import sys
from typing import Any

import botocore.session

from awsflow import (
    ActivityWorker,
    WorkflowDefinition,
    WorkflowWorker,
    activities,
    activity,
    execute,
    workflow_starter,
)

DOMAIN = os.environ.get("AWSFLOW_DOMAIN", "orders")
TASK_LIST = os.environ.get("AWSFLOW_TASK_LIST", "orders")


@activities(schedule_to_start_timeout=300, start_to_close_timeout=60)
class Warehouse:
    @activity("1.0")
    def reserve(self, customer: str) -> str:
        return f"reserved a book for {customer} (in process {os.getpid()})"


class Order(WorkflowDefinition):
    @execute(version="1.0", execution_start_to_close_timeout=3600)
    def place(self, customer: str) -> Any:
        reservation = yield Warehouse.reserve(customer)
        return reservation


def main(role: str, *args: str) -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    session = botocore.session.get_session()
    region = session.get_config_variable("region")
    if role == "workflow-worker":
        WorkflowWorker(session, region, DOMAIN, TASK_LIST, Order).run()
    elif role == "activity-worker":
        # Two supervised processes; on SIGTERM, tasks in flight get 30 s, then are failed.
        ActivityWorker(session, region, DOMAIN, TASK_LIST, Warehouse(), processes=2, grace_period=30).run()
    elif role == "start":
        with workflow_starter(session, region, DOMAIN, TASK_LIST):
            order = Order.place(args[0])
        print(order.wait_for_completion(timeout=300))
    else:
        raise SystemExit(f"unknown role {role!r}: workflow-worker, activity-worker or start")


if __name__ == "__main__":  # required: processes=N children re-import this module
    main(*sys.argv[1:])
