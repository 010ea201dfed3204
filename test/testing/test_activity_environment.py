"""ActivityEnvironment, mock_activities and get_context().attempt, without a service."""

from __future__ import annotations

import threading
from typing import Any
from unittest.mock import Mock

import pytest

from awsflow import activities, activity, get_context, retry_activity
from awsflow.context import ActivityContext, peek_context
from awsflow.exceptions import ActivityCancelledError, AttemptUnknownError, PayloadTooLargeError
from awsflow.testing import ActivityEnvironment, mock_activities
from awsflow.workers._registry import extract_activities


class Boom(Exception):
    pass


@activities(schedule_to_start_timeout=60, start_to_close_timeout=60, heartbeat_timeout=30)
class Jobs:
    @activity("1.0")
    def wait_for_cancel(self) -> str:
        get_context().heartbeat("waiting")
        return "canceled" if get_context().wait_for_cancel_request(10) else "not canceled"

    @activity("1.0")
    def fail(self, error: Exception) -> None:
        raise error

    @activity("1.0")
    def unencodable(self) -> Any:
        return object()

    @activity("1.0")
    def chatty(self) -> None:
        get_context().heartbeat("x" * 2049)

    @activity("1.0")
    @retry_activity(stop_max_attempt_number=3)
    def botoflow_style(self) -> int:
        attempt: int = get_context().attempt
        return attempt

    @activity("1.0")
    def which_attempt(self) -> int:
        attempt: int = get_context().attempt
        return attempt


def test_a_cancel_requested_from_another_thread_reaches_an_activity_waiting_for_it() -> None:
    heartbeat_seen = threading.Event()
    env = ActivityEnvironment(on_heartbeat=lambda details: heartbeat_seen.set())
    outcome: list[str] = []
    runner = threading.Thread(target=lambda: outcome.append(env.run(Jobs().wait_for_cancel)))
    runner.start()
    assert heartbeat_seen.wait(10)
    env.request_cancel()
    runner.join(10)
    assert outcome == ["canceled"]
    assert env.heartbeats == ["waiting"]  # the automatic heartbeat that told it is not the activity's


def test_the_activitys_own_exception_is_raised_as_is() -> None:
    error = Boom("the very object")
    with pytest.raises(Boom) as raised:
        ActivityEnvironment().run(Jobs().fail, error)
    assert raised.value is error


def test_a_result_the_converter_cannot_encode_fails_as_in_a_worker() -> None:
    with pytest.raises(TypeError):
        ActivityEnvironment().run(Jobs().unencodable)


def test_heartbeat_details_over_swfs_limit_are_refused() -> None:
    with pytest.raises(PayloadTooLargeError):
        ActivityEnvironment().run(Jobs().chatty)


def test_the_context_is_an_activity_context_only_while_the_activity_runs() -> None:
    seen: list[Any] = []
    ActivityEnvironment().run(lambda: seen.append(get_context()))
    assert isinstance(seen[0], ActivityContext)
    assert peek_context() is None


def test_an_activity_method_taken_from_its_class_is_refused_with_a_hint() -> None:
    with pytest.raises(TypeError, match="from an instance"):
        ActivityEnvironment().run(Jobs.__dict__["which_attempt"])


def test_attempt_is_the_environments_and_the_retry_activity_attempt_is_refused_by_workers() -> None:
    assert ActivityEnvironment(attempt=4).run(Jobs().which_attempt) == 4
    task = Mock(id="3", name="Jobs.botoflow_style")
    _, activity_type = extract_activities([Jobs()])["Jobs.botoflow_style"]
    with pytest.raises(AttemptUnknownError, match="RetryPolicy"):
        _ = ActivityContext(None, task, activity_type=activity_type).attempt
    assert ActivityContext(None, Mock(id="3"), activity_type=None).attempt == 1
    assert ActivityContext(None, Mock(id="12-attempt-5"), activity_type=activity_type).attempt == 5
    with pytest.raises(ValueError):
        ActivityEnvironment(attempt=0)


def test_cancel_at_heartbeat_counts_from_one() -> None:
    env = ActivityEnvironment(cancel_at_heartbeat=1)
    with pytest.raises(ActivityCancelledError):
        env.run(Jobs().wait_for_cancel)
    assert env.heartbeats == ["waiting"]


def test_mock_activities_keeps_the_activity_types_and_names_unknown_methods() -> None:
    original = extract_activities([Jobs()])
    which = Mock(return_value=7)
    mocked = mock_activities(Jobs, which_attempt=which)
    table = extract_activities([mocked])
    assert set(table) == set(original)
    assert table["Jobs.which_attempt"][1] is original["Jobs.which_attempt"][1]
    assert table["Jobs.which_attempt"][0]() == 7
    which.assert_called_once_with()
    assert extract_activities([Jobs()])["Jobs.which_attempt"][1].name == "Jobs.which_attempt"
    with pytest.raises(TypeError, match="no activity method nope"):
        mock_activities(Jobs(), nope=which)
