"""The HTTP front: SWF's JSON 1.0 protocol over the stdlib's threading HTTP server.

Only transport lives here: read the body, find the operation in ``X-Amz-Target``, validate
against botocore's model, call the service, write JSON. Every failure is answered — a fault as
HTTP 400 with AWS's ``{"__type", "message"}`` body, a bug as HTTP 500 ``InternalFailure`` with
the traceback logged — so no request ever leaves a connection hanging.
"""

from __future__ import annotations

import json
import logging
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from ._model import operation_names
from ._service import Service
from ._sigv4 import verify_sigv4
from ._validate import validate_request
from ._watcher import DisconnectWatcher, PollWatch
from .engine import (
    POLL_OPERATIONS,
    SerializationException,
    SwfFault,
    UnknownOperationException,
    ValidationException,
)

logger = logging.getLogger(__name__)

CONTENT_TYPE = "application/x-amz-json-1.0"
MAX_REQUEST_BYTES = 1024 * 1024  # SWF's request size quota
_DRAIN_LIMIT_BYTES = 16 * MAX_REQUEST_BYTES
_TARGET_PREFIXES = ("SimpleWorkflowService.", "com.amazonaws.swf.service.model.SimpleWorkflowService.")


class SwfHTTPServer(ThreadingHTTPServer):
    """One thread per connection; long polls hold their thread, so the backlog is generous."""

    daemon_threads = True
    request_queue_size = 1024
    allow_reuse_address = True

    def __init__(
        self, address: tuple[str, int], service: Service, credentials: tuple[str, str] | None = None
    ) -> None:
        super().__init__(address, _Handler)
        self.service = service
        self.credentials = credentials
        self.operations = frozenset(operation_names())
        self.watcher = DisconnectWatcher()

    def server_close(self) -> None:
        super().server_close()
        self.watcher.close()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: botocore reuses its connections
    # Headers and body go out in two writes; with Nagle's algorithm the second waits for the
    # client's delayed ACK (~40 ms per request on Linux).
    disable_nagle_algorithm = True
    server: SwfHTTPServer
    server_version = "awsflow.local"

    def log_message(self, format: str, *args: Any) -> None:
        logger.debug("%s " + format, self.address_string(), *args)

    def do_GET(self) -> None:
        # A liveness probe for humans and scripts; SWF itself only speaks POST.
        self._send(200, b'{"service":"awsflow.local"}')

    def do_POST(self) -> None:
        request_id = str(uuid.uuid4())
        try:
            body = self._read_body()
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
                )
            request = validate_request(operation, _parse_json(body))
            logger.debug("%s %s", operation, request_id)
            if operation in POLL_OPERATIONS and request.get("nextPageToken") is None:
                watch = PollWatch(self.server.watcher, self.connection, self.server.service.abandon)
                response = self.server.service.call(operation, request, watch)
            else:
                response = self.server.service.call(operation, request)
        except SwfFault as fault:
            logger.debug("%s: %s", fault.code, fault.message)
            self._send(fault.status, json.dumps(fault.to_wire()).encode(), request_id)
        except Exception:
            logger.exception("internal error answering %s", self.headers.get("X-Amz-Target"))
            failure = {
                "__type": "com.amazonaws.swf.base.model#InternalFailure",
                "message": "Internal failure",
            }
            self._send(500, json.dumps(failure).encode(), request_id)
        else:
            payload = b"" if response is None else json.dumps(response, separators=(",", ":")).encode()
            self._send(200, payload, request_id)

    def _read_body(self) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            self.close_connection = True
            raise SerializationException("Chunked request bodies are not supported; send Content-Length")
        try:
            length = int(self.headers.get("Content-Length", "0"))
        except ValueError as err:
            self.close_connection = True
            raise SerializationException("Invalid Content-Length") from err
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
        return self.rfile.read(length) if length > 0 else b""

    def _operation(self) -> str:
        target = self.headers.get("X-Amz-Target", "")
        for prefix in _TARGET_PREFIXES:
            if target.startswith(prefix):
                name = target[len(prefix) :]
                if name in self.server.operations:
                    return name
        raise UnknownOperationException(f"Unknown operation: X-Amz-Target '{target}'")

    def _send(self, status: int, payload: bytes, request_id: str | None = None) -> None:
        try:
            self.send_response(status)
            self.send_header("Content-Type", CONTENT_TYPE)
            self.send_header("Content-Length", str(len(payload)))
            self.send_header("x-amzn-RequestId", request_id or str(uuid.uuid4()))
            self.end_headers()
            self.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError):
            # The client left (a worker that stopped mid-poll): nobody is there to answer.
            logger.debug("client %s went away before its answer", self.address_string())
            self.close_connection = True


def _parse_json(body: bytes) -> Any:
    if not body.strip():
        return {}
    try:
        return json.loads(body)
    except (UnicodeDecodeError, ValueError) as err:
        raise SerializationException(f"Request body is not valid JSON: {err}") from err
