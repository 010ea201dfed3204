"""The web timeline's HTTP shell: stdlib ``ThreadingHTTPServer`` serving the pages and the API.

``/`` is the page (``static/index.html``: one page whose views are chosen by the URL's fragment,
so the server knows no page routes), ``/static/...`` its script and style, ``/api/...`` the JSON
API (``._api``). The server binds 127.0.0.1 by default: the API can terminate executions with
the credentials it runs with, so it must not be reachable from elsewhere unless asked.

Bound to a loopback address, it answers only requests whose ``Host`` names one (``127.0.0.1``,
``localhost``, ``[::1]``): a web page whose own name an attacker re-points at 127.0.0.1 (DNS
rebinding) would otherwise be same-origin with the API. For the same reason a POST must say ``Content-Type: application/json`` (a form on another web
site cannot send that without a CORS preflight, which this server never grants) and, if the
browser names an ``Origin``, come from this server's own origin.
"""

from __future__ import annotations

import json
import logging
import mimetypes
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from ._api import Api, Caller

__all__ = ["UiServer"]

logger = logging.getLogger(__name__)

_LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})
_MOST_BODY = 1 << 20  # bytes of a request body read at most (SWF's payloads are 32 KB)


class UiServer:
    """The web timeline's server, on its own thread or in the foreground.

    Example::

        with UiServer(client_caller(client), default_domain="orders") as server:
            print(server.url)  # open it in a browser
            server.serve_forever()

    Args:
        call: sends one SWF request (``awsflow.handles.client_caller(client)``).
        host: the address to bind (default 127.0.0.1: only this machine).
        port: the port (0: any free one; :attr:`url` says which).
        default_domain: the domain the page opens on.

    .. versionadded:: 0.1
    """

    def __init__(
        self, call: Caller, *, host: str = "127.0.0.1", port: int = 0, default_domain: str | None = None
    ) -> None:
        api = Api(call, default_domain)
        self._httpd = ThreadingHTTPServer((host, port), _handler_for(api, host in _LOOPBACK))
        self._httpd.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        """``http://host:port/``, the page's address."""
        host, port = self._httpd.server_address[:2]
        host = host.decode() if isinstance(host, bytes) else str(host)
        shown = f"[{host}]" if ":" in host else host
        return f"http://{shown}:{port}/"

    def start(self) -> UiServer:
        """Serve on a daemon thread; returns self."""
        self._thread = threading.Thread(target=self.serve_forever, name="awsflow-ui", daemon=True)
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        """Serve in this thread until :meth:`close` (or KeyboardInterrupt)."""
        self._httpd.serve_forever(poll_interval=0.1)

    def close(self) -> None:
        """Stop serving and release the port."""
        if self._thread is not None:
            self._httpd.shutdown()
            self._thread.join()
            self._thread = None
        self._httpd.server_close()

    def __enter__(self) -> UiServer:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def _static(name: str) -> bytes | None:
    """A file of the package's ``static`` directory, or None (names with ``/`` or ``..`` too)."""
    if not name or "/" in name or "\\" in name or name.startswith("."):
        return None
    resource = resources.files(__package__).joinpath("static").joinpath(name)
    return resource.read_bytes() if resource.is_file() else None


def _host_name(header: str) -> str:
    """The name in a ``Host`` header, without its port (``[::1]:80`` -> ``::1``)."""
    if header.startswith("["):
        return header[1 : header.find("]")] if "]" in header else header
    return header.rsplit(":", 1)[0] if header.count(":") == 1 else header


def _handler_for(api: Api, loopback_only: bool) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server_version = "awsflow-ui"
        protocol_version = "HTTP/1.1"

        def _host_refused(self) -> bool:
            host = _host_name(self.headers.get("Host", ""))
            if not loopback_only or host in _LOOPBACK:
                return False
            self._json(403, {"error": "Forbidden", "message": f"requests for host {host!r} are refused"})
            return True

        def do_GET(self) -> None:
            if self._host_refused():
                return
            path = urlsplit(self.path).path
            if path.startswith("/api/"):
                self._api("GET", b"")
            elif path in ("/", "/index.html"):
                self._file("index.html")
            elif path.startswith("/static/"):
                self._file(path[len("/static/") :])
            else:
                self._json(404, {"error": "NotFound", "message": f"no such page: {path}"})

        def do_POST(self) -> None:
            length = self.headers.get("Content-Length", "0")
            if not length.isdigit() or int(length) > _MOST_BODY:
                self.close_connection = True
                self._json(413, {"error": "BadRequest", "message": "a body of at most 1 MB is needed"})
                return
            body = self.rfile.read(int(length))
            if self._host_refused():
                return
            kind = self.headers.get("Content-Type", "").split(";")[0].strip()
            origin = self.headers.get("Origin")
            if kind != "application/json":
                self._json(415, {"error": "BadRequest", "message": "send Content-Type: application/json"})
            elif origin is not None and origin != f"http://{self.headers.get('Host', '')}":
                self._json(403, {"error": "Forbidden", "message": f"requests from {origin} are refused"})
            elif not urlsplit(self.path).path.startswith("/api/"):
                self._json(404, {"error": "NotFound", "message": f"no such resource: {self.path}"})
            else:
                self._api("POST", body)

        def _api(self, method: str, body: bytes) -> None:
            parts = urlsplit(self.path)
            query = dict(parse_qsl(parts.query))
            try:
                status, document = api.handle(method, parts.path, query, body)
            # A bug of ours must still answer in JSON (the page shows it); the log keeps the traceback.
            except Exception as error:
                logger.exception("awsflow ui: %s %s failed", method, self.path)
                status, document = 500, {"error": type(error).__name__, "message": str(error)}
            self._json(status, document)

        def _file(self, name: str) -> None:
            content = _static(name)
            if content is None:
                self._json(404, {"error": "NotFound", "message": f"no such file: {name}"})
                return
            kind = mimetypes.guess_type(name)[0] or "application/octet-stream"
            if kind.startswith("text/") or kind.endswith("javascript"):
                kind += "; charset=utf-8"
            self._send(200, kind, content)

        def _json(self, status: int, document: dict[str, Any]) -> None:
            self._send(status, "application/json", json.dumps(document, default=repr).encode())

        def _send(self, status: int, kind: str, content: bytes) -> None:
            self.send_response(HTTPStatus(status))
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(content)))
            self.send_header("Cache-Control", "no-store")
            self.send_header("X-Content-Type-Options", "nosniff")
            self.end_headers()
            self.wfile.write(content)

        def log_message(self, format: str, *args: Any) -> None:
            logger.debug("awsflow ui: " + format, *args)

    return Handler
