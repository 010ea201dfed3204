"""The ``awsflow`` command, in-process (``main(argv)``) against awsflow.local over real HTTP:
every command, its JSON output, exit statuses and one-line errors."""

from __future__ import annotations

import io
import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import cli_workflows
import pytest
from cli_workflows import TASK_LIST, Greeter, GreeterChanged, Greetings
from waiting import wait_until

from awsflow import ActivityWorker, WorkflowWorker
from awsflow.cli import COMMANDS, Exit, main
from awsflow.local import LocalSWF, VirtualClock
from awsflow.workers.workflow_worker import STICKY_TIMEOUT

WORKFLOWS = "cli_workflows:Greeter"
CHANGED_LINE = next(
    number
    for number, line in enumerate(Path(cli_workflows.__file__).read_text().splitlines(), 1)
    if "# THE CHANGED CALL" in line
)


class Run:
    """One command's exit status and output."""

    def __init__(self, status: int, out: str, err: str) -> None:
        self.status, self.out, self.err = status, out, err

    @property
    def json(self) -> Any:
        return json.loads(self.out)


class Awsflow:
    """Runs ``awsflow`` commands against the test's service and domain."""

    def __init__(self, endpoint_url: str, domain: str) -> None:
        self.endpoint_url = endpoint_url
        self.domain = domain

    def __call__(self, *argv: str, domain: bool = True) -> Run:
        out, err = io.StringIO(), io.StringIO()
        options = ["--endpoint-url", self.endpoint_url, *(["--domain", self.domain] if domain else [])]
        status = main([*argv, *options], stdout=out, stderr=err)
        return Run(status, out.getvalue(), err.getvalue())


@pytest.fixture
def awsflow(endpoint_url: str, domain: str) -> Awsflow:
    return Awsflow(endpoint_url, domain)


@pytest.fixture
def workers(swf: LocalSWF, domain: str) -> Iterator[None]:
    with (
        WorkflowWorker(None, "us-east-1", domain, TASK_LIST, Greeter, client=swf.client()),
        ActivityWorker(None, "us-east-1", domain, TASK_LIST, Greetings(), client=swf.client()),
    ):
        yield


def decided(awsflow: Awsflow, workflow_id: str, count: int = 1) -> None:
    def enough() -> bool:
        history = awsflow("workflow", "history", workflow_id, "--json").json["events"]
        return sum(e["eventType"] == "DecisionTaskCompleted" for e in history) >= count

    wait_until(enough, 10, f"{count} decision tasks of {workflow_id}")


def start(awsflow: Awsflow, workflow_id: str, name: str = "ann") -> dict[str, str]:
    run = awsflow(
        "workflow", "start", "Greeter", "--input", json.dumps([name]), "--id", workflow_id, "--json"
    )
    assert run.status == Exit.OK, run.err
    ids: dict[str, str] = run.json
    return ids


def test_domain_commands_and_their_errors(awsflow: Awsflow) -> None:
    name = f"{awsflow.domain}-x"
    assert awsflow("domain", "register", name, "--retention", "3", "--description", "tests").status == 0
    again = awsflow("domain", "register", name)
    assert again.status == Exit.REFUSED
    assert again.err.strip() == f"awsflow: error: DomainAlreadyExistsFault: {name}"
    listed = awsflow("domain", "list", "--json")
    assert {d["name"] for d in listed.json} >= {name, awsflow.domain}
    described = awsflow("domain", "describe", name)
    assert "retention:   3 days" in described.out and "description: tests" in described.out
    assert awsflow("domain", "deprecate", name).status == 0
    assert name in awsflow("domain", "list", "--deprecated").out
    assert name not in awsflow("domain", "list").out
    assert awsflow("domain", "undeprecate", name, "--json").json == {"name": name, "status": "REGISTERED"}
    unknown = awsflow("domain", "describe", "no-such-domain")
    assert unknown.status == Exit.REFUSED and unknown.err.count("\n") == 1
    assert "UnknownResourceFault" in unknown.err and "Traceback" not in unknown.err


