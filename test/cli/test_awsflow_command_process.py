"""The ``awsflow`` command as a separate process: ``awsflow local`` serves, and the history ->
replay pipeline of issue 14 works through a shell, with the endpoint and domain from the
environment."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

import botocore.session
import cli_workflows
import pytest
from cli_workflows import TASK_LIST, Greeter, Greetings
from waiting import wait_until

import awsflow
import awsflow.cli
from awsflow import ActivityWorker, WorkflowWorker, workflow_starter

COMMAND = f"{sys.executable} -m awsflow.cli"
ROOT = Path(awsflow.__file__).parents[1]
# Commands that do not depend on each other run two at a time: each is a new interpreter importing
# awsflow and botocore (about 0.5 s of CPU), and the suite, one process, leaves CI's second core
# idle. (More at once gains nothing on two cores and slows each down where other work runs.)
SIDE_BY_SIDE = 2
T = TypeVar("T")


def environment(**extra: str) -> dict[str, str]:
    path = os.pathsep.join([str(ROOT), str(Path(cli_workflows.__file__).parent)])
    return {**os.environ, "PYTHONPATH": path, **extra}


def side_by_side(*calls: Callable[[], T]) -> list[T]:
    """What each call returns (or raises), the calls run several at once."""
    with ThreadPoolExecutor(max_workers=SIDE_BY_SIDE) as pool:
        return [future.result() for future in [pool.submit(call) for call in calls]]


def signal_decided(events: list[dict[str, Any]]) -> bool:
    """Whether a decision task completed after the run's first signal."""
    kinds = [event["eventType"] for event in events]
    return (
        "WorkflowExecutionSignaled" in kinds
        and "DecisionTaskCompleted" in kinds[kinds.index("WorkflowExecutionSignaled") :]
    )


@pytest.fixture(scope="module")
def service() -> Iterator[str]:
    """``awsflow local --port 0`` in its own process; its endpoint URL. One for the module's tests:
    each works in a domain of its own."""
    process = subprocess.Popen(
        [sys.executable, "-m", "awsflow.cli", "local", "--port", "0", "--log-level", "WARNING"],
        stdout=subprocess.PIPE,
        text=True,
        env=environment(),
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()  # the service prints its URL once it listens
        assert line.startswith("awsflow.local listening on "), line
        yield line.split()[-1]
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=15) == 0
        if process.stdout is not None:
            process.stdout.close()


def test_history_json_replays_and_a_changed_workflow_fails_with_its_line(
    service: str, tmp_path: Path
) -> None:
    domain = f"cli-{uuid.uuid4().hex[:8]}"
    client = botocore.session.get_session().create_client(
        "swf", region_name="us-east-1", endpoint_url=service, aws_access_key_id="k", aws_secret_access_key="s"
    )
    client.register_domain(name=domain, workflowExecutionRetentionPeriodInDays="1")
    env = environment(AWS_ENDPOINT_URL_SWF=service, AWSFLOW_DOMAIN=domain)
    with (
        WorkflowWorker(None, "us-east-1", domain, TASK_LIST, Greeter, client=client),
        ActivityWorker(None, "us-east-1", domain, TASK_LIST, Greetings(), client=client),
    ):
        with workflow_starter(None, "us-east-1", domain, TASK_LIST, client=client):
            greeter = Greeter.run("ann")
        # The signal must come after the first decision: one that arrives with the start makes
        # Greeter decide exactly what GreeterChanged does, and no replay could tell them apart.
        run = {
            "workflowId": greeter.workflow_execution.workflow_id,
            "runId": greeter.workflow_execution.run_id,
        }
        wait_until(
            lambda: any(
                event["eventType"] == "DecisionTaskCompleted"
                for event in client.get_workflow_execution_history(domain=domain, execution=run)["events"]
            ),
            what="Greeter's first decision",
        )
        greeter.finish()
        assert greeter.result(timeout=10) == "hello ann"
    workflow_id = greeter.workflow_execution.workflow_id

    good = subprocess.run(
        f"{COMMAND} workflow history {workflow_id} --json > h.json && {COMMAND} replay h.json "
        "--workflows cli_workflows:Greeter",
        shell=True,
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert good.returncode == 0, good.stderr
    assert good.stdout.startswith("ok              h.json")

    def run(*argv: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*COMMAND.split(), *argv], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60
        )

    changed, unknown = side_by_side(
        partial(run, "replay", "h.json", "--workflows", "cli_workflows:GreeterChanged"),
        partial(run, "workflow", "describe", "nobody"),
    )
    line = next(
        n
        for n, text in enumerate(Path(cli_workflows.__file__).read_text().splitlines(), 1)
        if "# THE CHANGED CALL" in text
    )
    assert changed.returncode == 1, changed.stderr
    assert f"cli_workflows.py:{line}" in changed.stdout and "Greetings.hello" in changed.stdout

    assert (unknown.returncode, unknown.stdout) == (3, ""), unknown.stderr
    assert unknown.stderr.startswith("awsflow: error: UnknownResourceFault"), unknown.stderr
    assert unknown.stderr.count("\n") == 1, unknown.stderr


