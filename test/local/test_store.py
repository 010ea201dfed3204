"""The store: journal and snapshot round trips, reopening, upgrades, schema checks (no HTTP; the crash
tests cover kill -9)."""

from __future__ import annotations

import json
import marshal
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from swf_helpers import decide, decision, poll_activity, schedule, setup_domain, start

from awsflow.local import LocalSWF
from awsflow.local._store import MemoryStore, SetAside, SqliteStore, StoreError


def test_entries_come_back_in_order_after_reopening(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite"
    store = SqliteStore(path)
    seed = store.seed
    for n in range(5):
        store.append("Op", {"n": n, "nested": {"x": [1, "two"]}}, 1000.0 + n)
    store.close()
    reopened = SqliteStore(path)
    assert reopened.seed == seed
    assert [(e.operation, e.request, e.now) for e in reopened.journal()] == [
        ("Op", {"n": n, "nested": {"x": [1, "two"]}}, 1000.0 + n) for n in range(5)
    ]
    reopened.close()


def test_the_journal_uses_wal(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite"
    SqliteStore(path).close()
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_each_store_has_its_own_seed(tmp_path: Path) -> None:
    assert SqliteStore(tmp_path / "a").seed != SqliteStore(tmp_path / "b").seed
    assert MemoryStore().seed != MemoryStore().seed
    assert list(MemoryStore().journal()) == []
    assert MemoryStore(seed="fixed").seed == "fixed"


def test_a_file_that_is_not_a_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "junk"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreError, match=r"not a usable awsflow\.local database"):
        SqliteStore(path)


def test_another_schema_version_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite"
    SqliteStore(path).close()
    with sqlite3.connect(path) as db:
        db.execute("UPDATE meta SET value = '999' WHERE key = 'schema_version'")
    with pytest.raises(StoreError, match="schema version 999"):
        SqliteStore(path)


def test_synchronous_level_is_checked(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="NORMAL or FULL"):
        SqliteStore(tmp_path / "j", synchronous="OFF")


def _snapshot(runs: int) -> dict[str, object]:
    return {"format": 1, "seed": "s", "domains": [], "executions": [{"run": n} for n in range(runs)]}


@pytest.mark.parametrize("kind", ["sqlite", "memory"])
def test_a_snapshot_replaces_the_journal(tmp_path: Path, kind: str) -> None:
    store = SqliteStore(tmp_path / "j.sqlite") if kind == "sqlite" else MemoryStore()
    assert store.snapshot() is None
    store.append("Op", {"n": 1}, 1.0)
    store.append("Op", {"n": 2}, 2.0)
    assert store.size().journal_entries == 2
    written = store.save_snapshot(_snapshot(3))
    assert store.snapshot() == _snapshot(3)
    assert list(store.journal()) == []
    store.append("Op", {"n": 3}, 3.0)
    assert [e.request for e in store.journal()] == [{"n": 3}]
    size = store.size()
    assert (size.journal_entries, size.snapshot_bytes, size.snapshot_executions) == (1, written, 3)
    store.save_snapshot(_snapshot(1))
    assert store.snapshot() == _snapshot(1)


def test_a_snapshot_is_json_shaped_so_the_memory_stores_marshal_round_trip_is_a_json_one(
    clock: Any,
) -> None:
    """The memory store keeps snapshots with marshal, which would keep a tuple a tuple and an
    int key an int where JSON (the file store, a restart) gives a list and a string: a rebuild
    from memory would then differ from one from disk. So the state must dump JSON-shaped."""
    with LocalSWF(clock=clock, snapshot_every=None) as swf:
        client = swf.client()
        client.register_domain(name="d", workflowExecutionRetentionPeriodInDays="1")
        setup_domain(client, "d")
        for n in range(3):
            run = start(client, "d", f"wf{n}", tagList=["t"])
            decide(
                client,
                "d",
                schedule("a1"),
                schedule("a2", taskPriority="3"),
                decision("StartTimer", timerId="t", startToFireTimeout="60"),
                decision(
                    "StartChildWorkflowExecution",
                    workflowId=f"child{n}",
                    workflowType={"name": "Flow", "version": "1"},
                ),
            )
            task = poll_activity(client, "d")
            client.respond_activity_task_completed(taskToken=task["taskToken"], result="r")
            client.signal_workflow_execution(domain="d", signalName="s", input="i", **run)
        snapshot = swf.service.state_snapshot()
    assert snapshot["executions"] and snapshot["deadlines"] and snapshot["activity_queues"]
    assert marshal.loads(marshal.dumps(snapshot)) == json.loads(json.dumps(snapshot))
    store = MemoryStore()
    store.save_snapshot(snapshot)
    store.append("Op", {"n": [1, {"x": None}]}, 1.0)
    assert store.snapshot() == snapshot
    assert [e.request for e in store.journal()] == [{"n": [1, {"x": None}]}]


def test_snapshot_and_set_aside_commands_survive_reopening(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite"
    store = SqliteStore(path)
    store.append("Op", {"n": 1}, 1.0)
    [entry] = store.journal()
    store.save_snapshot(_snapshot(2), [SetAside(entry, "ValueError: no longer applies")])
    store.close()
    reopened = SqliteStore(path)
    assert reopened.snapshot() == _snapshot(2)
    [aside] = reopened.set_aside()
    assert (aside.entry.operation, aside.entry.request, aside.error) == (
        "Op",
        {"n": 1},
        "ValueError: no longer applies",
    )
    reopened.close()


def test_a_version_1_database_opens_with_its_journal(tmp_path: Path) -> None:
    path = tmp_path / "v1.sqlite"
    with sqlite3.connect(path) as db:  # what awsflow.local wrote before snapshots
        db.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
        db.execute(
            "CREATE TABLE journal (seq INTEGER PRIMARY KEY, operation TEXT NOT NULL,"
            " request TEXT NOT NULL, now REAL NOT NULL)"
        )
        db.executemany(
            "INSERT INTO meta VALUES (?, ?)", [("schema_version", "1"), ("seed", "old"), ("created", "0")]
        )
        db.execute("INSERT INTO journal (operation, request, now) VALUES ('Op', '{\"n\": 1}', 5.0)")
    store = SqliteStore(path)
    assert store.seed == "old"
    assert store.snapshot() is None
    assert [(e.operation, e.request, e.now) for e in store.journal()] == [("Op", {"n": 1}, 5.0)]
    store.close()
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0] == "2"


def test_compaction_gives_the_space_back(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite"
    store = SqliteStore(path)
    store.save_snapshot({**_snapshot(0), "executions": [{"big": "x" * 10_000} for _ in range(300)]})
    store.save_snapshot(_snapshot(0))
    store.close()
    assert path.stat().st_size < 200_000
