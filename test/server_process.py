"""Run ``python -m awsflow.local`` as a child process for the CLI and crash tests."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import botocore.config
import botocore.session

READY = re.compile(r"^awsflow\.local listening on (http://127\.0\.0\.1:\d+)$")


class ServerProcess:
    def __init__(self, *args: str) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "awsflow.local", "--port", "0", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        self.first_line = self._read_line(timeout=30)
        match = READY.match(self.first_line)
        assert match, f"unexpected first line {self.first_line!r}; stderr: {self.stderr_so_far()}"
        self.url = match.group(1)
        self.rest_of_stdout = ""
        self.stderr = ""
        self.stderr_seen = ""  # what stderr_line_containing has read

    def _read_line(self, timeout: float) -> str:
        box: list[str] = []
        reader = threading.Thread(
            target=lambda: box.append(self.proc.stdout.readline() if self.proc.stdout else "")
        )
        reader.start()
        reader.join(timeout)
        if not box:
            self.proc.kill()
            raise AssertionError("the server printed nothing in time")
        return box[0].rstrip("\n")

    def stderr_line_containing(self, text: str, timeout: float) -> str | None:
        """Read stderr (while the server runs) up to a line containing ``text``; None if none came."""
        box: list[str] = []

        def read() -> None:
            assert self.proc.stderr is not None
            for line in self.proc.stderr:
                self.stderr_seen += line
                if text in line:
                    box.append(line)
                    return

        reader = threading.Thread(target=read, daemon=True)
        reader.start()
        reader.join(timeout)
        return box[0] if box else None

    def stderr_so_far(self) -> str:
        if self.proc.poll() is None:
            return "(still running)"
        return self.proc.stderr.read() if self.proc.stderr else ""

    def client(self, access_key: str = "k", secret_key: str = "s") -> object:
        return botocore.session.get_session().create_client(
            "swf",
            region_name="us-east-1",
            endpoint_url=self.url,
            aws_access_key_id=access_key,
            aws_secret_access_key=secret_key,
            config=botocore.config.Config(read_timeout=70, retries={"max_attempts": 0}),
        )

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 20) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        code = self.proc.wait(timeout=timeout)
        self.rest_of_stdout = self.proc.stdout.read() if self.proc.stdout else ""
        self.stderr = self.stderr_seen + (self.proc.stderr.read() if self.proc.stderr else "")
        for stream in (self.proc.stdout, self.proc.stderr):
            if stream is not None:
                stream.close()
        return code

    def kill(self) -> None:
        self.stop(signal.SIGKILL)


@contextmanager
def server(args: Sequence[str] = ()) -> Iterator[ServerProcess]:
    process = ServerProcess(*args)
    try:
        yield process
    finally:
        if process.proc.poll() is None:
            process.kill()
