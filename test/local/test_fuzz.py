"""Fuzzing the service with hostile requests derived from botocore's model (issue 11).

Whatever arrives — wrong types and tricky strings at every member of every operation and of
every decision, malformed or deeply nested JSON, requests that are not HTTP — the answer is a
success or an SWF-shaped error, never a 500 (the invariant is spelled out in
``fuzz_requests``). Afterwards the service still answers, and a restart on its ``--db``
rebuilds exactly the histories it was serving.

CI sends ``AWSFLOW_FUZZ_REQUESTS`` requests (default 4,000: a few seconds), seeded by
``AWSFLOW_FUZZ_SEED``; ``AWSFLOW_FUZZ_REQUESTS=10000`` is the issue's full run (about 7 s a
seed), e.g. ``for s in 1 2 3; do AWSFLOW_FUZZ_SEED=$s AWSFLOW_FUZZ_REQUESTS=10000 pytest -s
test/local/test_fuzz.py; done``.
"""

from __future__ import annotations

import logging
import os
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from fuzz_requests import Fuzzer
from raw_http import post

from awsflow.local import LocalSWF, VirtualClock

pytestmark = pytest.mark.skipif(
    os.environ.get("AWS_SWF_CONFORMANCE") == "moto", reason="fuzzes awsflow.local's own front and engine"
)

REQUESTS = int(os.environ.get("AWSFLOW_FUZZ_REQUESTS", "4000"))
SEED = int(os.environ.get("AWSFLOW_FUZZ_SEED", "20261205"))


def every_history(client: Any) -> dict[tuple[str, str, str], list[dict[str, Any]]]:
    """Every execution the service knows, in every domain, with its whole history."""
    domains = []
    for status in ("REGISTERED", "DEPRECATED"):
        for page in client.get_paginator("list_domains").paginate(registrationStatus=status):
            domains.extend(info["name"] for info in page["domainInfos"])
    histories = {}
    window = {"startTimeFilter": {"oldestDate": 0}}
    for domain in domains:
        executions = []
        for listing in ("list_open_workflow_executions", "list_closed_workflow_executions"):
            for page in client.get_paginator(listing).paginate(domain=domain, **window):
                executions.extend(info["execution"] for info in page["executionInfos"])
        for execution in executions:
            events = []
            pages = client.get_paginator("get_workflow_execution_history").paginate(
                domain=domain, execution=execution
            )
            for page in pages:
                events.extend(page["events"])
            histories[(domain, execution["workflowId"], execution["runId"])] = events
    return histories


def test_hostile_requests_never_get_a_500_and_a_restart_rebuilds_the_same_histories(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.ERROR, logger="awsflow.local")
    db = tmp_path / "fuzz.sqlite"
    clock = VirtualClock()
    started = time.monotonic()
    with LocalSWF(db=db, clock=clock, poll_timeout=0) as swf:
        fuzzer = Fuzzer(swf.endpoint_url, clock, SEED)
        fuzzer.prepare()
        try:
            while fuzzer.sent < REQUESTS:
                fuzzer.step()
        finally:
            fuzzer.close()
            print(f"\nfuzz: {fuzzer.summary()}; {time.monotonic() - started:.1f} s")
        assert fuzzer.statuses[500] == 0
        errors = [record.getMessage() for record in caplog.records if record.levelno >= logging.ERROR]
        assert not errors, errors[:5]
        client = swf.client()
        assert client.describe_domain(name="fuzz")["domainInfo"]["name"] == "fuzz"
        before = every_history(client)
        now = clock.now()
    reached = Counter(e["eventType"] for events in before.values() for e in events)
    print(f"fuzz: {len(before)} executions, events {dict(reached.most_common())}")
    assert {"ActivityTaskScheduled", "ActivityTaskStarted", "TimerFired", "DecisionTaskCompleted"} <= set(
        reached
    ), "the fuzz reached deep into the engine"
    with LocalSWF(db=db, clock=VirtualClock(start=now), poll_timeout=0) as again:
        after = every_history(again.client())
    assert after.keys() == before.keys()
    for key, events in before.items():
        assert after[key] == events, key


def test_the_invariant_checker_catches_an_html_answer() -> None:
    # The fuzzer's own checks must be able to fail: an answer in the stdlib's old style.
    fuzzer = Fuzzer("http://127.0.0.1:1", VirtualClock(), 0)
    with pytest.raises(AssertionError, match="not JSON"):
        fuzzer._check_error("probe", 400, b"<html>Bad request</html>")
    with pytest.raises(AssertionError, match="HTTP 500"):
        fuzzer._check_error("probe", 500, b'{"__type": "x#InternalFailure", "message": "m"}')
    with pytest.raises(AssertionError, match="SWF's shape"):
        fuzzer._check_error("probe", 400, b'{"error": "m"}')
    assert post("ListDomains", b"{}").startswith(b"POST / HTTP/1.1")
