"""``awsflow ui``, as a user runs it: a process that prints its URL, serves until Ctrl-C, and says
in one line why it cannot start."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys

from uikit import Ui

from awsflow.local import LocalSWF


def _awsflow(*argv: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "awsflow.cli", *argv],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )


def test_awsflow_ui_prints_its_url_serves_the_api_and_stops_on_ctrl_c(swf: LocalSWF, domain: str) -> None:
    process = _awsflow("ui", "--endpoint-url", swf.endpoint_url, "--domain", domain, "--port", "0")
    try:
        assert process.stdout is not None
        line = process.stdout.readline().strip()
        assert line.startswith("awsflow ui listening on http://127.0.0.1:"), line
        url = line.rsplit(" ", 1)[1]
        domains = Ui(url).get("/api/domains").json
        assert domains["defaultDomain"] == domain and domain in [d["name"] for d in domains["domains"]]
    finally:
        process.send_signal(signal.SIGINT)
        status = process.wait(timeout=20)
    assert status == 0, process.stderr.read() if process.stderr else ""


def test_awsflow_ui_on_a_port_in_use_fails_in_one_line(swf: LocalSWF) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        process = _awsflow("ui", "--endpoint-url", swf.endpoint_url, "--port", str(port))
        out, err = process.communicate(timeout=60)
    assert process.returncode == 2 and out == ""
    assert err.startswith(f"awsflow: error: cannot serve on 127.0.0.1:{port}:") and err.count("\n") == 1, err


def test_awsflow_local_with_ui_serves_the_web_timeline_beside_the_service() -> None:
    process = _awsflow("local", "--port", "0", "--ui")
    try:
        assert process.stdout is not None
        service = process.stdout.readline().strip()
        assert service.startswith("awsflow.local listening on http://127.0.0.1:"), service
        line = process.stdout.readline().strip()
        assert line.startswith("awsflow ui listening on http://127.0.0.1:"), line
        ui = Ui(line.rsplit(" ", 1)[1])
        assert ui.get("/api/domains").json["domains"] == []  # the new service's, through the UI
    finally:
        process.send_signal(signal.SIGINT)
        status = process.wait(timeout=20)
    assert status == 0, process.stderr.read() if process.stderr else ""


def test_awsflow_local_refuses_a_ui_port_that_is_not_a_number_in_one_line() -> None:
    process = _awsflow("local", "--port", "0", "--ui-port", "eighty")
    out, err = process.communicate(timeout=60)
    assert process.returncode == 2 and out == ""
    assert err == "awsflow: error: --ui-port needs a port number, not 'eighty'\n"
