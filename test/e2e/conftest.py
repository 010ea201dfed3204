"""End-to-end fixtures (the helpers are in flowkit.py: conftest modules are not importable by name)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack
from typing import Any

import flows
import pytest
from flowkit import Flow

from awsflow.local import LocalSWF, VirtualClock


@pytest.fixture
def flow(swf: LocalSWF, clock: VirtualClock, client: Any, domain: str) -> Iterator[Flow]:
    flows.gates.clear()
    flows.started.clear()
    with ExitStack() as stack:
        yield Flow(swf, clock, client, domain, stack)
        for event in flows.gates.values():
            event.set()  # let held activities finish so their workers can stop
