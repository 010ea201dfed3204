"""The HTTP front: SWF's JSON 1.0 protocol over the stdlib's threading HTTP server.

Only transport lives here: read the body, find the operation in ``X-Amz-Target``, validate
against botocore's model, call the service, write JSON. Every answer is SWF-shaped — a JSON
``{"__type", "message"}`` body with ``Content-Type: application/x-amz-json-1.0`` — including the
ones the stdlib server would otherwise write itself as HTML or not at all:

=====================================================  ======  ===============================
what went wrong                                        status  ``__type`` (after the ``#``)
=====================================================  ======  ===============================
an SWF fault or a constraint (the engine, validator)   400     the fault's own
malformed request line or HTTP version, HTTP/0.9,      400     SerializationException
request line over 64 KiB, headers too large or too
many, bad ``Content-Length``, chunked body, a body
shorter than its ``Content-Length``
a method other than POST (GET/HEAD: liveness probe)    400     UnknownOperationException
the request stalled half-way (see ``_connection``)     408     RequestTimeoutException
the service is stopping                                503     ServiceUnavailableException
a bug                                                  500     InternalFailure (logged)
=====================================================  ======  ===============================

SWF answers client errors with 400 (its API reference lists no other 4xx), so the HTTP-level
refusals the stdlib would answer 414/431/501/505 are 400 here too; which ``__type`` Amazon's
front door sends for malformed HTTP is unverified, and botocore only needs the JSON body.
Connection phases and their timeouts are in ``awsflow.local._connection``.
"""

from __future__ import annotations

import io
import json
import logging
import re
import socket
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from ._connection import ConnectionTracker, DeadlineReader, HttpTimeouts, ReadTimeout
from ._injection import REFUSALS, Action, Fault, FaultPlan
from ._model import operation_names
from ._service import Service
from ._sigv4 import verify_sigv4
from ._validate import validate_request
from ._watcher import DisconnectWatcher, PollWatch
from .engine import (
    EMPTY_POLL_REPLIES,
    POLL_OPERATIONS,
    InternalFailure,
    RequestTimeoutException,
    SerializationException,
    ServiceUnavailableException,
    SwfFault,
    ThrottlingException,
    UnknownOperationException,
    ValidationException,
)

logger = logging.getLogger(__name__)

CONTENT_TYPE = "application/x-amz-json-1.0"
MAX_REQUEST_BYTES = 1024 * 1024  # SWF's request size quota
MAX_REQUEST_LINE_BYTES = 65536
_DRAIN_LIMIT_BYTES = 16 * MAX_REQUEST_BYTES
# A promise this service makes to its clients, in a header of every answer: a long poll whose
# client shuts its side of the connection for writing (a FIN, while it goes on reading) is
# answered at once — with the task that was waiting when the poll arrived or that was handed to
# it before the FIN, else empty; the client reads that answer and handles the task. So a stopping worker can end its polls without waiting up to
# 60 s and without any task being left started with nobody to run it (see _watcher). Amazon
# SWF promises nothing of the kind, so workers only half-close polls to endpoints that say so.
POLL_RELEASE_HEADER = "x-awsflow-poll-release"
POLL_RELEASE_HALF_CLOSE = "half-close"
_TARGET_PREFIXES = ("SimpleWorkflowService.", "com.amazonaws.swf.service.model.SimpleWorkflowService.")
_CONTENT_LENGTH = re.compile(r"[0-9]{1,12}")
_INTERNAL_FAILURE = {"__type": "com.amazonaws.swf.base.model#InternalFailure", "message": "Internal failure"}


