"""Benchmark: awsflow.local's restart time and memory after N closed executions.

Builds two databases in this run, driving the service shell directly (no HTTP: the store is
what is measured) on a virtual clock, N executions each (start, decision task, complete):

- ``journal only``: compaction off and the clock never past the retention period — how
  awsflow.local behaved before snapshots: every command ever run is replayed on restart;
- ``compacted``: default compaction, a 1-day retention, the clock moving on as executions run
  (each closed execution is deleted a day after it closed) and two days more at the end, so all
  N are beyond retention.

Then restarts each database in a fresh process (``--restart DB``) and prints the restart time
(store opened, state rebuilt, first request answered) and that process's peak RSS, plus the
peak RSS of the building process at a few points (it must stay flat for ``compacted``).
Target (issue 11): restart < 1 s and flat RSS with 100,000 closed executions beyond retention.

Run: ``python bench/local_store.py [--n 100000]`` (about a minute per 100,000 on one core).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from awsflow.local import VirtualClock
from awsflow.local._service import SNAPSHOT_EVERY, Service
from awsflow.local._store import SqliteStore

DOMAIN = "bench"
TASKS = {"name": "bench"}
WORKFLOW = {"name": "BenchFlow", "version": "1"}
DAY = 86_400.0
START = 1_700_000_000.0


def _status_mb(field: str) -> float:
    """A memory figure of this process from /proc/self/status, in MB (Linux)."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    raise LookupError(field)


def rss_mb() -> float:
    """Peak resident set size of this process, in MB (VmHWM starts afresh at exec, unlike
    getrusage's ru_maxrss, which a child inherits from the process that forked it)."""
    return _status_mb("VmHWM")


def current_rss_mb() -> float:
    """Resident set size right now, in MB."""
    return _status_mb("VmRSS")


def build(path: Path, n: int, *, compacted: bool) -> tuple[float, list[tuple[int, float]]]:
    """Run ``n`` executions into a new database; returns the final clock time and RSS samples."""
    clock = VirtualClock(start=START)
    service = Service(
        store=SqliteStore(path),
        clock=clock,
        poll_timeout=0,
        snapshot_every=SNAPSHOT_EVERY if compacted else None,
    )
    service.call("RegisterDomain", {"name": DOMAIN, "workflowExecutionRetentionPeriodInDays": "1"})
    service.call(
        "RegisterWorkflowType",
        {
            "domain": DOMAIN,
            **WORKFLOW,
            "defaultTaskList": TASKS,
            "defaultExecutionStartToCloseTimeout": "3600",
            "defaultTaskStartToCloseTimeout": "600",
            "defaultChildPolicy": "TERMINATE",
        },
    )
    samples: list[tuple[int, float]] = []
    checkpoints = {n // 10, n // 4, n // 2, 3 * n // 4, n}
    for i in range(1, n + 1):
        service.call(
            "StartWorkflowExecution", {"domain": DOMAIN, "workflowId": f"w{i}", "workflowType": WORKFLOW}
        )
        task = service.call("PollForDecisionTask", {"domain": DOMAIN, "taskList": TASKS})
        assert task is not None and task.get("taskToken")
        service.call(
            "RespondDecisionTaskCompleted",
            {"taskToken": task["taskToken"], "decisions": [{"decisionType": "CompleteWorkflowExecution"}]},
        )
        if compacted and i % 1000 == 0:
            clock.advance(DAY / 20)  # 20,000 executions a day: retention deletes as they go
        if i in checkpoints:
            samples.append((i, current_rss_mb()))
    if compacted:
        clock.advance(2 * DAY)
        service.call("ListDomains", {"registrationStatus": "REGISTERED"})  # fires the retention
    now = clock.now()
    service.close()
    return now, samples


def restart(path: str, now: float, *, compacted: bool) -> dict[str, Any]:
    """In this (fresh) process: open the store, rebuild the state, answer one request."""
    began = time.perf_counter()
    service = Service(
        store=SqliteStore(path),
        clock=VirtualClock(start=now),
        poll_timeout=0,
        snapshot_every=SNAPSHOT_EVERY if compacted else None,
    )
    counted = service.call(
        "CountClosedWorkflowExecutions", {"domain": DOMAIN, "startTimeFilter": {"oldestDate": 0}}
    )
    seconds = time.perf_counter() - began
    size = service.store_size()
    service.close()
    assert counted is not None
    return {
        "seconds": seconds,
        "peak_rss_mb": rss_mb(),
        "closed_executions_kept": counted["count"],
        "journal_entries": size.journal_entries,
        "snapshot_bytes": size.snapshot_bytes,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=100_000, help="executions per database")
    parser.add_argument("--restart", help=argparse.SUPPRESS)
    parser.add_argument("--now", type=float, help=argparse.SUPPRESS)
    parser.add_argument("--compacted", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.restart:
        print(json.dumps(restart(args.restart, args.now, compacted=args.compacted)))
        return

    baseline = current_rss_mb()
    print(f"{args.n:,} executions per database; this process started at {baseline:.0f} MB RSS")
    with tempfile.TemporaryDirectory() as tmp:
        for label, compacted in (("journal only", False), ("compacted", True)):
            path = Path(tmp) / f"{label.replace(' ', '-')}.sqlite"
            began = time.perf_counter()
            now, samples = build(path, args.n, compacted=compacted)
            built = time.perf_counter() - began
            growth = ", ".join(f"{i:,}: {mb:.0f} MB" for i, mb in samples)
            print(f"\n[{label}] built in {built:.1f} s; RSS while running ({growth})")
            db_kb = sum(p.stat().st_size for p in Path(tmp).glob(path.name + "*")) / 1024
            result = subprocess.run(
                [sys.executable, __file__, "--restart", str(path), "--now", repr(now)]
                + (["--compacted"] if compacted else []),
                capture_output=True,
                text=True,
                check=True,
            )
            measured = json.loads(result.stdout)
            print(
                f"[{label}] restart: {measured['seconds']:.3f} s, peak RSS {measured['peak_rss_mb']:.0f} MB; "
                f"database {db_kb:,.0f} KB; journal {measured['journal_entries']:,} entries, "
                f"snapshot {measured['snapshot_bytes'] / 1024:.1f} KB; "
                f"closed executions kept: {measured['closed_executions_kept']:,}"
            )


if __name__ == "__main__":
    main()