def test_a_workflow_operated_from_start_to_result_then_replayed(
    awsflow: Awsflow, workers: None, tmp_path: Path
) -> None:
    types = awsflow("type", "list", "--json").json
    assert {(t["kind"], t["name"]) for t in types} >= {
        ("workflow", "Greeter"),
        ("activity", "Greetings.hello"),
    }
    assert "Greetings.hello" in awsflow("type", "list", "--kind", "activity").out

    ids = start(awsflow, "greet-1")
    assert ids["workflowId"] == "greet-1" and ids["runId"]
    decided(awsflow, "greet-1")
    assert awsflow("workflow", "signal", "greet-1", "add", "--input", '["bob"]').status == 0
    decided(awsflow, "greet-1", 2)
    query = awsflow("workflow", "query", "greet-1", "names_so_far", "--workflows", WORKFLOWS, "--json")
    assert query.json == ["ann", "bob"], query.err
    not_a_query = awsflow("workflow", "query", "greet-1", "add", "--workflows", WORKFLOWS)
    assert not_a_query.status == Exit.USAGE and not_a_query.err.count("\n") == 1
    assert "WorkflowDefinitionError: Greeter.add is not a @query method" in not_a_query.err
    diverged = awsflow(
        "workflow", "query", "greet-1", "names_so_far", "--workflows", "cli_workflows:GreeterChanged"
    )
    assert diverged.status == Exit.FAILED and "NondeterminismError" in diverged.err
    assert diverged.err.count("\n") == 1

    described = awsflow("workflow", "describe", "greet-1")
    assert "status:        OPEN" in described.out and "type:          Greeter 1.0" in described.out
    assert awsflow("workflow", "describe", "greet-1", "--json").json["status"] == "OPEN"
    listed = awsflow("workflow", "list", "--open", "--json").json
    assert [i["execution"]["workflowId"] for i in listed] == ["greet-1"]
    assert "greet-1" in awsflow("workflow", "list").out
    assert awsflow("workflow", "count", "--json").json == {
        "open": {"count": 1, "truncated": False},
        "closed": {"count": 0, "truncated": False},
    }

    still_open = awsflow("workflow", "result", "greet-1")
    assert still_open.status == Exit.STILL_OPEN and "still open" in still_open.err

    assert awsflow("workflow", "signal", "greet-1", "finish").status == 0
    result = awsflow("workflow", "result", "greet-1", "--wait", "--timeout", "10")
    assert (result.status, result.out.strip()) == (0, '"hello ann,bob"')
    assert awsflow("workflow", "result", "greet-1", "--json").json == {
        "status": "COMPLETED",
        "result": "hello ann,bob",
    }
    assert awsflow(
        "workflow", "list", "--closed", "--status", "COMPLETED", "--since", "2000-01-01", "--json"
    ).json

    table = awsflow("workflow", "history", "greet-1").out.splitlines()
    assert table[0].split() == ["ID", "TIME", "TYPE", "DETAILS"]
    assert any(
        "WorkflowExecutionSignaled" in line and 'signalName=add input=[["bob"], {}]' in line for line in table
    )
    assert any(
        "ActivityTaskScheduled" in line and "activityType=Greetings.hello 1.0" in line for line in table
    )
    assert 'result="hello ann,bob"' in table[-1] and "WorkflowExecutionCompleted" in table[-1]

    profile = awsflow("workflow", "profile", "greet-1")
    assert "Greetings.hello 1.0" in profile.out and "critical path (1 calls):" in profile.out
    path = awsflow("workflow", "profile", "greet-1", "--json").json["critical_path"]
    assert [(c["kind"], c["name"]) for c in path] == [("activity", "Greetings.hello 1.0")]

    saved = tmp_path / "greet-1.json"
    saved.write_text(awsflow("workflow", "history", "greet-1", "--json").out)
    good = awsflow("replay", str(saved), "--workflows", WORKFLOWS)
    assert good.status == 0 and good.out.startswith("ok ") and "1 replayed, 1 ok, 0 failed" in good.out
    changed = awsflow("replay", str(tmp_path), "--workflows", "cli_workflows:GreeterChanged")
    assert changed.status == Exit.FAILED
    assert f"cli_workflows.py:{CHANGED_LINE}" in changed.out and "Greetings.hello" in changed.out
    assert changed.out.startswith("NONDETERMINISM  ")
    service = awsflow("replay", "--from-service", "--workflows", "cli_workflows:GreeterChanged", "--json")
    assert service.status == Exit.FAILED
    (reported,) = service.json["results"]
    assert reported["outcome"] == "nondeterminism" and reported["location"].endswith(f":{CHANGED_LINE}")