def test_every_command_group_runs_as_a_process_and_ends_with_its_status(service: str) -> None:
    """The in-process tests (test_awsflow_command.py) check each command's output in depth; here
    each command runs as the process a user starts, endpoint and domain from the environment."""
    domain = f"cli-{uuid.uuid4().hex[:8]}"
    env = environment(AWS_ENDPOINT_URL_SWF=service, AWSFLOW_DOMAIN=domain)
    client = botocore.session.get_session().create_client(
        "swf", region_name="us-east-1", endpoint_url=service, aws_access_key_id="k", aws_secret_access_key="s"
    )

    def run(*argv: str) -> subprocess.CompletedProcess[str]:
        done = subprocess.run([*COMMAND.split(), *argv], env=env, capture_output=True, text=True, timeout=60)
        assert "Traceback" not in done.stderr, done.stderr
        return done

    assert run("domain", "register", domain, "--retention", "1").returncode == 0
    with (
        WorkflowWorker(None, "us-east-1", domain, TASK_LIST, Greeter, client=client),
        ActivityWorker(None, "us-east-1", domain, TASK_LIST, Greetings(), client=client),
    ):
        started = run("workflow", "start", "Greeter:1.0", "--input", '["ann"]', "--id", "p-1")
        assert started.returncode == 0, started.stderr
        statuses = {
            ("domain", "list"): 0,
            ("domain", "describe", domain): 0,
            ("type", "list"): 0,
            ("workflow", "list", "--open"): 0,
            ("workflow", "count"): 0,
            ("workflow", "describe", "p-1"): 0,
            ("workflow", "stuck"): 0,
            ("workflow", "signal", "p-1", "add", "--input", '["bo"]'): 0,
            ("workflow", "result", "p-1"): 5,  # still open
            ("workflow", "signal", "nobody", "add"): 3,
        }
        done = side_by_side(*(partial(run, *argv) for argv in statuses))
        assert {argv: command.returncode for argv, command in zip(statuses, done, strict=True)} == statuses
        greeter = awsflow.get_workflow(domain, "p-1", client=client)
        wait_until(lambda: signal_decided(greeter.wire_history()), 10, "the signal decided")
        query = ("workflow", "query", "p-1", "names_so_far", "--workflows", "cli_workflows:Greeter")
        assert run(*query).stdout.strip() == '["ann", "bo"]'
        assert run("workflow", "signal", "p-1", "finish").returncode == 0
        result = run("workflow", "result", "p-1", "--wait", "--timeout", "10")
        assert (result.returncode, result.stdout.strip()) == (0, '"hello ann,bo"'), result.stderr
        history, profile = side_by_side(
            partial(run, "workflow", "history", "p-1"), partial(run, "workflow", "profile", "p-1")
        )
        assert "Greetings.hello" in history.stdout
        assert "critical path" in profile.stdout

        def end(ending: str) -> tuple[int, int]:
            run("workflow", "start", "Greeter:1.0", "--input", '["x"]', "--id", ending)
            ended = run("workflow", ending, ending).returncode
            return ended, run("workflow", "result", ending, "--wait", "--timeout", "10").returncode

        assert side_by_side(partial(end, "cancel"), partial(end, "terminate")) == [(0, 1), (0, 1)]
    assert run("domain", "deprecate", domain).returncode == 0
    assert run("domain", "undeprecate", domain).returncode == 0


def test_the_console_script_is_declared() -> None:
    setup = (ROOT / "setup.py").read_text()
    assert '"awsflow = awsflow.cli:console_main"' in setup
    assert callable(awsflow.cli.console_main)
