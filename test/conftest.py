"""Fixtures shared by the whole suite: an awsflow.local service on a virtual clock.

``AWS_SWF_CONFORMANCE=moto`` points the conformance suite at moto's server instead; tests that
need the virtual clock are then skipped (moto's time cannot be driven), and tests marked
``moto_gap`` become xfails named by the gap, which is the comparison the suite exists to show.
"""

from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from awsflow.local import LocalSWF, VirtualClock

CONFORMANCE_TARGET = os.environ.get("AWS_SWF_CONFORMANCE", "awsflow")
# A memory file system for the suite's temporary files when the machine has one with room.
MEMORY_TMP = "/dev/shm"
MEMORY_TMP_ROOM = 2 << 30  # bytes free, at least


def pytest_configure(config: pytest.Config) -> None:
    """Put tmp_path and tempfile's files on /dev/shm, unless TMPDIR or --basetemp says otherwise.

    The SQLite stores the tests write (``--db``, ``SqliteStore``) sync to disk when created and
    at WAL checkpoints: on a shared disk each sync costs milliseconds, thousands of them in
    the durability property tests. What those tests check is that a killed process (kill -9)
    loses nothing, which a memory file system keeps as a disk does; power loss is tested by none.
    """
    if os.environ.get("TMPDIR") or config.option.basetemp or not os.access(MEMORY_TMP, os.W_OK):
        return
    room = os.statvfs(MEMORY_TMP)
    if room.f_bavail * room.f_frsize >= MEMORY_TMP_ROOM:
        tempfile.tempdir = MEMORY_TMP


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if CONFORMANCE_TARGET != "moto":
        return
    for item in items:
        marker = item.get_closest_marker("moto_gap")
        if marker is not None:
            reason = marker.args[0] if marker.args else "moto lacks this SWF behaviour"
            item.add_marker(pytest.mark.xfail(reason=f"moto gap: {reason}", strict=False))


@pytest.fixture(scope="session")
def moto_endpoint() -> Iterator[str]:
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def clock() -> VirtualClock:
    if CONFORMANCE_TARGET == "moto":
        pytest.skip("moto's server has no clock a test can drive")
    return VirtualClock()


@pytest.fixture
def swf(clock: VirtualClock) -> Iterator[LocalSWF]:
    with LocalSWF(clock=clock) as service:
        yield service


@pytest.fixture
def endpoint_url(request: pytest.FixtureRequest) -> str:
    """The URL of the service under test (awsflow.local, or moto's server in conformance mode)."""
    if CONFORMANCE_TARGET == "moto":
        return str(request.getfixturevalue("moto_endpoint"))
    return str(request.getfixturevalue("swf").endpoint_url)


@pytest.fixture
def client(request: pytest.FixtureRequest) -> Any:
    if CONFORMANCE_TARGET == "moto":
        import botocore.config
        import botocore.session

        endpoint = request.getfixturevalue("moto_endpoint")
        return botocore.session.get_session().create_client(
            "swf",
            region_name="us-east-1",
            endpoint_url=endpoint,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
            config=botocore.config.Config(read_timeout=70, retries={"max_attempts": 0}),
        )
    return request.getfixturevalue("swf").client()


@pytest.fixture
def domain(client: Any) -> str:
    name = f"test-{uuid.uuid4().hex[:12]}"
    client.register_domain(name=name, workflowExecutionRetentionPeriodInDays="1")
    return name