class SwfHTTPServer(ThreadingHTTPServer):
    """One thread per connection; long polls hold their thread, so the backlog is generous.

    Args:
        address: ``(host, port)`` to bind.
        service: the service the requests go to.
        credentials: ``(access_key, secret_key)`` to require SigV4 signatures by, or None.
        timeouts: how long to wait on clients (see ``awsflow.local._connection``).
        faults: answers to fail on purpose (``awsflow.local._injection``); None for none.
        announce_poll_release: say in every answer (:data:`POLL_RELEASE_HEADER`) that a poll
            whose client half-closes its connection is answered at once; False makes the
            service look like any other SWF endpoint to the workers.
    """

    daemon_threads = True
    request_queue_size = 1024
    allow_reuse_address = True

    def __init__(
        self,
        address: tuple[str, int],
        service: Service,
        credentials: tuple[str, str] | None = None,
        timeouts: HttpTimeouts | None = None,
        *,
        faults: FaultPlan | None = None,
        announce_poll_release: bool = True,
    ) -> None:
        super().__init__(address, _Handler)
        self.faults = faults
        self.stopping = threading.Event()
        self.announce_poll_release = announce_poll_release
        self.service = service
        self.credentials = credentials
        self.timeouts = timeouts if timeouts is not None else HttpTimeouts()
        self.operations = frozenset(operation_names())
        self.watcher = DisconnectWatcher()
        self.connections = ConnectionTracker()

    def stop_taking_requests(self) -> None:
        """From now on every request is answered 503 and its connection closed."""
        self.connections.stopping = True
        self.stopping.set()  # injected delays end: a stop does not wait them out

    def finish_answers(self, deadline: float) -> bool:
        """Wait (until ``deadline``, monotonic) for answers in flight, then drop every connection.

        Returns whether all answers were written in time.
        """
        answered = self.connections.wait_answered(deadline)
        self.connections.drop_all()
        return answered

    def server_close(self) -> None:
        super().server_close()
        self.watcher.close()

    def handle_error(self, request: Any, client_address: Any) -> None:
        # The stdlib prints the traceback to stderr; it belongs in the log, with the others.
        logger.exception("unexpected error on the connection from %s", client_address)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: botocore reuses its connections
    # Headers and body go out in two writes; with Nagle's algorithm the second waits for the
    # client's delayed ACK (~40 ms per request on Linux).
    disable_nagle_algorithm = True
    server: SwfHTTPServer
    server_version = "awsflow.local"
    # Set per phase by DeadlineReader and _send; none for the connection as a whole.
    timeout = None

    # -- connection ------------------------------------------------------------------------
    def setup(self) -> None:
        super().setup()
        self.server.connections.opened(self.connection)
        self.rfile.close()  # the stdlib's reader: replaced by one with deadlines
        self._reader = DeadlineReader(self.connection, self.server.timeouts)
        self.rfile = io.BufferedReader(self._reader)
        self._requests = 0

    def finish(self) -> None:
        try:
            super().finish()
        except OSError:
            pass  # flushing to a client that is gone: nothing left to tell it
        finally:
            self.server.connections.closed(self.connection)

    def log_message(self, format: str, *args: Any) -> None:
        logger.debug("%s " + format, self.address_string(), *args)

    def handle_one_request(self) -> None:
        # The stdlib's version, rewritten so that every refusal is answered in SWF's shape and
        # every read has its phase's deadline.
        self._reader.await_request(first=self._requests == 0)
        self.command, self.requestline, self.request_version = "", "", self.default_request_version
        try:
            line = self.rfile.readline(MAX_REQUEST_LINE_BYTES + 1)
        except ReadTimeout:
            self.close_connection = True
            if self._reader.request_started:  # part of a request line, then silence
                self._refuse(RequestTimeoutException("Timed out reading the request"))
            return
        except OSError:
            self.close_connection = True  # reset by the client: nobody to answer
            return
        if not line:
            self.close_connection = True
            return
        self._requests += 1
        with self.server.connections.answering():
            try:
                self._handle(line)
            except ReadTimeout:
                self._refuse(RequestTimeoutException("Timed out reading the request"))
            except OSError:
                self.close_connection = True

    def _handle(self, line: bytes) -> None:
        self.raw_requestline = line
        if len(line) > MAX_REQUEST_LINE_BYTES:
            self.requestline, self.request_version, self.command = "", "HTTP/1.1", ""
            self._refuse(SerializationException(f"Request line longer than {MAX_REQUEST_LINE_BYTES} bytes"))
            return
        if not self.parse_request():
            return  # refused by send_error, or a blank line: the connection is closed
        if self.request_version == "HTTP/0.9":
            self._refuse(SerializationException("HTTP/0.9 requests are not supported"))
            return
        if self.headers.defects:
            # E.g. a header line without a colon: the stdlib would take it and the rest as
            # the body; the message is malformed, and the connection cannot be trusted after it.
            self._refuse(SerializationException(f"Malformed HTTP headers: {self.headers.defects[0]!r}"))
            return
        handler = {"POST": self.do_POST, "GET": self.do_GET, "HEAD": self.do_HEAD}.get(self.command or "")
        if handler is None:
            self._refuse(
                UnknownOperationException(
                    f"Unsupported HTTP method {self.command}: SWF's JSON protocol uses POST"
                )
            )
            return
        handler()
        self.wfile.flush()

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """The stdlib's refusals (bad request line, headers too large...), in SWF's shape."""
        detail = message or self.responses.get(code, ("Bad request",))[0]
        self._refuse(SerializationException(f"Malformed HTTP request: {detail}"))

    def _refuse(self, fault: SwfFault) -> None:
        self.close_connection = True
        if self.request_version not in ("HTTP/1.0", "HTTP/1.1"):
            # The stdlib writes no status line or headers for what it takes to be HTTP/0.9.
            self.request_version = "HTTP/1.1"
        logger.debug("%s: %s", fault.code, fault.message)
        self._send(fault.status, json.dumps(fault.to_wire()).encode())

    # -- requests --------------------------------------------------------------------------
    def do_GET(self) -> None:
        # A liveness probe for humans and scripts; SWF itself only speaks POST.
        self._send(200, b'{"service":"awsflow.local"}')

    def do_HEAD(self) -> None:
        self._send(200, b'{"service":"awsflow.local"}', head=True)

    def do_POST(self) -> None:
        request_id = str(uuid.uuid4())
        try:
            body = self._read_body()
            if self.server.connections.stopping:
                self.close_connection = True
                raise ServiceUnavailableException("The service is stopping; retry against its successor")
            operation = self._operation()
            if self.server.credentials is not None:
                access_key, secret = self.server.credentials
                verify_sigv4(
                    "POST",
                    self.path.split("?", 1)[0],
                    self.path.partition("?")[2],
                    dict(self.headers.items()),
                    body,
                    access_key,
                    secret,
                    now=self.server.service.clock.now(),
                )
            request = validate_request(operation, _parse_json(body))
            logger.debug("%s %s", operation, request_id)
            fault = self._injected_fault(operation, request)
            if operation in POLL_OPERATIONS and request.get("nextPageToken") is None:
                watch = PollWatch(self.server.watcher, self.connection, self.server.service.abandon)
                response = self.server.service.call(operation, request, watch)
            else:
                response = self.server.service.call(operation, request)
            if fault is not None and (fault.action is Action.DROP or fault.action is Action.LOSE):
                if fault.action is Action.LOSE and operation in POLL_OPERATIONS:
                    logger.info("injected fault: %s answered empty; its task is lost", operation)
                    response = dict(EMPTY_POLL_REPLIES[operation])
                else:
                    logger.info("injected fault: %s done, its connection dropped unanswered", operation)
                    self._drop_unanswered()
                    return
        except SwfFault as fault:
            logger.debug("%s: %s", fault.code, fault.message)
            if isinstance(fault, ServiceUnavailableException):
                self.close_connection = True
            self._send(fault.status, json.dumps(fault.to_wire()).encode(), request_id)
        except ReadTimeout:
            raise  # answered by handle_one_request
        except ConnectionError:
            raise  # the client reset the connection mid-request: nobody to answer (handle_one_request)
        except Exception:  # broad on purpose: a bug must still be answered, and is logged in full
            logger.exception("internal error answering %s", self.headers.get("X-Amz-Target"))
            self._send(500, json.dumps(_INTERNAL_FAILURE).encode(), request_id)
        else:
            payload = b"" if response is None else json.dumps(response, separators=(",", ":")).encode()
            self._send(200, payload, request_id)

    def _injected_fault(self, operation: str, request: dict[str, Any]) -> Fault | None:
        """Ask the fault plan about this request; carry out the faults that answer before it."""
        plan = self.server.faults
        fault = None if plan is None else plan.decide(operation, self.server.service.clock.now(), request)
        if fault is None:
            return None
        if fault.action in REFUSALS:
            logger.info("injected fault: %s answered %s", operation, fault.action.value)
            if fault.action is Action.THROTTLE:
                raise ThrottlingException("Rate exceeded")
            if fault.action is Action.UNAVAILABLE:
                raise ServiceUnavailableException("Service unavailable (injected fault)")
            raise InternalFailure("Internal failure (injected fault)")
        if fault.action is Action.DELAY:
            logger.info("injected fault: %s delayed %.3f s", operation, fault.delay)
            self.server.stopping.wait(fault.delay)  # a slow answer, in this request's thread
        return fault

    def _drop_unanswered(self) -> None:
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            logger.debug("the connection of an injected drop was already gone")

    def _read_body(self) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            self.close_connection = True
            raise SerializationException("Chunked request bodies are not supported; send Content-Length")
        lengths = set(self.headers.get_all("Content-Length") or ["0"])
        text = lengths.pop().strip() if len(lengths) == 1 else ""
        if not _CONTENT_LENGTH.fullmatch(text):
            self.close_connection = True
            raise SerializationException("Invalid Content-Length")
        length = int(text)
        if length > MAX_REQUEST_BYTES:
            # Drain what the client is sending (within reason) so it reads our answer instead of
            # a connection reset, then close: the connection is not worth keeping.
            self.close_connection = True
            remaining = min(length, _DRAIN_LIMIT_BYTES)
            while remaining > 0:
                chunk = self.rfile.read(min(remaining, 65536))
                if not chunk:
                    break
                remaining -= len(chunk)
            raise ValidationException(f"Request of {length} bytes exceeds the 1 MB request size limit")
        body = self.rfile.read(length) if length > 0 else b""
        if len(body) < length:
            self.close_connection = True
            raise SerializationException(f"Request body ended after {len(body)} of {length} bytes")
        self._reader.request_read()
        return body

    def _operation(self) -> str:
        target = self.headers.get("X-Amz-Target", "")
        for prefix in _TARGET_PREFIXES:
            if target.startswith(prefix):
                name = target[len(prefix) :]
                if name in self.server.operations:
                    return name
        raise UnknownOperationException(f"Unknown operation: X-Amz-Target '{target}'")

    def _send(
        self, status: int, payload: bytes, request_id: str | None = None, *, head: bool = False
    ) -> None:
        if self.server.connections.stopping:
            self.close_connection = True
        try:
            self.connection.settimeout(self.server.timeouts.response)
            self.send_response(status)
            self.send_header("Content-Type", CONTENT_TYPE)
            self.send_header("Content-Length", str(len(payload)))
            self.send_header("x-amzn-RequestId", request_id or str(uuid.uuid4()))
            if self.server.announce_poll_release:
                self.send_header(POLL_RELEASE_HEADER, POLL_RELEASE_HALF_CLOSE)
            if self.close_connection:
                self.send_header("Connection", "close")
            self.end_headers()
            if not head:
                self.wfile.write(payload)
        except OSError:
            # The client left (a worker that stopped mid-poll), or does not read its answer
            # (the response timeout): nobody is there to answer.
            logger.debug("client %s went away before its answer", self.address_string())
            self.close_connection = True


def _parse_json(body: bytes) -> Any:
    if not body.strip():
        return {}
    try:
        return json.loads(body)
    except (UnicodeDecodeError, ValueError) as err:
        raise SerializationException(f"Request body is not valid JSON: {err}") from err
    except RecursionError as err:
        # json's C scanner refuses nesting deeper than the interpreter's recursion limit.
        raise SerializationException("Request body is nested too deeply") from err