def test_cancel_and_terminate_and_the_results_they_give(awsflow: Awsflow, workers: None) -> None:
    start(awsflow, "greet-cancel")
    start(awsflow, "greet-terminate")
    assert awsflow("workflow", "cancel", "greet-cancel").out.strip() == "asked SWF to cancel greet-cancel"
    canceled = awsflow("workflow", "result", "greet-cancel", "--wait", "--timeout", "10")
    assert canceled.status == Exit.FAILED and "canceled" in canceled.err.lower()
    terminated = awsflow("workflow", "terminate", "greet-terminate", "--reason", "ops", "--json")
    assert terminated.json["done"] == "terminated"
    result = awsflow("workflow", "result", "greet-terminate", "--json")
    assert result.status == Exit.FAILED and result.json["status"] == "TERMINATED"
    history = awsflow("workflow", "history", "greet-terminate").out.splitlines()
    assert "WorkflowExecutionTerminated" in history[-1] and "reason=ops" in history[-1]
    assert awsflow("workflow", "describe", "greet-terminate", "--json").json["status"] == "TERMINATED"


def test_history_follow_prints_events_until_the_execution_closes(awsflow: Awsflow, workers: None) -> None:
    start(awsflow, "greet-follow")
    decided(awsflow, "greet-follow")
    followed: dict[str, Run] = {}
    followers = [
        threading.Thread(
            target=lambda: followed.update(table=awsflow("workflow", "history", "greet-follow", "--follow"))
        ),
        threading.Thread(
            target=lambda: followed.update(
                file=awsflow("workflow", "history", "greet-follow", "--follow", "--json")
            )
        ),
    ]
    for follower in followers:
        follower.start()
    assert awsflow("workflow", "signal", "greet-follow", "finish").status == 0
    for follower in followers:
        follower.join(20)
        assert not follower.is_alive()
    lines = followed["table"].out.splitlines()
    assert followed["table"].status == 0 and "WorkflowExecutionCompleted" in lines[-1]
    ids = [int(line.split()[0]) for line in lines[1:]]
    assert ids == list(range(1, len(ids) + 1))
    document = followed["file"].json  # --json with --follow: the whole history once it closed
    assert document["events"][-1]["eventType"] == "WorkflowExecutionCompleted"
    assert len(document["events"]) == len(ids) and document["format"] == "awsflow-history/1"


def test_stuck_lists_executions_whose_decision_tasks_keep_timing_out(
    awsflow: Awsflow, swf: LocalSWF, clock: VirtualClock, client: Any, domain: str
) -> None:
    assert awsflow("workflow", "stuck").out.strip() == "no open execution has failing decisions"
    with WorkflowWorker(None, "us-east-1", domain, TASK_LIST, Greeter, client=swf.client()):
        pass  # registers the type; from now on nobody answers its decision tasks
    start(awsflow, "greet-stuck")
    for _ in range(2):  # a decider takes the task and never answers
        client.poll_for_decision_task(domain=domain, taskList={"name": TASK_LIST})
        clock.advance(31)
    wait_until(lambda: bool(awsflow("workflow", "stuck", "--json").json), 10, "a stuck execution")
    (stuck,) = awsflow("workflow", "stuck", "--json").json
    assert stuck["workflowId"] == "greet-stuck" and stuck["decisionFailure"]["attempts"] == 2
    assert stuck["decisionFailure"]["errorType"] == "DecisionTaskTimedOut"
    assert stuck["decisionFailure"]["summary"].startswith("decision failing since")
    text = awsflow("workflow", "stuck").out
    assert "greet-stuck" in text and "decision failing since" in text
    assert "FAILING:" in awsflow("workflow", "describe", "greet-stuck").out


def test_stuck_and_describe_name_the_recorded_failure_of_changed_code(
    awsflow: Awsflow, swf: LocalSWF, clock: VirtualClock, domain: str
) -> None:
    with WorkflowWorker(None, "us-east-1", domain, TASK_LIST, Greeter, client=swf.client()):
        start(awsflow, "greet-changed")
        decided(awsflow, "greet-changed")
    changed = WorkflowWorker(None, "us-east-1", domain, TASK_LIST, GreeterChanged, client=swf.client())
    with changed:  # the bad deploy: the next decision task cannot replay the history
        assert awsflow("workflow", "signal", "greet-changed", "add", "--input", '["bo"]').status == Exit.OK
        clock.advance(STICKY_TIMEOUT)  # its task was routed to the stopped worker's list: it comes back
        wait_until(lambda: bool(awsflow("workflow", "stuck", "--json").json), 10, "the failure recorded")
    where = f"NondeterminismError at {cli_workflows.__file__}:{CHANGED_LINE}"
    (stuck,) = awsflow("workflow", "stuck", "--json").json
    failure = stuck["decisionFailure"]
    assert failure["errorType"] == "awsflow.exceptions.NondeterminismError"
    assert (failure["sourceFile"], failure["sourceLine"]) == (cli_workflows.__file__, CHANGED_LINE)
    assert failure["attempts"] == 1 and failure["nextRetryAt"] and where in failure["summary"]
    text = awsflow("workflow", "stuck").out
    assert "greet-changed" in text and "decision failing since" in text and where in text
    described = awsflow("workflow", "describe", "greet-changed")
    assert "FAILING:       decision failing since" in described.out and where in described.out
    as_json = awsflow("workflow", "describe", "greet-changed", "--json").json
    assert as_json["decision_failure"]["summary"] == failure["summary"]


