"""A headless Chromium driven over the DevTools protocol, with the standard library only.

For the tests that click: Chromium is started with ``--remote-debugging-port=0``, says on stderr
where its DevTools websocket listens, and this module speaks just enough of RFC 6455 (client
frames masked, text and continuation frames, ping answered) to send protocol commands and read
their answers. No WebDriver, no selenium.
"""

from __future__ import annotations

import base64
import json
import os
import re
import socket
import struct
import subprocess
import tempfile
import threading
import time
import urllib.request
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from browser import HEADLESS

__all__ = ["Browser"]

_LISTENING = re.compile(r"DevTools listening on (ws://\S+)")


class _WebSocket:
    def __init__(self, url: str, timeout: float) -> None:
        parts = urlsplit(url)
        self._socket = socket.create_connection((parts.hostname, parts.port), timeout=timeout)
        key = base64.b64encode(os.urandom(16)).decode()
        request = (
            f"GET {parts.path} HTTP/1.1\r\nHost: {parts.hostname}:{parts.port}\r\nUpgrade: websocket\r\n"
            f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"
        )
        self._socket.sendall(request.encode())
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = self._socket.recv(1)
            if not chunk:
                raise ConnectionError("DevTools closed the connection during the handshake")
            head += chunk
        if b" 101 " not in head.split(b"\r\n", 1)[0]:
            raise ConnectionError(f"DevTools refused the websocket: {head!r}")

    def send(self, text: str, opcode: int = 0x1) -> None:
        payload = text.encode()
        header = bytes([0x80 | opcode])
        size = len(payload)
        if size < 126:
            header += bytes([0x80 | size])
        elif size < 1 << 16:
            header += bytes([0x80 | 126]) + struct.pack("!H", size)
        else:
            header += bytes([0x80 | 127]) + struct.pack("!Q", size)
        mask = os.urandom(4)
        masked = bytes(byte ^ mask[i % 4] for i, byte in enumerate(payload))
        self._socket.sendall(header + mask + masked)

    def _exactly(self, count: int) -> bytes:
        data = b""
        while len(data) < count:
            chunk = self._socket.recv(count - len(data))
            if not chunk:
                raise ConnectionError("DevTools closed the connection")
            data += chunk
        return data

    def receive(self) -> str:
        message = b""
        while True:
            first, second = self._exactly(2)
            opcode, size = first & 0x0F, second & 0x7F
            if size == 126:
                size = struct.unpack("!H", self._exactly(2))[0]
            elif size == 127:
                size = struct.unpack("!Q", self._exactly(8))[0]
            payload = self._exactly(size)
            if opcode == 0x9:  # ping: answer, and keep reading
                self.send(payload.decode(errors="replace"), opcode=0xA)
                continue
            if opcode == 0x8:
                raise ConnectionError("DevTools closed the websocket")
            message += payload
            if first & 0x80:
                return message.decode()

    def close(self) -> None:
        self._socket.close()


class Browser:
    """A headless Chromium with one page, driven by DevTools commands."""

    def __init__(self, binary: str, timeout: float = 30.0) -> None:
        self.timeout = timeout
        self._profile = tempfile.TemporaryDirectory(prefix="awsflow-devtools-")
        self._process = subprocess.Popen(
            [
                binary,
                *HEADLESS,
                "--remote-debugging-port=0",
                "--window-size=1400,1000",
                f"--user-data-dir={self._profile.name}",
                "about:blank",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        browser_url = self._read_listening_line()
        base = urlsplit(browser_url)
        with urllib.request.urlopen(f"http://{base.netloc}/json/list", timeout=timeout) as answer:
            targets = json.loads(answer.read())
        page = next(target for target in targets if target["type"] == "page")
        self._socket = _WebSocket(page["webSocketDebuggerUrl"], timeout)
        self._next_id = 0

    def _read_listening_line(self) -> str:
        box: list[str] = []
        seen: list[str] = []
        found_it = threading.Event()

        def read() -> None:  # to the end: a full stderr pipe would stall chromium
            assert self._process.stderr is not None
            for line in self._process.stderr:
                if not found_it.is_set():
                    seen.append(line)
                    found = _LISTENING.search(line)
                    if found:
                        box.append(found.group(1))
                        found_it.set()

        threading.Thread(target=read, daemon=True).start()
        found_it.wait(self.timeout)
        if not box:
            self.close()
            raise AssertionError(f"chromium did not say where DevTools listens: {''.join(seen)[-2000:]}")
        return box[0]

    def command(self, method: str, **params: Any) -> dict[str, Any]:
        """Send one DevTools command; its result (events that arrive meanwhile are skipped)."""
        self._next_id += 1
        ident = self._next_id
        self._socket.send(json.dumps({"id": ident, "method": method, "params": params}))
        while True:
            message = json.loads(self._socket.receive())
            if message.get("id") == ident:
                if "error" in message:
                    raise AssertionError(f"DevTools {method}: {message['error']}")
                result: dict[str, Any] = message.get("result", {})
                return result

    def evaluate(self, expression: str) -> Any:
        """The value of a JavaScript expression in the page (awaited if a promise)."""
        result = self.command(
            "Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True
        )
        if "exceptionDetails" in result:
            raise AssertionError(f"{expression!r} raised: {result['exceptionDetails']}")
        return result["result"].get("value")

    def navigate(self, url: str) -> None:
        self.command("Page.navigate", url=url)

    def wait_for(self, expression: str, what: str) -> Any:
        """Poll the expression (with a deadline) until it is truthy; its value."""
        return wait(lambda: self.evaluate(expression), self.timeout, what)

    def close(self) -> None:
        socket_ = getattr(self, "_socket", None)
        if socket_ is not None:
            socket_.close()
        self._process.terminate()
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        self._profile.cleanup()

    def __enter__(self) -> Browser:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def wait(probe: Callable[[], Any], timeout: float, what: str) -> Any:
    """``probe()``'s first truthy value, polled with a deadline."""
    deadline = time.monotonic() + timeout
    pause = threading.Event()
    while True:
        value = probe()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        pause.wait(0.05)
