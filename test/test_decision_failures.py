"""awsflow.decision_failures: what a failed decision task records, and reading it back (pure)."""

from __future__ import annotations

import dataclasses
import json
import traceback
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from awsflow.decision_failures import (
    FAILURE_MARKER,
    current_failure,
    failure_decisions,
    failure_details,
    retry_interval,
)
from awsflow.exceptions import NondeterminismError

HISTORIES = Path(__file__).parent / "decider" / "histories"


def _raise_here() -> None:
    raise KeyError("no such thing")  # the line the failure names


def _caught(function: Any) -> BaseException:
    try:
        function()
    except Exception as error:  # the error under test, whatever its type
        return error
    raise AssertionError("did not raise")


def _event(event_id: int, event_type: str, at: float, **attributes: Any) -> dict[str, Any]:
    key = event_type[0].lower() + event_type[1:] + "EventAttributes"
    event: dict[str, Any] = {
        "eventId": event_id,
        "eventType": event_type,
        "eventTimestamp": datetime.fromtimestamp(at, tz=timezone.utc),
    }
    if attributes:
        event[key] = attributes
    return event


class History:
    """A history built decision task by decision task, as SWF would write it."""

    def __init__(self) -> None:
        self.events: list[dict[str, Any]] = [_event(1, "WorkflowExecutionStarted", 0.0)]

    def add(self, event_type: str, at: float, **attributes: Any) -> int:
        event_id = len(self.events) + 1
        self.events.append(_event(event_id, event_type, at, **attributes))
        return event_id

    def task(self, at: float) -> int:
        self.add("DecisionTaskScheduled", at)
        return self.add("DecisionTaskStarted", at)

    def answer(self, at: float, decisions: list[dict[str, Any]]) -> None:
        started = self.task(at)
        completed = self.add("DecisionTaskCompleted", at, startedEventId=started)
        for decision in decisions:
            kind = decision["decisionType"]
            attributes = dict(decision[kind[0].lower() + kind[1:] + "DecisionAttributes"])
            event_type = {"RecordMarker": "MarkerRecorded", "StartTimer": "TimerStarted"}[kind]
            self.add(event_type, at, decisionTaskCompletedEventId=completed, **attributes)

    def fail(self, at: float, error: BaseException, attempt: int) -> None:
        self.answer(at, failure_decisions(error, len(self.events) + 2, attempt))


def test_retry_interval_grows_to_ten_minutes() -> None:
    assert [retry_interval(n) for n in range(1, 10)] == [10, 20, 40, 80, 160, 320, 600, 600, 600]


def test_a_failure_names_the_error_and_line_and_when_it_began() -> None:
    error = _caught(_raise_here)
    history = History()
    history.fail(100.0, error, 1)
    history.add("TimerFired", 110.0, timerId="x")
    history.fail(110.0, error, 2)
    failure = current_failure(history.events)
    assert failure is not None
    assert failure.error_type == "KeyError"
    assert failure.message == "'no such thing'"
    assert failure.source_file == __file__
    assert failure.source_line == _raise_here.__code__.co_firstlineno + 1
    assert "_raise_here" in failure.stack
    assert failure.attempts == 2
    assert failure.since == datetime.fromtimestamp(100.0, tz=timezone.utc)
    assert failure.failed_at == datetime.fromtimestamp(110.0, tz=timezone.utc)
    assert failure.next_retry_at == datetime.fromtimestamp(130.0, tz=timezone.utc)
    assert failure.summary().startswith(
        "decision failing since 1970-01-01T00:01:40+00:00 (2 attempts): KeyError at "
    )
    assert f"test_decision_failures.py:{failure.source_line}: 'no such thing'" in failure.summary()
    assert "(1 attempt):" in dataclasses.replace(failure, attempts=1).summary()
    document = json.loads(json.dumps(failure.as_json()))
    assert document["since"] == "1970-01-01T00:01:40+00:00" and document["attempts"] == 2
    assert document["nextRetryAt"] == "1970-01-01T00:02:10+00:00"
    assert (document["errorType"], document["sourceLine"]) == ("KeyError", failure.source_line)
    assert document["summary"] == failure.summary()


def test_a_nondeterminism_error_names_the_workflow_call_it_carries() -> None:
    error = NondeterminismError("replay diverged")
    error.source = ("/app/workflow.py", 42)
    record = json.loads(failure_details(error, 10))
    assert (record["type"], record["file"], record["line"]) == (
        "awsflow.exceptions.NondeterminismError",
        "/app/workflow.py",
        42,
    )


def test_a_decision_that_completes_ends_the_streak_and_a_later_one_starts_anew() -> None:
    history = History()
    history.fail(100.0, ValueError("one"), 1)
    history.answer(200.0, [])  # fixed code decided
    assert current_failure(history.events) is None
    history.fail(300.0, ValueError("two"), 1)
    failure = current_failure(history.events)
    assert failure is not None
    assert (failure.message, failure.attempts) == ("two", 1)
    assert failure.since == datetime.fromtimestamp(300.0, tz=timezone.utc)


def test_a_closed_run_is_not_failing() -> None:
    history = History()
    history.fail(100.0, ValueError("one"), 1)
    history.add("WorkflowExecutionTerminated", 150.0)
    assert current_failure(history.events) is None


def test_histories_without_markers_have_no_failure() -> None:
    saved = sorted(HISTORIES.glob("*.json"))
    assert saved
    for path in saved:
        document = json.loads(path.read_text())
        events = document["events"] if isinstance(document, dict) else document
        assert current_failure(events) is None, path


@pytest.mark.parametrize("size", [10_000, 40_000, 200_000])
def test_a_long_stack_is_cut_from_the_top_with_a_note_to_fit_swf(size: int) -> None:
    # A message with characters JSON escapes (each becomes two or six characters).
    error = ValueError("\n\x01" * size)
    error.__traceback__ = _caught(_raise_here).__traceback__
    details = failure_details(error, 10)
    assert len(details) <= 32_768
    record = json.loads(details)
    assert "characters of this message were cut" in record["message"]
    assert record["message"].startswith("\n\x01" * 1000)
    whole = "".join(traceback.format_exception(ValueError, error, error.__traceback__))
    assert record["stack"].endswith(whole[-5_000:])  # the innermost part is kept
    assert record["stack"].startswith("[awsflow: the top ")
    assert "characters of this stack were cut to fit SWF's 32768-character limit]" in record["stack"]


def test_a_failure_whose_details_fit_is_not_cut() -> None:
    details = failure_details(_caught(_raise_here), 10)
    assert "were cut" not in details


def test_unreadable_details_are_shown_as_they_are() -> None:
    history = History()
    history.answer(
        100.0,
        [
            {
                "decisionType": "RecordMarker",
                "recordMarkerDecisionAttributes": {"markerName": FAILURE_MARKER, "details": "oops"},
            }
        ],
    )
    failure = current_failure(history.events)
    assert failure is not None
    assert (failure.message, failure.source_file, failure.next_retry_at) == ("oops", None, None)


class _Unprintable(Exception):
    def __str__(self) -> str:
        raise RuntimeError("no words")


def test_an_error_whose_str_raises_is_still_recorded_by_type() -> None:
    record = json.loads(failure_details(_Unprintable(), 10))
    assert record["type"] == f"{__name__}._Unprintable"
    assert "raised RuntimeError" in record["message"] and "no words" in record["message"]