def test_user_mistakes_end_in_one_line_and_an_exit_status(awsflow: Awsflow, tmp_path: Path) -> None:
    cases = [
        (awsflow("workflow", "describe", "nobody"), Exit.REFUSED, "UnknownResourceFault"),
        (awsflow("workflow", "signal", "nobody", "add"), Exit.REFUSED, "UnknownResourceFault"),
        (awsflow("workflow", "start", "NoSuchType"), Exit.REFUSED, "no workflow type NoSuchType"),
        (awsflow("workflow", "start", "NoSuchType:1"), Exit.REFUSED, "UnknownResourceFault"),
        (awsflow("workflow", "start", "X:1", "--input", "{oops"), Exit.USAGE, "--input is not JSON"),
        (awsflow("workflow", "list", domain=False), Exit.USAGE, "no domain"),
        (awsflow("workflow", "list", "--since", "yesterday"), Exit.USAGE, "--since"),
        (
            awsflow("replay", str(tmp_path / "none.json"), "--workflows", WORKFLOWS),
            Exit.USAGE,
            "no such file",
        ),
        (awsflow("replay", str(tmp_path), "--workflows", "nosuchmodule:X"), Exit.USAGE, "cannot import"),
        (
            awsflow("replay", str(tmp_path), "--workflows", "cli_workflows:Greetings"),
            Exit.USAGE,
            "not a WorkflowDefinition",
        ),
        (awsflow("replay", str(tmp_path), "--workflows", WORKFLOWS), Exit.FAILED, "no history found"),
        (
            awsflow("workflow", "query", "nobody", "names_so_far", "--workflows", WORKFLOWS),
            Exit.REFUSED,
            "Unknown",
        ),
    ]
    for run, status, text in cases:
        assert (run.status, run.out) == (status, ""), run.err
        assert run.err.startswith("awsflow: error: ") and run.err.count("\n") == 1 and text in run.err, (
            run.err
        )
    down = Awsflow("http://127.0.0.1:9", awsflow.domain)("workflow", "list")
    assert down.status == Exit.UNREACHABLE and "cannot reach SWF" in down.err and down.err.count("\n") == 1
    usage = awsflow("workflow", "frobnicate")
    assert usage.status == Exit.USAGE


def test_help_has_examples_and_the_exit_statuses(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--help"]) == 0
    top = capsys.readouterr().out
    assert "exit status:" in top and "examples:" in top and "awsflow replay" in top
    leaves = [["type", "list"], ["replay"]]
    leaves += [["domain", name] for name in ("register", "list", "describe", "deprecate", "undeprecate")]
    leaves += [
        ["workflow", name]
        for name in (
            "start",
            "list",
            "count",
            "describe",
            "history",
            "result",
            "signal",
            "cancel",
            "terminate",
            "query",
            "stuck",
            "profile",
        )
    ]
    for command in leaves:
        assert main([*command, "--help"]) == 0
        assert "example" in capsys.readouterr().out, command


def test_local_takes_the_services_own_options(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["local", "--help"]) == 0
    help_text = capsys.readouterr().out
    assert (
        help_text.startswith("usage: awsflow local") and "--verify-sigv4" in help_text and "--db" in help_text
    )
    assert main(["local", "--page-size", "0"]) == Exit.USAGE
    assert "expected a whole number from 1 to 1000" in capsys.readouterr().err


def test_a_command_group_can_be_registered(capsys: pytest.CaptureFixture[str]) -> None:
    def register(commands: Any, shared: Any) -> None:
        hello = commands.add_parser("hello", parents=[shared], help="say hello")
        hello.set_defaults(run=lambda args, cli: cli.print(f"hello {args.domain}") or 0)

    COMMANDS.append(register)
    try:
        assert main(["hello", "--domain", "d"]) == 0
        assert capsys.readouterr().out == "hello d\n"
    finally:
        COMMANDS.remove(register)
