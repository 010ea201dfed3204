"""The Replayer: saved histories replay against the current code; a changed workflow is reported
with the call and its source line; files in every accepted shape are read, bad ones reported."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from botoflow_diff import Framework
from botoflow_programs import RECORDINGS

import awsflow
from awsflow import WorkflowDefinition, activities, activity, execute, workflow_time
from awsflow.exceptions import ActivityTaskFailedError
from awsflow.replaying import HistoryFormatError, ReplayOutcome, history_from
from awsflow.testing import Replayer

HISTORIES = Path(__file__).parents[1] / "decider" / "histories"
CHECKOUT = HISTORIES / "botoflow_0_8_checkout.json"


@activities(schedule_to_start_timeout=60, start_to_close_timeout=60)
class Shop:
    @activity("1.0")
    def price(self, item: str, quantity: int = 1) -> float:
        raise NotImplementedError  # replay only

    @activity("1.0")
    def charge(self, amount: float) -> str:
        raise NotImplementedError


class Checkout(WorkflowDefinition):
    """The workflow botoflow 0.8 ran to write botoflow_0_8_checkout.json."""

    @execute(version="1.0", execution_start_to_close_timeout=3600)
    def run(self, items: list[list[Any]]) -> Any:
        prices = []
        for item, quantity in items:
            price = yield Shop.price(item, quantity=quantity)
            prices.append(price)
        yield workflow_time.sleep(30)
        try:
            first = yield Shop.charge(sum(prices) * 1000)
        except ActivityTaskFailedError as error:
            first = f"failed: {error.cause}"
        second = yield Shop.charge(sum(prices))
        return [first, second, sum(prices)]


@awsflow.workflow(name="Checkout")
class CheckoutChanged(WorkflowDefinition):
    """Checkout 1.0 changed incompatibly: it no longer sleeps before charging."""

    @execute(version="1.0", execution_start_to_close_timeout=3600)
    def run(self, items: list[list[Any]]) -> Any:
        prices = []
        for item, quantity in items:
            price = yield Shop.price(item, quantity=quantity)
            prices.append(price)
        first = yield Shop.charge(sum(prices) * 1000)  # CHANGED LINE
        return [first]


def test_a_botoflow_written_history_replays_against_the_same_workflow() -> None:
    result = Replayer([Checkout]).replay_file(CHECKOUT)
    assert result.outcome is ReplayOutcome.OK, result.message
    assert result.workflow_type == ("Checkout", "1.0") and result.workflow_id == "checkout-1"
    assert result.decision_tasks == 6


def test_a_changed_workflow_is_reported_with_the_call_and_its_source_line() -> None:
    result = Replayer([CheckoutChanged]).replay_file(CHECKOUT)
    assert result.outcome is ReplayOutcome.NONDETERMINISM
    changed_line = next(
        number
        for number, line in enumerate(Path(__file__).read_text().splitlines(), 1)
        if "# CHANGED LINE" in line
    )
    assert result.location == f"{__file__}:{changed_line}"
    assert result.recorded is not None and result.recorded.startswith("StartTimer")
    assert result.call is not None and "ScheduleActivityTask" in result.call and "Shop.charge" in result.call
    assert str(changed_line) in result.message


@pytest.mark.parametrize("recording", [pytest.param(r, id=r.name) for r in RECORDINGS])
def test_every_recorded_botoflow_history_replays(recording: Any) -> None:
    workflows = recording.builder(Framework(awsflow)).workflows
    recorded = json.loads((HISTORIES / recording.file_name).read_text())
    replayer = Replayer(workflows)
    for execution in [recorded, *recorded["children"]]:
        result = replayer.replay(execution, recording.file_name)
        assert result.ok, result.message
    report = replayer.replay_path(HISTORIES / recording.file_name)  # the children too
    assert len(report.results) == 1 + len(recorded["children"]) and report.ok, report.summary()


def test_pages_and_bare_event_lists_are_histories_too(tmp_path: Path) -> None:
    events = json.loads(CHECKOUT.read_text())["events"]
    pages = [{"events": events[:7], "nextPageToken": "t"}, {"events": events[7:]}]
    (tmp_path / "pages.json").write_text(json.dumps(pages))
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "bare.json").write_text(json.dumps(events))
    shutil.copy(CHECKOUT, tmp_path / "saved.json")
    report = Replayer([Checkout]).replay_path(tmp_path)
    assert [Path(r.source).name for r in report.results] == ["pages.json", "saved.json", "bare.json"]
    assert report.ok, report.summary()


def test_files_that_are_not_histories_and_unknown_types_are_errors_the_others_still_replay(
    tmp_path: Path,
) -> None:
    (tmp_path / "a.json").write_text("{not json")
    (tmp_path / "b.json").write_text(json.dumps({"events": [{"eventId": 1}]}))
    shutil.copy(CHECKOUT, tmp_path / "c.json")
    report = Replayer([Checkout]).replay_path(tmp_path)
    outcomes = [(Path(r.source).name, r.outcome) for r in report.results]
    assert outcomes == [
        ("a.json", ReplayOutcome.ERROR),
        ("b.json", ReplayOutcome.ERROR),
        ("c.json", ReplayOutcome.OK),
    ]
    assert "not JSON" in report.results[0].message and "eventType" in report.results[1].message
    assert not report.ok and "3 histories replayed, 2 failed" in report.summary()

    class Other(WorkflowDefinition):
        @execute(version="2.0", execution_start_to_close_timeout=60)
        def run(self) -> None:
            return None

    result = Replayer([Other]).replay_file(tmp_path / "c.json")
    assert result.outcome is ReplayOutcome.ERROR
    assert "no workflow class given defines Checkout 1.0" in result.message and "Other 2.0" in result.message


def test_a_history_must_start_at_its_first_event() -> None:
    events = json.loads(CHECKOUT.read_text())["events"]
    with pytest.raises(HistoryFormatError, match="not WorkflowExecutionStarted"):
        history_from(events[3:], "cut.json")
    with pytest.raises(FileNotFoundError):
        Replayer([Checkout]).replay_path("/no/such/dir")


def test_two_classes_defining_one_workflow_type_are_refused() -> None:
    with pytest.raises(ValueError, match=r"both define workflow Checkout 1\.0"):
        Replayer([Checkout, CheckoutChanged])
