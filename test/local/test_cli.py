"""``python -m awsflow.local``: start-up line, clients, signals, persistence, SigV4 checking."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from server_process import server

pytestmark = pytest.mark.skipif(
    __import__("os").environ.get("AWS_SWF_CONFORMANCE") == "moto",
    reason="tests awsflow.local's own command line",
)


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_the_server_announces_itself_serves_and_stops_cleanly(sig: int) -> None:
    with server() as process:
        client: Any = process.client()
        client.register_domain(name="d", workflowExecutionRetentionPeriodInDays="1")
        assert client.describe_domain(name="d")["domainInfo"]["name"] == "d"
        assert process.stop(sig) == 0
        assert process.rest_of_stdout == "", "only the one ready line goes to stdout"


def test_state_survives_a_restart_with_a_db(tmp_path: Path) -> None:
    db = str(tmp_path / "state.sqlite")
    with server(["--db", db]) as process:
        client: Any = process.client()
        client.register_domain(name="kept", workflowExecutionRetentionPeriodInDays="3")
        assert process.stop() == 0
    with server(["--db", db]) as process:
        client = process.client()
        assert client.describe_domain(name="kept")["configuration"] == {
            "workflowExecutionRetentionPeriodInDays": "3"
        }
        process.stop()


def test_without_a_db_state_is_gone_after_a_restart() -> None:
    with server() as process:
        client: Any = process.client()
        client.register_domain(name="gone", workflowExecutionRetentionPeriodInDays="1")
        process.stop()
    with server() as process:
        client = process.client()
        with pytest.raises(client.exceptions.UnknownResourceFault):
            client.describe_domain(name="gone")
        process.stop()


def test_sigv4_verification_rejects_wrong_secrets() -> None:
    with server(["--verify-sigv4", "AKIDLOCAL:s3cret"]) as process:
        good: Any = process.client("AKIDLOCAL", "s3cret")
        assert good.list_domains(registrationStatus="REGISTERED")["domainInfos"] == []
        bad: Any = process.client("AKIDLOCAL", "wrong")
        with pytest.raises(bad.exceptions.ClientError) as info:
            bad.list_domains(registrationStatus="REGISTERED")
        assert info.value.response["Error"]["Code"] == "InvalidSignatureException"
        assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
        stranger: Any = process.client("SOMEONE", "s3cret")
        with pytest.raises(stranger.exceptions.ClientError) as info:
            stranger.list_domains(registrationStatus="REGISTERED")
        assert info.value.response["Error"]["Code"] == "UnrecognizedClientException"
        process.stop()


def test_bad_arguments_exit_with_usage() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "awsflow.local", "--verify-sigv4", "no-colon"],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 2
    assert "ACCESS_KEY:SECRET" in result.stderr


def test_page_size_sets_the_default_history_page() -> None:
    with server(["--page-size", "2"]) as process:
        client: Any = process.client()
        client.register_domain(name="d", workflowExecutionRetentionPeriodInDays="1")
        client.register_workflow_type(
            domain="d",
            name="w",
            version="1",
            defaultTaskList={"name": "t"},
            defaultExecutionStartToCloseTimeout="60",
            defaultTaskStartToCloseTimeout="60",
            defaultChildPolicy="TERMINATE",
        )
        run = client.start_workflow_execution(
            domain="d", workflowId="x", workflowType={"name": "w", "version": "1"}
        )
        client.signal_workflow_execution(domain="d", workflowId="x", signalName="s")
        page = client.get_workflow_execution_history(
            domain="d", execution={"workflowId": "x", "runId": run["runId"]}
        )
        assert [e["eventId"] for e in page["events"]] == [1, 2] and "nextPageToken" in page
        assert process.stop() == 0


@pytest.mark.parametrize(
    "args", [["--page-size", "0"], ["--page-size", "1001"], ["--page-size", "ten"], ["--shutdown-grace", "0"]]
)
def test_out_of_range_knobs_exit_with_usage(args: list[str]) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "awsflow.local", *args], capture_output=True, text=True, timeout=30
    )
    assert result.returncode == 2
    assert args[0] in result.stderr


def test_snapshot_every_compacts_the_db(tmp_path: Path) -> None:
    import sqlite3

    db = tmp_path / "state.sqlite"
    with server(["--db", str(db), "--snapshot-every", "1"]) as process:
        client: Any = process.client()
        client.register_domain(name="one", workflowExecutionRetentionPeriodInDays="1")
        client.register_domain(name="two", workflowExecutionRetentionPeriodInDays="2")
        assert process.stop() == 0
    with sqlite3.connect(db) as raw:
        assert raw.execute("SELECT count(*) FROM journal").fetchone()[0] == 0
        assert raw.execute("SELECT count(*) FROM snapshot").fetchone()[0] == 1
    with server(["--db", str(db)]) as process:
        client = process.client()
        assert client.describe_domain(name="two")["configuration"] == {
            "workflowExecutionRetentionPeriodInDays": "2"
        }
        process.stop()


@pytest.mark.parametrize(("value", "expected"), [("0", None), ("500", 500)])
def test_snapshot_every_takes_a_count_or_0_for_never(value: str, expected: int | None) -> None:
    from awsflow.local.__main__ import parse_args

    assert parse_args(["--snapshot-every", value]).snapshot_every == expected


@pytest.mark.parametrize("value", ["-1", "often"])
def test_snapshot_every_refuses_other_values(value: str, capsys: pytest.CaptureFixture[str]) -> None:
    from awsflow.local.__main__ import parse_args

    with pytest.raises(SystemExit):
        parse_args(["--snapshot-every", value])
    assert "--snapshot-every" in capsys.readouterr().err


def test_synchronous_full_is_passed_to_sqlite(tmp_path: Path) -> None:
    from awsflow.local import LocalSWF

    with LocalSWF(db=tmp_path / "full.sqlite", synchronous="FULL") as swf:
        swf.client().register_domain(name="d", workflowExecutionRetentionPeriodInDays="1")
    with pytest.raises(ValueError, match="NORMAL or FULL"):
        LocalSWF(db=tmp_path / "bad.sqlite", synchronous="OFF")
    with server(["--db", str(tmp_path / "cli.sqlite"), "--synchronous", "FULL"]) as process:
        client: Any = process.client()
        client.register_domain(name="d", workflowExecutionRetentionPeriodInDays="1")
        assert process.stop() == 0
