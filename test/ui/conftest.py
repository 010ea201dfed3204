"""Fixtures of the web timeline's tests: the UI server over the test's awsflow.local."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from uikit import Ui

from awsflow.handles import client_caller
from awsflow.local import LocalSWF
from awsflow.ui import UiServer


@pytest.fixture
def ui_server(swf: LocalSWF, domain: str) -> Iterator[UiServer]:
    with UiServer(client_caller(swf.client()), default_domain=domain).start() as server:
        yield server


@pytest.fixture
def ui(ui_server: UiServer) -> Ui:
    return Ui(ui_server.url)
