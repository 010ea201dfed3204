"""The pytest plugin of awsflow: fixtures for testing workflows, found once awsflow is installed.

Registered through the ``pytest11`` entry point (named after this module, so that a project
that also names it with ``-p awsflow.testing.pytest_plugin`` loads it once). It gives:

- ``swf_env``: a :class:`~awsflow.testing.WorkflowEnvironment` per test function (an
  in-process ``awsflow.local`` with a virtual clock that skips ahead);
- ``swf_client``: that environment's botocore SWF client;
- ``--swf-endpoint URL`` (with ``--swf-domain NAME``, ``--swf-region REGION``): run the same tests
  against that endpoint instead — an Amazon SWF sandbox account (credentials from the usual
  botocore chain), or a shared ``python -m awsflow.local``. Each test then gets a task list of
  its own, so tests cannot take each other's tasks; tests marked ``swf_local_only`` (they need
  the virtual clock: skipped time, ``env.clock``) are skipped.

The plugin imports nothing of awsflow until a fixture is used, so it costs pytest nothing for
projects that do not use it.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from ._environment import WorkflowEnvironment

__all__ = ["pytest_addoption", "pytest_collection_modifyitems", "pytest_configure", "swf_client", "swf_env"]

LOCAL_ONLY = "swf_local_only"


def pytest_addoption(parser: pytest.Parser) -> None:
    """``--swf-endpoint``, ``--swf-domain``, ``--swf-region``."""
    group = parser.getgroup("awsflow", "awsflow workflow testing")
    group.addoption(
        "--swf-endpoint",
        metavar="URL",
        default=None,
        help="run swf_env tests against this SWF endpoint instead of an in-process awsflow.local",
    )
    group.addoption(
        "--swf-domain",
        metavar="NAME",
        default="awsflow-testing",
        help="the domain swf_env registers (if missing) and uses (default: awsflow-testing)",
    )
    group.addoption(
        "--swf-region",
        metavar="REGION",
        default="us-east-1",
        help="the region of the clients made for --swf-endpoint (default: us-east-1)",
    )


def pytest_configure(config: pytest.Config) -> None:
    """Declare the ``swf_local_only`` marker."""
    config.addinivalue_line(
        "markers",
        f"{LOCAL_ONLY}: needs awsflow.testing's in-process service (virtual clock, time skipping); "
        "skipped when the tests run against --swf-endpoint",
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Skip ``swf_local_only`` tests when running against an endpoint."""
    endpoint = config.getoption("--swf-endpoint")
    if endpoint is None:
        return
    skip = pytest.mark.skip(
        reason=f"needs the in-process service's virtual clock; running against {endpoint}"
    )
    for item in items:
        if item.get_closest_marker(LOCAL_ONLY) is not None:
            item.add_marker(skip)


@pytest.fixture
def swf_env(request: pytest.FixtureRequest) -> Iterator[WorkflowEnvironment]:
    """A WorkflowEnvironment for one test: in-process with time skipping, or ``--swf-endpoint``'s."""
    from ._environment import WorkflowEnvironment

    endpoint = request.config.getoption("--swf-endpoint")
    domain = request.config.getoption("--swf-domain")
    if endpoint is None:
        env = WorkflowEnvironment(domain=domain)
    else:
        env = WorkflowEnvironment(
            domain=domain,
            task_list=f"awsflow-testing-{uuid.uuid4().hex[:12]}",
            endpoint_url=endpoint,
            region=request.config.getoption("--swf-region"),
        )
    with env:
        yield env


@pytest.fixture
def swf_client(swf_env: WorkflowEnvironment) -> Any:
    """The botocore SWF client of the test's ``swf_env``."""
    return swf_env.client
