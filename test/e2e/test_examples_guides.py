"""The guides' examples do what their pages say.

``examples/deployment.py`` is the shape the "Running on Amazon SWF" guide deploys: its two
workers and its starter run as separate processes configured only through botocore's
environment (here pointed at an awsflow.local over HTTP), and SIGTERM stops each worker
gracefully with exit status 0.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from waiting import wait_until

from awsflow.local import LocalSWF

ROOT = Path(__file__).resolve().parents[2]


def test_the_deployment_example_runs_as_three_processes_and_stops_on_sigterm() -> None:
    with LocalSWF() as swf:
        client = swf.client()
        client.register_domain(name="orders", workflowExecutionRetentionPeriodInDays="1")
        env = {
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "AWS_ENDPOINT_URL_SWF": swf.endpoint_url,
            "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWSFLOW_DOMAIN": "orders",
        }
        script = str(ROOT / "examples" / "deployment.py")
        workers = [
            subprocess.Popen(
                [sys.executable, script, role],
                env=env,
                cwd=ROOT,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for role in ("workflow-worker", "activity-worker")
        ]
        try:

            def registered() -> bool:
                workflows = client.list_workflow_types(domain="orders", registrationStatus="REGISTERED")
                activities = client.list_activity_types(domain="orders", registrationStatus="REGISTERED")
                return bool(workflows["typeInfos"]) and bool(activities["typeInfos"])

            wait_until(registered, timeout=30, what="the workers to register their types")
            started = subprocess.run(
                [sys.executable, script, "start", "ada"],
                env=env,
                cwd=ROOT,
                capture_output=True,
                text=True,
                timeout=60,
            )
            assert started.returncode == 0, started.stderr
            assert started.stdout.startswith("reserved a book for ada (in process ")
            pid = int(started.stdout.rsplit(" ", 1)[1].rstrip(")\n"))
            assert pid not in {worker.pid for worker in workers}  # a child of the activity worker
        finally:
            for worker in workers:
                worker.send_signal(signal.SIGTERM)
            outputs = [worker.communicate(timeout=60) for worker in workers]
        for worker, (_, stderr) in zip(workers, outputs, strict=True):
            assert worker.returncode == 0, stderr
            assert "stopping gracefully" in stderr
