"""The store stays bounded: compaction swaps the journal for a snapshot, retention deletes runs.

SWF deletes a closed execution once its domain's retention period has passed (SWF-SEMANTICS
§9.4; "0" deletes it at close): it leaves List and Count, and Describe and
GetWorkflowExecutionHistory answer UnknownResourceFault. Here that also frees the memory and
the store's space, so a service that has run any number of executions restarts in the time
its live state takes. All on the virtual clock.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest
from swf_helpers import decide, decision, describe, history, setup_domain, start

from awsflow.local import LocalSWF, VirtualClock
from awsflow.local._service import SNAPSHOT_COST_RATIO
from awsflow.local._store import StoreSize

pytestmark = pytest.mark.skipif(
    __import__("os").environ.get("AWS_SWF_CONFORMANCE") == "moto",
    reason="tests awsflow.local's own store",
)

DAY = 86_400


def _run_to_completion(client: Any, domain: str, workflow_id: str) -> dict[str, str]:
    run = start(client, domain, workflow_id)
    decide(client, domain, decision("CompleteWorkflowExecution", result=workflow_id))
    return run


def _closed_count(client: Any, domain: str) -> int:
    count: int = client.count_closed_workflow_executions(domain=domain, startTimeFilter={"oldestDate": 0})[
        "count"
    ]
    return count


def _snapshot_executions(db: Path) -> int:
    with sqlite3.connect(db) as raw:
        parts: int = raw.execute("SELECT count(*) FROM snapshot").fetchone()[0]
        return max(parts - 1, 0)  # part 0 is the rest of the state


def _within_policy(size: StoreSize, every: int) -> bool:
    """The journal is compacted once it holds ``every`` commands and a quarter of the snapshot."""
    return size.journal_entries < every or size.journal_bytes * SNAPSHOT_COST_RATIO < size.snapshot_bytes


def test_compaction_bounds_the_journal_and_retention_deletes_closed_runs(tmp_path: Path) -> None:
    db = tmp_path / "swf.sqlite"
    clock = VirtualClock()
    every = 20
    with LocalSWF(db=db, clock=clock, snapshot_every=every) as swf:
        client = swf.client()
        client.register_domain(name="d", workflowExecutionRetentionPeriodInDays="1")
        setup_domain(client, "d")
        first = _run_to_completion(client, "d", "first")
        assert describe(client, "d", first)["executionInfo"]["closeStatus"] == "COMPLETED"
        journal_peaks: list[int] = []
        snapshot_peak = 0
        for day in range(10):
            journal_peaks.append(0)
            for n in range(10):
                _run_to_completion(client, "d", f"day{day}-{n}")
                size = swf.service.store_size()
                assert _within_policy(size, every), size
                journal_peaks[-1] = max(journal_peaks[-1], size.journal_entries)
                snapshot_peak = max(snapshot_peak, _snapshot_executions(db))
            clock.advance(DAY / 2)
            assert _closed_count(client, "d") <= 20 + 1, "runs older than a day are gone"
        # The snapshot only holds the runs still within retention, so neither it nor the
        # journal's bound grows with the number of runs: 300 commands went through.
        assert snapshot_peak <= 21
        assert max(journal_peaks[6:]) <= 1.25 * max(journal_peaks[2:6]), journal_peaks
        assert max(journal_peaks) < 100
        with pytest.raises(client.exceptions.UnknownResourceFault):
            describe(client, "d", first)
        with pytest.raises(client.exceptions.UnknownResourceFault):
            history(client, "d", first)
        listed = client.list_closed_workflow_executions(domain="d", startTimeFilter={"oldestDate": 0})
        assert "first" not in [info["execution"]["workflowId"] for info in listed["executionInfos"]]
        recent = [info["execution"] for info in listed["executionInfos"]]
        kept = {run["runId"]: history(client, "d", run) for run in recent}
    # A restart sees exactly what the service showed, and the deletions stay deleted.
    with LocalSWF(db=db, clock=clock, snapshot_every=every) as swf:
        client = swf.client()
        assert {run["runId"]: history(client, "d", run) for run in recent} == kept
        with pytest.raises(client.exceptions.UnknownResourceFault):
            describe(client, "d", first)
        clock.advance(DAY)
        assert _closed_count(client, "d") == 0
        for run in recent:
            with pytest.raises(client.exceptions.UnknownResourceFault):
                history(client, "d", run)


def test_the_memory_store_is_bounded_too() -> None:
    clock = VirtualClock()
    with LocalSWF(clock=clock, snapshot_every=10) as swf:
        client = swf.client()
        client.register_domain(name="d", workflowExecutionRetentionPeriodInDays="1")
        setup_domain(client, "d")
        sizes = []
        for n in range(60):
            _run_to_completion(client, "d", f"w{n}")
            clock.advance(DAY / 4)
            size = swf.service.store_size()
            assert _within_policy(size, 10), size
            sizes.append(size)
        # Only the runs of the last day are in the snapshot: its size levels off, and so does
        # the journal's bound.
        assert sizes[-1].snapshot_bytes <= 1.5 * sizes[20].snapshot_bytes
        assert max(size.journal_entries for size in sizes[20:]) <= 2 * max(
            size.journal_entries for size in sizes[:20]
        )


def test_a_retention_period_of_0_deletes_a_run_as_it_closes(tmp_path: Path) -> None:
    clock = VirtualClock()
    with LocalSWF(db=tmp_path / "swf.sqlite", clock=clock) as swf:
        client = swf.client()
        client.register_domain(name="none", workflowExecutionRetentionPeriodInDays="NONE")
        assert client.describe_domain(name="none")["configuration"] == {
            "workflowExecutionRetentionPeriodInDays": "0"
        }
        setup_domain(client, "none")
        run = _run_to_completion(client, "none", "gone")
        with pytest.raises(client.exceptions.UnknownResourceFault):
            describe(client, "none", run)
        assert _closed_count(client, "none") == 0
        # The workflow id is free again at once.
        start(client, "none", "gone")


def test_retention_falls_due_on_the_service_clock_while_the_service_is_down(tmp_path: Path) -> None:
    db = tmp_path / "swf.sqlite"
    clock = VirtualClock()
    with LocalSWF(db=db, clock=clock) as swf:
        client = swf.client()
        client.register_domain(name="d", workflowExecutionRetentionPeriodInDays="2")
        setup_domain(client, "d")
        run = _run_to_completion(client, "d", "w")
    clock.advance(2 * DAY)
    with LocalSWF(db=db, clock=clock) as swf:
        client = swf.client()
        with pytest.raises(client.exceptions.UnknownResourceFault):
            describe(client, "d", run)
        assert _closed_count(client, "d") == 0
