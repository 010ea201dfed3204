"""HTTPS endpoints whose certificate botocore's bundled CAs refuse (awsflow._wire._tls).

The lean connections and the workers' abortable polls trust botocore's bundled CAs. A client made
with ``verify=False`` or ``verify="ca.pem"`` keeps that choice where awsflow does not read it, so
on a refused certificate both step aside for the botocore client, which applies it: the calls
work where the user allowed them, and fail with botocore's SSLError where not. Served here by
awsflow.local behind a TLS front with a self-signed certificate (data/localhost-*.pem, made with
``openssl req -x509`` for localhost and 127.0.0.1, valid until 2126).
"""

from __future__ import annotations

import contextlib
import logging
import socket
import ssl
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import botocore.config
import botocore.exceptions
import botocore.session
import pytest

from awsflow import ActivityWorker, WorkflowDefinition, WorkflowWorker, activities, activity, execute
from awsflow._wire import LeanClient
from awsflow.local import LocalSWF

# verify=False is the point of one case: urllib3's warning about it is expected.
pytestmark = pytest.mark.filterwarnings("ignore::urllib3.exceptions.InsecureRequestWarning")

DATA = Path(__file__).parent / "data"
CERT, KEY = DATA / "localhost-cert.pem", DATA / "localhost-key.pem"
DOMAIN, TASK_LIST = "tls", "tls"


class TlsFront:
    """TLS in front of a plain HTTP service: each connection's bytes relayed both ways."""

    def __init__(self, target: str) -> None:
        parts = urlsplit(target)
        self._target = (parts.hostname or "127.0.0.1", parts.port or 80)
        self._context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        self._context.load_cert_chain(CERT, KEY)
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"https://127.0.0.1:{self._listener.getsockname()[1]}"
        self.refused_handshakes = 0
        threading.Thread(target=self._accept, daemon=True).start()

    def close(self) -> None:
        self._listener.close()

    def _accept(self) -> None:
        while True:
            try:
                raw, _ = self._listener.accept()
            except OSError:
                return  # closed
            threading.Thread(target=self._serve, args=(raw,), daemon=True).start()

    def _serve(self, raw: socket.socket) -> None:
        try:
            client = self._context.wrap_socket(raw, server_side=True)
        except (ssl.SSLError, OSError):
            self.refused_handshakes += 1  # the client did not trust the certificate
            raw.close()
            return
        upstream = socket.create_connection(self._target)
        threading.Thread(target=_pump, args=(upstream, client), daemon=True).start()
        _pump(client, upstream)


def _pump(source: socket.socket, sink: socket.socket) -> None:
    with contextlib.suppress(OSError):
        while data := source.recv(65536):
            sink.sendall(data)
    with contextlib.suppress(OSError):
        sink.shutdown(socket.SHUT_WR)  # the half-close travels on (a stopping worker's polls)


@pytest.fixture(scope="module")
def front() -> Iterator[TlsFront]:
    with LocalSWF(poll_timeout=1) as swf:  # real time: a stepped-aside poll ends within 1 s
        swf.client().register_domain(name=DOMAIN, workflowExecutionRetentionPeriodInDays="1")
        tls = TlsFront(swf.endpoint_url)
        try:
            yield tls
        finally:
            tls.close()


def client_of(front: TlsFront, verify: bool | str | None) -> Any:
    return botocore.session.get_session().create_client(
        "swf",
        region_name="us-east-1",
        endpoint_url=front.url,
        aws_access_key_id="tls",
        aws_secret_access_key="tls",
        verify=verify,
        config=botocore.config.Config(retries={"max_attempts": 0}, read_timeout=10),
    )


@activities(schedule_to_start_timeout=60, start_to_close_timeout=60)
class Greetings:
    @activity("1.0")
    def greet(self, name: str) -> str:
        return f"Hello {name}!"


class Greeting(WorkflowDefinition):
    @execute(version="1.0", execution_start_to_close_timeout=600)
    def run(self, name: str) -> Any:
        return (yield Greetings.greet(name))


STEPPED_ASIDE = "did not verify against the default CAs"


@pytest.mark.parametrize("verify", [False, str(CERT)], ids=["verify=False", "verify=ca file"])
def test_workers_run_a_workflow_where_the_client_trusts_the_endpoint(
    front: TlsFront, verify: bool | str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="awsflow._wire._tls")
    decider = WorkflowWorker(None, "us-east-1", DOMAIN, TASK_LIST, Greeting, client=client_of(front, verify))
    doer = ActivityWorker(None, "us-east-1", DOMAIN, TASK_LIST, Greetings(), client=client_of(front, verify))
    with decider, doer:
        instance = Greeting.run("TLS")
        assert instance.wait_for_completion(timeout=30) == "Hello TLS!"
    warnings = [r.getMessage() for r in caplog.records if STEPPED_ASIDE in r.getMessage()]
    # Each worker's lean calls and its polls stepped aside once each, and said so once.
    assert sorted(w.split(":")[0] for w in warnings) == sorted(
        ["awsflow's lean SWF calls", "awsflow's abortable polls"] * 2
    ), warnings


def test_a_client_that_verifies_by_default_gets_botocores_ssl_error(front: TlsFront) -> None:
    lean = LeanClient(client_of(front, None))
    refused = front.refused_handshakes
    request = {"domain": DOMAIN, "execution": {"workflowId": "none", "runId": "none"}}
    for _ in range(2):  # stepped aside once; from then on botocore raises straight away
        with pytest.raises(botocore.exceptions.SSLError):
            lean.call("GetWorkflowExecutionHistory", request)
    assert front.refused_handshakes >= refused + 2  # ours, then botocore's: nothing was sent
