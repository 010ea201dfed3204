"""RetryPolicy as a value: validation, backoff arithmetic, deterministic jitter, what it retries."""

from __future__ import annotations

import pytest

from awsflow import RetryPolicy, activity_options
from awsflow.core import CancelledError
from awsflow.exceptions import (
    ActivityTaskFailedError,
    ActivityTaskTimedOutError,
    ChildWorkflowFailedError,
    ChildWorkflowTerminatedError,
    ScheduleActivityTaskFailedError,
)


class Declined(Exception):
    pass


def failed(cause: BaseException) -> ActivityTaskFailedError:
    return ActivityTaskFailedError(7, None, "1-attempt-1", cause)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"initial_interval": -1}, "initial_interval must be seconds >= 0"),
        ({"initial_interval": float("nan")}, "initial_interval"),
        ({"initial_interval": 1, "backoff_coefficient": 0.5}, "backoff_coefficient must be a number >= 1"),
        (
            {"initial_interval": 10, "maximum_interval": 5},
            r"maximum_interval must be seconds >= initial_interval \(10\)",
        ),
        ({"initial_interval": 1, "maximum_attempts": -1}, "maximum_attempts must be >= 0"),
        ({"initial_interval": 1, "maximum_attempts": 2.5}, "maximum_attempts must be an int"),
        ({"initial_interval": 1, "expiration": 0}, "expiration must be seconds > 0"),
        ({"initial_interval": 1, "jitter": 1}, r"jitter must be a fraction in \[0, 1\)"),
        ({"initial_interval": 1, "non_retryable": ("ValueError",)}, "must hold exception classes"),
        ({"initial_interval": 1, "non_retryable": 3}, "must be exception classes"),
        ({"initial_interval": 1, "retryable": ("OSError",)}, "retryable must hold exception classes"),
        ({"initial_interval": 1, "retryable": 3}, "retryable must be exception classes"),
        ({"initial_interval": 1, "retryable": ()}, r"retryable=\(\) would retry nothing"),
        (
            {"initial_interval": 1, "retryable": (CancelledError,)},
            "names CancelledError, which is never retried",
        ),
        (
            {"initial_interval": 1, "retryable": (ScheduleActivityTaskFailedError,)},
            "names ScheduleActivityTaskFailedError, which is never retried",
        ),
    ],
)
def test_an_invalid_policy_is_refused_at_construction_naming_the_field(options: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        RetryPolicy(**options)


def test_a_policy_is_a_frozen_hashable_value_and_keeps_non_retryable_as_a_tuple() -> None:
    policy = RetryPolicy(initial_interval=1, non_retryable=[Declined])  # type: ignore[arg-type]
    assert policy.non_retryable == (Declined,)
    assert policy == RetryPolicy(initial_interval=1, non_retryable=(Declined,))
    assert hash(policy) == hash(RetryPolicy(initial_interval=1, non_retryable=(Declined,)))
    with pytest.raises(AttributeError):
        policy.initial_interval = 2  # type: ignore[misc]


def test_waits_grow_by_the_coefficient_round_up_to_seconds_and_stop_at_the_maximum() -> None:
    policy = RetryPolicy(initial_interval=1.5, backoff_coefficient=2, maximum_interval=10)
    assert [policy.backoff(n) for n in range(1, 6)] == [2, 3, 6, 10, 10]


def test_without_a_maximum_interval_waits_stop_at_a_hundred_times_the_first() -> None:
    policy = RetryPolicy(initial_interval=3)
    assert policy.backoff(50) == 300
    assert policy.backoff(10**6) == 300  # no overflow however long it retries


def test_jitter_shortens_waits_by_at_most_its_share_and_is_the_same_for_the_same_salt() -> None:
    policy = RetryPolicy(initial_interval=1000, backoff_coefficient=1, jitter=0.5)
    waits = [policy.backoff(1, f"run-{n}|1") for n in range(200)]
    assert all(500 <= wait <= 1000 for wait in waits)
    assert len(set(waits)) > 50  # spread, not one value
    assert waits == [policy.backoff(1, f"run-{n}|1") for n in range(200)]  # replay sees the same


def test_failures_are_retried_unless_their_cause_is_non_retryable() -> None:
    policy = RetryPolicy(initial_interval=1, non_retryable=(Declined,))
    assert policy.is_retryable(failed(OSError("down")))
    assert not policy.is_retryable(failed(Declined("no")))
    assert policy.is_retryable(ActivityTaskTimedOutError(8, None, "1", "START_TO_CLOSE"))


def test_timeouts_can_be_made_non_retryable_by_naming_the_error_class() -> None:
    policy = RetryPolicy(initial_interval=1, non_retryable=(ActivityTaskTimedOutError,))
    assert not policy.is_retryable(ActivityTaskTimedOutError(8, None, "1", "START_TO_CLOSE"))
    assert policy.is_retryable(failed(OSError("down")))


def test_refused_decisions_terminated_children_and_other_errors_are_never_retried() -> None:
    policy = RetryPolicy(initial_interval=1)
    assert not policy.is_retryable(ScheduleActivityTaskFailedError("ACTIVITY_TYPE_DOES_NOT_EXIST", None, "1"))
    assert not policy.is_retryable(ChildWorkflowTerminatedError(9, None, None))
    assert not policy.is_retryable(KeyError("a bug in the workflow"))


def test_next_delay_gives_up_at_maximum_attempts_and_before_the_expiration() -> None:
    error = failed(OSError("down"))
    limited = RetryPolicy(initial_interval=4, maximum_attempts=3)
    assert [limited.next_delay(n, error, 0) for n in (1, 2, 3)] == [4, 8, None]
    expiring = RetryPolicy(initial_interval=4, expiration=30)
    assert expiring.next_delay(1, error, 25) == 4
    assert expiring.next_delay(1, error, 26) is None  # the attempt would start at 30 s


def test_activity_options_refuses_a_retry_policy_of_the_wrong_type() -> None:
    with pytest.raises(TypeError, match="retry_policy must be a RetryPolicy or None"):
        activity_options(retry_policy={"initial_interval": 1})


def test_an_allow_list_retries_only_the_failures_it_names() -> None:
    policy = RetryPolicy(initial_interval=1, retryable=[ConnectionError])  # type: ignore[arg-type]
    assert policy.retryable == (ConnectionError,)  # kept as a tuple: the policy stays hashable
    assert policy.is_retryable(failed(ConnectionRefusedError("warehouse down")))  # a subclass
    assert not policy.is_retryable(failed(Declined("no")))
    assert not policy.is_retryable(ActivityTaskTimedOutError(8, None, "1", "START_TO_CLOSE"))
    assert policy.next_delay(1, failed(Declined("no")), 0) is None
    child_failed = ChildWorkflowFailedError(9, None, None, ConnectionError("child lost the warehouse"))
    assert policy.is_retryable(child_failed)


def test_an_allow_list_may_name_awsflow_failure_classes_to_retry_only_timeouts() -> None:
    policy = RetryPolicy(initial_interval=1, retryable=(ActivityTaskTimedOutError,))
    assert policy.is_retryable(ActivityTaskTimedOutError(8, None, "1", "HEARTBEAT"))
    assert not policy.is_retryable(failed(OSError("down")))


def test_the_deny_list_wins_over_the_allow_list_as_in_java_flow() -> None:
    policy = RetryPolicy(initial_interval=1, retryable=(OSError,), non_retryable=(FileNotFoundError,))
    assert policy.is_retryable(failed(ConnectionResetError()))
    assert not policy.is_retryable(failed(FileNotFoundError("/etc/stock")))
    same_class_in_both = RetryPolicy(initial_interval=1, retryable=(OSError,), non_retryable=(OSError,))
    assert not same_class_in_both.is_retryable(failed(OSError()))


def test_an_allow_list_never_makes_cancellation_or_refused_decisions_retryable() -> None:
    policy = RetryPolicy(initial_interval=1, retryable=(Exception,))
    assert not policy.is_retryable(ScheduleActivityTaskFailedError("ACTIVITY_TYPE_DOES_NOT_EXIST", None, "1"))
    assert not policy.is_retryable(ChildWorkflowTerminatedError(9, None, None))
    assert not policy.is_retryable(CancelledError("stop"))
    assert not policy.is_retryable(KeyError("a bug in the workflow"))
